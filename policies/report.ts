/**
 * The policy report `npm run policy` prints: a table of rules x stacks, then what failed, what
 * warns, what is suppressed (with reasons) and which suppressions matched nothing. Pure text.
 */
import { activeFindings, formatSuppression, type Finding, type PolicyEvaluation, type RuleOutcome } from "./evaluate";
import type { PolicyRule } from "./model";

export interface StackPolicyReport {
  readonly stack: string;
  readonly evaluation: PolicyEvaluation;
}

export const LEGEND = [
  "pass N: N resources checked, all comply",
  "FAIL x/N: x findings of an ERROR rule on N resources checked (fails synth)",
  "warn x/N: findings of a WARNING rule (reported, synth goes on)",
  "suppressed x/N: every finding suppressed in the environment's policy.suppressions",
  "n/a: nothing to check in this stack (no such resources, or the rule is for another environment)",
];

/** One table cell: status with finding and subject counts. */
export function cell(outcome: RuleOutcome | undefined): string {
  if (!outcome) return "-";
  switch (outcome.status) {
    case "n/a":
      return "n/a";
    case "pass":
      return `pass ${outcome.checked}`;
    default:
      return `${outcome.status} ${outcome.findings.length}/${outcome.checked}`;
  }
}

/** Whether any stack has an unsuppressed ERROR finding (the exit status of `npm run policy`). */
export function hasErrors(reports: readonly StackPolicyReport[]): boolean {
  return reports.some((r) => activeFindings(r.evaluation, "ERROR").length > 0);
}

export function formatPolicyReport(reports: readonly StackPolicyReport[]): string {
  const rules = rulesOf(reports);
  const header = ["rule", "severity", "title", ...reports.map((r) => r.stack)];
  const rows = rules.map((rule) => [
    rule.id,
    rule.severity,
    rule.title,
    ...reports.map((r) => cell(r.evaluation.outcomes.find((o) => o.rule.id === rule.id))),
  ]);
  const lines = [`Policy pack: ${rules.length} rules on ${reports.map((r) => r.stack).join(", ")}`, "", ...table([header, ...rows]), ""];

  const all = reports.flatMap((r) => r.evaluation.outcomes.flatMap((o) => o.findings.map((finding) => ({ stack: r.stack, finding }))));
  const section = (title: string, items: readonly { stack: string; finding: Finding }[], suffix: (f: Finding) => string = () => "") => {
    if (items.length === 0) return;
    lines.push(`${title}:`);
    for (const { stack, finding } of items) lines.push(`  ${stack.padEnd(8)} ${finding.rule.id} at ${finding.resource.path}: ${finding.problem}${suffix(finding)}`);
    lines.push("");
  };
  const failures = all.filter(({ finding }) => finding.rule.severity === "ERROR" && !finding.suppressedBy);
  section("Failures (ERROR)", failures);
  section("Warnings", all.filter(({ finding }) => finding.rule.severity === "WARNING" && !finding.suppressedBy));
  section("Suppressed", all.filter(({ finding }) => finding.suppressedBy), (f) => ` [suppressed: ${f.suppressedBy!.reason}]`);

  const unused = reports.flatMap((r) => r.evaluation.unusedSuppressions.map((s) => `  ${r.stack.padEnd(8)} ${formatSuppression(s)}`));
  if (unused.length > 0) lines.push("Suppressions that matched nothing (remove them or fix their resource pattern):", ...unused, "");

  const failing = rules.filter((rule) => failures.some(({ finding }) => finding.rule === rule));
  if (failing.length > 0) lines.push("How to fix:", ...failing.map((rule) => `  ${rule.id} ${rule.fix}`), "");

  lines.push("Legend:", ...LEGEND.map((l) => `  ${l}`), "");
  const failedStacks = reports.filter((r) => activeFindings(r.evaluation, "ERROR").length > 0).map((r) => r.stack);
  lines.push(
    failedStacks.length === 0
      ? `Result: no ERROR findings in ${reports.map((r) => r.stack).join(", ")}.`
      : `Result: ${failures.length} ERROR finding(s) in ${failedStacks.join(", ")}.`,
  );
  return lines.join("\n");
}

function rulesOf(reports: readonly StackPolicyReport[]): PolicyRule[] {
  const seen = new Map<string, PolicyRule>();
  for (const r of reports) for (const o of r.evaluation.outcomes) if (!seen.has(o.rule.id)) seen.set(o.rule.id, o.rule);
  return [...seen.values()];
}

/** Left-aligned columns, two spaces apart. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i]!))).join("  "));
}
