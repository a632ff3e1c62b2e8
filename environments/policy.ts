/**
 * Policy pack settings (policies/): the only place a rule can be suppressed, always with a reason.
 * The schema gives the shape; the pack checks the content when the stack attaches it (a known rule
 * id, with the likely intended one for a typo, and a reason long enough to explain), so a typo
 * cannot silently suppress nothing and the check lives in one place (policies/suppressions.ts).
 */
import { z } from "zod";
import type { Suppression } from "../policies/suppressions";

export const suppressionSchema = z.strictObject({
  /** Rule id, e.g. "VZ-EDGE-003" (`npm run policy` lists them); the pack refuses unknown ones. */
  rule: z.string(),
  /** Why this environment may break the rule; recorded in the policy report (the pack requires 15+ characters). */
  reason: z.string().trim(),
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
