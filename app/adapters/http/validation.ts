import { z } from "zod";
import { invalid } from "../../domain/errors";
import { storableTextProblem } from "../../domain/text";

/** A refinement that reports what `problem` finds wrong with a string. */
export const refuse = (problem: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: "custom", message });
};

/** Text stored or looked up as sent (no trimming, any character PostgreSQL can hold). */
export const storableText = (max: number, min = 0) => {
  const bounded = z.string("must be a string").max(max, `must be at most ${max} characters`);
  return (min > 0 ? bounded.min(min, `must be at least ${min} characters`) : bounded).superRefine(refuse(storableTextProblem));
};

/**
 * Validates request input with a zod schema; failures become a 400 naming every bad field
 * (`fields["amount"] = "..."`, nested paths dotted).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // A Map, not an object literal: a field named `__proto__` or `constructor` (`?__proto__=x`) would
  // otherwise hit Object.prototype and vanish from the answer. Object.fromEntries defines own
  // properties, so every name survives into the JSON.
  const fields = new Map<string, string>();
  const name = (field: string, message: string) => void (fields.has(field) || fields.set(field, message));
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) name(path ? `${path}.${key}` : key, "is not a known field");
      continue;
    }
    name(path || what, issue.message);
  }
  throw invalid(`invalid ${what}: ${[...fields.keys()].join(", ")}`, Object.fromEntries(fields));
}
