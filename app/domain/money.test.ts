import { describe, expect, it } from "vitest";
import { formatCents, parseAmountToCents } from "./money";

describe("money", () => {
  it.each([
    [12.5, 1250],
    ["-12.5", -1250],
    ["0.01", 1],
    [-0.1, -10],
    ["1000000", 100000000],
    [" 7 ", 700],
  ])("parses %j as %i cents", (input, cents) => {
    expect(parseAmountToCents(input)).toBe(cents);
  });

  it.each([["1.234"], ["abc"], [""], ["1e3"], [Number.NaN], [Number.POSITIVE_INFINITY], ["--1"], ["1,50"], ["0x10"]])("refuses %j", (input) => {
    expect(parseAmountToCents(input)).toBeUndefined();
  });

  it("formats cents as a two-decimal string", () => {
    expect(formatCents(-1250)).toBe("-12.50");
    expect(formatCents(5)).toBe("0.05");
    expect(formatCents(-5)).toBe("-0.05");
    expect(formatCents(123456789)).toBe("1234567.89");
  });
});
