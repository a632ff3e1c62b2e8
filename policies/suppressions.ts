/**
 * Suppressions: the only way to accept a rule violation, always with a reason that the report
 * shows. A suppression naming an unknown rule is an error, so a typo cannot silently suppress
 * nothing while the author believes the finding is handled.
 */

export interface Suppression {
  /** Rule id, e.g. `VZ-EDGE-003`. */
  readonly rule: string;
  /** Why this environment may break the rule; shown in the report and the synth warnings. */
  readonly reason: string;
  /**
   * Construct path, relative to the stack, of the resources it covers; `*` matches any run of
   * characters (e.g. `edge/*`). @default every resource the rule flags in the stack
   */
  readonly resource?: string;
}

export const MIN_REASON_LENGTH = 15;

/** Why a rule id is not acceptable in a suppression, or undefined when it names a known rule. */
export function unknownRuleProblem(id: string, knownIds: readonly string[]): string | undefined {
  if (knownIds.includes(id)) return undefined;
  const closest = closestId(id, knownIds);
  return `is not a rule of the policy pack${closest ? ` (did you mean ${closest}?)` : ""}; rules: ${knownIds.join(", ")}`;
}

/** Every problem of a suppression list, as `suppressions[i].field: problem`. */
export function suppressionProblems(suppressions: readonly Suppression[], knownIds: readonly string[]): string[] {
  return suppressions.flatMap((s, i) => {
    const problems: string[] = [];
    const unknown = unknownRuleProblem(s.rule, knownIds);
    if (unknown) problems.push(`suppressions[${i}].rule = ${JSON.stringify(s.rule)}: ${unknown}`);
    if (typeof s.reason !== "string" || s.reason.trim().length < MIN_REASON_LENGTH) {
      problems.push(`suppressions[${i}].reason = ${JSON.stringify(s.reason)}: must explain why (at least ${MIN_REASON_LENGTH} characters)`);
    }
    return problems;
  });
}

/** Whether a suppression covers a finding of `ruleId` on the resource at `path` (full construct path). */
export function suppresses(suppression: Suppression, ruleId: string, path: string): boolean {
  if (suppression.rule !== ruleId) return false;
  if (suppression.resource === undefined) return true;
  // Stacks sit directly under the app, so the first segment is the stack.
  const relative = path.slice(path.indexOf("/") + 1);
  return globToRegExp(suppression.resource).test(relative);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

/** The known id a typo most likely meant (at most two edits away). */
function closestId(id: string, knownIds: readonly string[]): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const known of knownIds) {
    const distance = editDistance(id.toUpperCase(), known);
    if (distance <= 2 && (!best || distance < best.distance)) best = { id: known, distance };
  }
  return best?.id;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
