/**
 * Policy pack settings (policies/): the only place a rule can be suppressed, always with a reason.
 */
import { z } from "zod";

export const suppressionSchema = z.strictObject({
  /** Rule id, e.g. "VZ-SQL-001". */
  rule: z.string().regex(/^[A-Z]+(-[A-Z0-9]+)+$/, "must be a rule id such as VZ-SQL-001"),
  /** Why this environment may break the rule; recorded in the policy report. */
  reason: z.string().min(15, "must explain why (at least 15 characters)"),
});

export const policySchema = z.strictObject({
  suppressions: z.array(suppressionSchema).default([]),
});

export type PolicySettings = z.output<typeof policySchema>;
