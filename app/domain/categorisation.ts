/**
 * Deterministic keyword categorisation. Each tenant owns its categories and rules; a new tenant
 * starts with the defaults below (common merchants) and can diverge from them later.
 */
import type { CategorisationRule } from "./model";

/** Transactions no other rule matches land here, so "categorised" is a yes/no fact for every row. */
export const FALLBACK_CATEGORY = "Other";
/** The empty pattern matches every description; with the largest priority number it applies last. */
export const FALLBACK_PATTERN = "";
const FALLBACK_PRIORITY = 1000;

/** Default category -> merchant/keyword patterns (whole words, lower case). */
export const DEFAULT_RULES: Readonly<Record<string, readonly string[]>> = {
  "Food & Dining": ["uber eats", "deliveroo", "doordash", "just eat", "starbucks", "mcdonalds", "mcdonald", "burger king", "kfc", "subway sandwich", "pizza", "restaurant", "cafe", "coffee", "bakery"],
  Groceries: ["whole foods", "walmart", "tesco", "aldi", "lidl", "carrefour", "kroger", "safeway", "costco", "sainsbury", "supermarket", "grocery", "groceries"],
  Transport: ["uber", "lyft", "bolt", "taxi", "metro", "subway", "bus", "train", "railway", "airline", "shell", "bp", "esso", "chevron", "fuel", "parking", "toll"],
  Salary: ["salary", "payroll", "wages", "paycheck"],
  Shopping: ["amazon", "ebay", "ikea", "zara", "h&m", "apple store"],
  Utilities: ["electricity", "water bill", "gas bill", "internet", "vodafone", "verizon", "comcast", "at&t"],
  Entertainment: ["netflix", "spotify", "disney", "cinema", "steam", "playstation"],
  Health: ["pharmacy", "cvs", "walgreens", "gym", "dentist", "doctor", "hospital"],
  Housing: ["rent", "mortgage", "landlord"],
  Transfers: ["transfer", "atm", "withdrawal"],
};

export const DEFAULT_CATEGORIES: readonly string[] = [...Object.keys(DEFAULT_RULES), FALLBACK_CATEGORY];

/** The default rules of a new tenant, given the ids its default categories received. */
export function defaultRules(categoryIdByName: ReadonlyMap<string, string>): CategorisationRule[] {
  const rules = Object.entries(DEFAULT_RULES).flatMap(([category, patterns]) => {
    const categoryId = categoryIdByName.get(category);
    if (!categoryId) throw new Error(`default category ${category} was not created`);
    return patterns.map((pattern) => ({ pattern, categoryId, priority: 100 }));
  });
  const fallbackId = categoryIdByName.get(FALLBACK_CATEGORY);
  if (!fallbackId) throw new Error(`default category ${FALLBACK_CATEGORY} was not created`);
  return [...rules, { pattern: FALLBACK_PATTERN, categoryId: fallbackId, priority: FALLBACK_PRIORITY }];
}

/** Lower-case words separated by single spaces, padded so whole-word matches are a substring test. */
function words(text: string): string {
  return ` ${text.toLowerCase().replace(/[^\p{L}\p{N}&]+/gu, " ").trim()} `;
}

/**
 * A matcher over a tenant's rules (built once, applied to many descriptions). The first matching
 * rule wins: lowest priority number first, then the longest pattern (so "uber eats" beats "uber"),
 * then alphabetical, so the outcome never depends on row order.
 */
export function categoriser<R extends CategorisationRule>(rules: readonly R[]): (description: string) => R | undefined {
  const known = matchers.get(rules);
  if (known) return known as (description: string) => R | undefined;
  const ordered = [...rules]
    .sort((a, b) => a.priority - b.priority || b.pattern.length - a.pattern.length || a.pattern.localeCompare(b.pattern))
    .map((rule) => ({ needle: rule.pattern === FALLBACK_PATTERN ? "" : words(rule.pattern), rule }));
  const match = (description: string) => {
    const text = words(description);
    return ordered.find(({ needle }) => text.includes(needle))?.rule;
  };
  matchers.set(rules, match);
  return match;
}

/** Matchers by rule list: a cached list (the same array) is sorted and normalised once, not per task. */
const matchers = new WeakMap<readonly CategorisationRule[], (description: string) => CategorisationRule | undefined>();

export function categorise(description: string, rules: readonly CategorisationRule[]): string | undefined {
  return categoriser(rules)(description)?.categoryId;
}
