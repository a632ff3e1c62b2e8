import type { z } from "zod";
import { invalid } from "../../domain/errors";

/**
 * Validates request input with a zod schema; failures become a 400 naming every bad field
 * (`fields["amount"] = "..."`, nested paths dotted).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[path ? `${path}.${key}` : key] ??= "is not a known field";
      continue;
    }
    fields[path || what] ??= issue.message;
  }
  throw invalid(`invalid ${what}: ${Object.keys(fields).join(", ")}`, fields);
}
