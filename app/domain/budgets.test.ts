import { describe, expect, it } from "vitest";
import { monthOf } from "./budgets";

describe("monthOf", () => {
  it("spans the UTC calendar month of an instant", () => {
    const month = monthOf(new Date("2024-02-29T23:59:59Z"));
    expect(month.label).toBe("2024-02");
    expect(month.start.toISOString()).toBe("2024-02-01T00:00:00.000Z");
    expect(month.end.toISOString()).toBe("2024-03-01T00:00:00.000Z");
  });

  it("rolls over the year", () => {
    expect(monthOf(new Date("2024-12-31T10:00:00Z")).end.toISOString()).toBe("2025-01-01T00:00:00.000Z");
  });
});
