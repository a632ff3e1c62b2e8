import { describe, expect, it } from "vitest";
import { withDefaults } from "./defaults";

describe("withDefaults", () => {
  const defaults = { a: 1, b: "x", c: [1] };

  it("keeps every default nothing overrides, also when given as undefined", () => {
    expect(withDefaults(defaults, undefined)).toEqual(defaults);
    expect(withDefaults(defaults, { a: undefined, b: "y" })).toEqual({ a: 1, b: "y", c: [1] });
  });

  it("takes given values, falsy ones included, without changing the defaults", () => {
    expect(withDefaults(defaults, { a: 0, b: "", c: [] })).toEqual({ a: 0, b: "", c: [] });
    expect(defaults).toEqual({ a: 1, b: "x", c: [1] });
  });
});
