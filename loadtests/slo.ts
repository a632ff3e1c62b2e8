/**
 * The study's SLOs and the verdict on a measurement. Imports only the contract (plain data): the
 * k6 scripts bundle it.
 */
import { errorBudgetRate, latencyPercentile, STUDY_SLO } from "../contract/slo";

/** Defined before the experiments (contract/slo.ts): P95 <= 300 ms, errors < 0.5 %, availability >= 99.5 %. */
export const SLO = {
  /** The latency percentile the objective speaks of (95 for P95) and its bound, in ms. */
  percentile: latencyPercentile(STUDY_SLO.latencyObjective),
  p95Ms: STUDY_SLO.latencyThresholdMs,
  /** Failed requests / all requests. */
  maxErrorRate: errorBudgetRate(STUDY_SLO.availabilityObjective),
  availability: STUDY_SLO.availabilityObjective,
} as const;

/** The SLO in words, e.g. "P95 <= 300 ms, errors < 0.5 %". */
export function sloText(): string {
  return `P${SLO.percentile} <= ${SLO.p95Ms} ms, errors < ${+(SLO.maxErrorRate * 100).toFixed(3)} %`;
}

export interface SloVerdict {
  readonly latencyOk: boolean;
  readonly errorsOk: boolean;
  readonly ok: boolean;
  /** Why the SLO failed, for people. Empty when it held. */
  readonly reason: string;
}

export function sloVerdict(p95Ms: number, errorRate: number): SloVerdict {
  const latencyOk = p95Ms <= SLO.p95Ms;
  const errorsOk = errorRate < SLO.maxErrorRate;
  const reasons = [
    latencyOk ? "" : `P95 ${p95Ms.toFixed(0)} ms > ${SLO.p95Ms} ms`,
    errorsOk ? "" : `errors ${(errorRate * 100).toFixed(2)} % >= ${SLO.maxErrorRate * 100} %`,
  ].filter(Boolean);
  return { latencyOk, errorsOk, ok: latencyOk && errorsOk, reason: reasons.join("; ") };
}

/**
 * A scenario's whole-run figures from its stages: mean throughput over the planned load time,
 * error rate, and the VUs of the first stage whose SLO broke (null when it held throughout).
 */
export function scenarioTotals(
  stages: readonly { readonly vus: number; readonly requests: number; readonly errors: number; readonly slo: SloVerdict }[],
  planned: readonly { readonly durationSeconds: number }[],
): { meanRps: number; errorRate: number; sloBrokeAtVus: number | null } {
  const requests = stages.reduce((sum, s) => sum + s.requests, 0);
  const errors = stages.reduce((sum, s) => sum + s.errors, 0);
  const loadSeconds = planned.reduce((sum, s) => sum + s.durationSeconds, 0);
  const broken = stages.find((s) => !s.slo.ok);
  return { meanRps: loadSeconds === 0 ? 0 : requests / loadSeconds, errorRate: requests === 0 ? 0 : errors / requests, sloBrokeAtVus: broken ? broken.vus : null };
}
