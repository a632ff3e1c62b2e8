/**
 * Helpers for the policy tests: small stacks with the real provider classes, the real environment
 * stacks, and one rule's outcome on either.
 */
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { CloudEnvironmentName } from "../../environments";
import { TerraformStack, Testing } from "../../lib/cdktf";
import { DEFAULT_CONNECTION_RESERVE } from "../../lib/connection-budget";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { collectStackResources } from "../../policies/collect";
import { evaluateRules, type RuleOutcome } from "../../policies/evaluate";
import type { PolicyRule, RuleContext } from "../../policies/model";
import type { Suppression } from "../../policies/suppressions";
import { testEnvironment } from "./synth";

export const DEV: RuleContext = { environment: "dev", production: false, requiredLabels: ["app", "env"], connectionReserve: DEFAULT_CONNECTION_RESERVE };
export const PROD: RuleContext = { ...DEV, environment: "prod", production: true };

/**
 * A stack named "test" with a Google provider labelling like the platform's (`defaultLabels: null`
 * for none), plus what `build` adds.
 */
export function smallStack(build: (stack: TerraformStack) => void, defaultLabels: Record<string, string> | null = { app: "valorize", env: "dev" }): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "test");
  new GoogleProvider(stack, "google", { project: "acme-test-1", region: "us-central1", defaultLabels: defaultLabels ?? undefined });
  build(stack);
  return stack;
}

/** A fresh real environment stack from its committed config (mutate it with addOverride to break rules). */
export function environmentStack(name: CloudEnvironmentName): EnvironmentStack {
  return new EnvironmentStack(Testing.app(), name, { config: testEnvironment(name) });
}

const pristine = new Map<CloudEnvironmentName, EnvironmentStack>();

/** A real environment stack shared by the tests that only read it (building one takes ~0.2 s). */
export function unmodifiedEnvironmentStack(name: CloudEnvironmentName): EnvironmentStack {
  const existing = pristine.get(name);
  if (existing) return existing;
  const stack = environmentStack(name);
  pristine.set(name, stack);
  return stack;
}

export interface RuleResult extends RuleOutcome {
  /** Unsuppressed findings as `<path>: <problem>`. */
  readonly problems: readonly string[];
}

/** One rule's outcome on a stack. */
export function runRule(rule: PolicyRule, stack: TerraformStack, context: RuleContext = DEV, suppressions: readonly Suppression[] = []): RuleResult {
  const [outcome] = evaluateRules(collectStackResources(stack).resources, [rule], context, suppressions).outcomes;
  return { ...outcome!, problems: outcome!.findings.filter((f) => !f.suppressedBy).map((f) => `${f.resource.path}: ${f.problem}`) };
}
