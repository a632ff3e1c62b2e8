import { describe, expect, it } from "vitest";
import { categorise, categoriser, DEFAULT_CATEGORIES, DEFAULT_RULES, defaultRules, FALLBACK_CATEGORY } from "./categorisation";

const ids = new Map(DEFAULT_CATEGORIES.map((name) => [name, `id-${name}`]));
const rules = defaultRules(ids);

describe("default categorisation", () => {
  it("gives a new tenant the common categories and a fallback", () => {
    expect(DEFAULT_CATEGORIES).toEqual(expect.arrayContaining(["Transport", "Food & Dining", "Groceries", "Salary", FALLBACK_CATEGORY]));
    expect(rules.filter((rule) => rule.categoryId === ids.get("Transport")).map((r) => r.pattern)).toEqual([...DEFAULT_RULES.Transport!]);
  });

  it.each([
    ["UBER *TRIP 1234", "Transport"],
    ["Uber Eats order", "Food & Dining"],
    ["TESCO STORES 3321", "Groceries"],
    ["Whole Foods Market", "Groceries"],
    ["ACME Corp SALARY May", "Salary"],
    ["McDonald's", "Food & Dining"],
    ["Netflix.com", "Entertainment"],
    ["Something nobody knows", FALLBACK_CATEGORY],
  ])("files %j under %s", (description, category) => {
    expect(categorise(description, rules)).toBe(ids.get(category));
  });

  it("matches whole words only (a business is not a bus)", () => {
    expect(categorise("Business lunch", rules)).toBe(ids.get(FALLBACK_CATEGORY));
  });

  it("does not depend on the order the rules come in", () => {
    const reversed = [...rules].reverse();
    for (const description of ["Uber Eats", "shell fuel", "ATM withdrawal", "rent"]) {
      expect(categorise(description, reversed)).toBe(categorise(description, rules));
    }
  });

  it("lets a lower priority number win over a longer pattern", () => {
    const custom = [
      { pattern: "coffee", categoryId: "treats", priority: 10 },
      { pattern: "starbucks coffee", categoryId: "food", priority: 100 },
    ];
    expect(categoriser(custom)("Starbucks coffee")?.categoryId).toBe("treats");
  });
});
