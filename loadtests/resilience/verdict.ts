/**
 * From what the run measured to the verdict per fault: the seconds within the SLO, when the load
 * recovered, the fault's window, and each promise of issue 10 checked. Pure functions.
 */
import { SLO } from "../slo";
import { PROMPT_CLOSE_MS, RECOVERY_TARGET_SECONDS, type FaultSpec } from "./faults";
import type { SecondStats } from "./load";
import type { FaultResult, FaultVerdict, ResilienceResult, ResilienceSecond } from "./types";

/** P95 of a second's latencies (nearest rank), 0 when empty. */
export function p95(latencies: readonly number[]): number {
  if (latencies.length === 0) return 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** A second holds the SLO when it served requests with P95 <= 300 ms and errors < 0.5 %. */
export function secondHolds(s: Pick<SecondStats, "requests" | "errors" | "latencies">): boolean {
  return s.requests > 0 && p95(s.latencies) <= SLO.p95Ms && s.errors / s.requests < SLO.maxErrorRate;
}

export function toTimeline(seconds: readonly SecondStats[]): ResilienceSecond[] {
  return seconds.map((s) => ({ t: s.t, requests: s.requests, ok: s.ok, errors: s.errors, serverErrors: s.serverErrors, resets: s.resets, p95: p95(s.latencies), held: secondHolds(s) }));
}

/**
 * When the load recovered after the component came back at `backAt`: the start of the first
 * second within the SLO among those that end after `backAt` (the second it came back in counts),
 * looking no further than `until`. Recovery is that start minus `backAt`, at least 0: 0 means the
 * load was within the SLO as soon as the component was back.
 */
export function recovery(timeline: readonly Pick<ResilienceSecond, "t" | "held">[], backAt: number, until: number): { recoveredAt: number | null; recoverySeconds: number | null } {
  const first = timeline.find((s) => s.t + 1 > backAt && s.t < until && s.held);
  if (!first) return { recoveredAt: null, recoverySeconds: null };
  return { recoveredAt: first.t, recoverySeconds: Math.max(0, first.t - backAt) };
}

/** Sums of the seconds that overlap [from, to). */
export function windowStats(seconds: readonly SecondStats[], from: number, to: number) {
  const inside = seconds.filter((s) => s.t + 1 > from && s.t < to);
  const sum = (pick: (s: SecondStats) => number) => inside.reduce((total, s) => total + pick(s), 0);
  const requests = sum((s) => s.requests);
  const errors = sum((s) => s.errors);
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    serverErrors: sum((s) => s.serverErrors),
    unavailable: sum((s) => s.unavailable),
    connectionResets: sum((s) => s.resets),
    failedAfterRetries: sum((s) => s.failedAfterRetries),
    stackTraces: sum((s) => s.stackTraces),
  };
}

export type FaultMeasurements = Omit<FaultResult, "verdict">;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every promise the fault tests, checked against what was measured. */
export function faultVerdict(m: FaultMeasurements, spec: Pick<FaultSpec, "graceful" | "realtimeInstance" | "dependency">): FaultVerdict {
  const failures: string[] = [];
  if (m.lost > 0) failures.push(`${plural(m.lost, "task")} lost (transactions never categorised)`);
  if (m.duplicated > 0) failures.push(`${plural(m.duplicated, "task effect")} applied twice`);
  if (m.missingWrites > 0) failures.push(`${plural(m.missingWrites, "committed write")} (answered 201) missing from PostgreSQL`);
  if (m.duplicateWrites > 0) failures.push(`${plural(m.duplicateWrites, "extra row")} from retried Idempotency-Keys`);
  if (m.recoverySeconds === null) failures.push("no second within the SLO after the component was back, before the next fault");
  else if (m.recoverySeconds > RECOVERY_TARGET_SECONDS) failures.push(`recovered ${m.recoverySeconds.toFixed(1)} s after the component was back (target <= ${RECOVERY_TARGET_SECONDS} s)`);
  if (m.stackTraces > 0) failures.push(`${plural(m.stackTraces, "5xx answer")} with a stack trace in the body`);
  if (spec.graceful && (m.connectionResets > 0 || m.serverErrors > 0)) {
    failures.push(`requests in flight cut during a graceful restart: ${plural(m.connectionResets, "connection reset")}, ${plural(m.serverErrors, "5xx answer")}`);
  }
  const rt = m.realtime;
  if (rt.unrecovered > 0) failures.push(`${plural(rt.unrecovered, "realtime event")} missed and not found through the API after reconnecting`);
  if (rt.missedWhileConnected > 0) failures.push(`${plural(rt.missedWhileConnected, "realtime event")} missed by clients whose socket stayed open`);
  if (spec.realtimeInstance) {
    const clients = rt.stoppedInstanceClients ?? 0;
    const closed = rt.stoppedInstanceClosed ?? 0;
    if (clients === 0) failures.push("no client was connected to the stopped realtime instance");
    if (closed < clients) failures.push(`${clients - closed} of ${plural(clients, "client")} of the stopped realtime instance never saw their socket close`);
    if (rt.closeLatencyMs !== undefined && rt.closeLatencyMs > PROMPT_CLOSE_MS) failures.push(`clients of the stopped realtime instance learnt it after ${Math.round(rt.closeLatencyMs)} ms (target <= ${PROMPT_CLOSE_MS} ms)`);
    if (rt.reconnected < closed) failures.push(`${closed - rt.reconnected} closed realtime client(s) did not reconnect`);
  }
  if (spec.dependency && m.readiness) {
    if (m.readiness.readyWhileDown > 0) failures.push(`readiness answered ready ${plural(m.readiness.readyWhileDown, "time")} while ${spec.dependency} was down`);
    if (m.readiness.livenessFailures > 0) failures.push(`liveness failed ${plural(m.readiness.livenessFailures, "time")} while ${spec.dependency} was down`);
  }
  return { ok: failures.length === 0, failures };
}

/** The run's verdict: every fault's, plus what no single fault owns (warm-up, balances, the outbox). */
export function resilienceVerdict(result: Pick<ResilienceResult, "faults" | "totals">): FaultVerdict {
  const failures = result.faults.flatMap((f) => f.verdict.failures.map((failure) => `${f.name}: ${failure}`));
  const { totals, faults } = result;
  const attributed = (pick: (f: FaultResult) => number) => faults.reduce((sum, f) => sum + pick(f), 0);
  const rest = [
    ["task(s) lost", totals.lost - attributed((f) => f.lost)],
    ["task effect(s) applied twice", totals.duplicated - attributed((f) => f.duplicated)],
    ["committed write(s) missing", totals.missingWrites - attributed((f) => f.missingWrites)],
    ["extra row(s) from retried Idempotency-Keys", totals.duplicateWrites - attributed((f) => f.duplicateWrites)],
  ] as const;
  for (const [what, n] of rest) if (n > 0) failures.push(`outside any fault (warm-up): ${n} ${what}`);
  if (totals.unbalancedAccounts > 0) failures.push(`${plural(totals.unbalancedAccounts, "account")} whose balance differs from the sum of its transactions`);
  if (totals.outboxLeft > 0) failures.push(`${plural(totals.outboxLeft, "outbox row")} (follow-ups of committed writes) never ran`);
  if (faults.length === 0) failures.push("no fault ran");
  return { ok: failures.length === 0, failures };
}

/** The resilience failures for the run's exit code, prefixed like the other scenarios'. */
export function resilienceFailures(result: ResilienceResult | undefined): string[] {
  return result ? result.verdict.failures.map((f) => `resilience: ${f}`) : [];
}
