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
  /** Open model only: the generator started (nearly) every request on time. */
  readonly onTimeOk?: boolean;
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
 * Open model: a request that starts more than this long after its intended start was not started
 * on time. Its latency is still measured from the intended start (coordinated omission), but when
 * more than `SLO.maxErrorRate` of a step's requests start late or are dropped (no free VU, k6's
 * dropped iterations), the generator could not offer the load and the step counts as broken.
 */
export const GENERATOR_LATE_MS = 100;

/**
 * The verdict on one offered-rate step: P95 measured from intended starts, errors including the
 * requests the generator dropped, and the share it could not start on time (dropped or late).
 */
export function openStepVerdict(p95Ms: number, errorRate: number, notOnTimeRate: number): SloVerdict {
  const base = sloVerdict(p95Ms, errorRate);
  const onTimeOk = notOnTimeRate < SLO.maxErrorRate;
  const reason = [base.reason, onTimeOk ? "" : `${(notOnTimeRate * 100).toFixed(2)} % of requests not started on time`].filter(Boolean).join("; ");
  return { ...base, onTimeOk, ok: base.ok && onTimeOk, reason };
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
