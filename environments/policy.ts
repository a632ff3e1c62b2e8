/**
 * Policy pack settings (policies/): the only place a rule can be suppressed, always with a reason.
 * A suppression naming a rule the pack does not have is a config error, so a typo cannot silently
 * suppress nothing.
 */
import { z } from "zod";
import { PLATFORM_RULE_IDS } from "../policies/rules";
import { MIN_REASON_LENGTH, SUPPRESSION_RULE_ID, unknownRuleProblem, type Suppression } from "../policies/suppressions";

export const suppressionSchema = z.strictObject({
  /** Rule id, e.g. "VZ-EDGE-003" (`npm run policy` lists them). */
  rule: z
    .string()
    .regex(SUPPRESSION_RULE_ID, "must be a rule id such as VZ-SQL-001")
    .superRefine((id, ctx) => {
      const problem = SUPPRESSION_RULE_ID.test(id) ? unknownRuleProblem(id, PLATFORM_RULE_IDS) : undefined;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  /** Why this environment may break the rule; recorded in the policy report. */
  reason: z.string().trim().min(MIN_REASON_LENGTH, `must explain why (at least ${MIN_REASON_LENGTH} characters)`),
  /**
   * Construct path relative to the stack of the resources it covers, `*` matching any characters
   * (e.g. "edge/http-proxy", "edge/*"). @default every resource the rule flags
   */
  resource: z.string().min(1).optional(),
}) satisfies z.ZodType<Suppression>;

export const policySchema = z.strictObject({
  suppressions: z.array(suppressionSchema).default([]),
});

export type PolicySettings = z.output<typeof policySchema>;
