/**
 * The study's SLOs and the verdict on a measurement. Dependency-free: the k6 scripts bundle it.
 */

/** Defined before the experiments: P95 <= 300 ms, errors < 0.5 %, availability >= 99.5 %. */
export const SLO = {
  /** 95th percentile latency, in ms. */
  p95Ms: 300,
  /** Failed requests / all requests. */
  maxErrorRate: 0.005,
  availability: 0.995,
} as const;

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
