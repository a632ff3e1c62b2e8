/**
 * Runs rules over a stack's resources and applies suppressions. Pure: the same resources, rules,
 * context and suppressions always give the same evaluation.
 */
import type { PolicyRule, RuleContext, Severity, StackResources, SynthesizedResource } from "./model";
import { suppresses, type Suppression } from "./suppressions";

/**
 * pass: subjects exist and comply; FAIL / warn: an unsuppressed ERROR / WARNING finding;
 * suppressed: every finding is suppressed; n/a: nothing to check in this stack.
 */
export type RuleStatus = "pass" | "FAIL" | "warn" | "suppressed" | "n/a";

export interface Finding {
  readonly rule: PolicyRule;
  readonly resource: SynthesizedResource;
  readonly problem: string;
  /** The suppression that accepts this finding, if any. */
  readonly suppressedBy?: Suppression;
}

export interface RuleOutcome {
  readonly rule: PolicyRule;
  readonly status: RuleStatus;
  /** Subjects the rule judged. */
  readonly checked: number;
  /** Every finding, suppressed ones included. */
  readonly findings: readonly Finding[];
}

export interface PolicyEvaluation {
  readonly environment: string;
  readonly outcomes: readonly RuleOutcome[];
  /** Suppressions that matched no finding: stale, or a resource pattern that is wrong. */
  readonly unusedSuppressions: readonly Suppression[];
}

export function evaluateRules(
  stack: StackResources,
  rules: readonly PolicyRule[],
  context: RuleContext,
  suppressions: readonly Suppression[] = [],
): PolicyEvaluation {
  const used = new Set<Suppression>();
  const outcomes = rules.map((rule): RuleOutcome => {
    const subjects = rule.subjects(stack, context);
    const findings = subjects.flatMap((resource) =>
      runCheck(rule, resource, stack, context).map((problem): Finding => {
        const suppressedBy = suppressions.find((s) => suppresses(s, rule.id, resource.path));
        if (suppressedBy) used.add(suppressedBy);
        return suppressedBy ? { rule, resource, problem, suppressedBy } : { rule, resource, problem };
      }),
    );
    return { rule, status: statusOf(rule.severity, subjects.length, findings), checked: subjects.length, findings };
  });
  return { environment: context.environment, outcomes, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

function runCheck(rule: PolicyRule, resource: SynthesizedResource, stack: StackResources, context: RuleContext): readonly string[] {
  try {
    return rule.check(resource, stack, context);
  } catch (error) {
    // A bug in a rule must name the rule and the resource, not surface as a bare TypeError.
    throw new Error(`Policy rule ${rule.id} failed on ${resource.path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function statusOf(severity: Severity, checked: number, findings: readonly Finding[]): RuleStatus {
  if (checked === 0) return "n/a";
  if (findings.some((f) => !f.suppressedBy)) return severity === "ERROR" ? "FAIL" : "warn";
  return findings.length > 0 ? "suppressed" : "pass";
}

/** Unsuppressed findings of one severity. */
export function activeFindings(evaluation: PolicyEvaluation, severity: Severity): Finding[] {
  return evaluation.outcomes.flatMap((o) => o.findings).filter((f) => f.rule.severity === severity && !f.suppressedBy);
}

/** `VZ-SQL-001 at dev/database/instance: <problem>. Fix: <how>` */
export function formatFinding(finding: Finding): string {
  return `${finding.rule.id} at ${finding.resource.path}: ${finding.problem}. Fix: ${finding.rule.fix}`;
}

export function formatSuppression(s: Suppression): string {
  return `${s.rule}${s.resource ? ` on ${s.resource}` : ""} (${s.reason})`;
}
