/**
 * The study's service level objectives, defined before the experiments: P95 <= 300 ms, errors
 * < 0.5 %, availability >= 99.5 %. The environments' SLO specs (and through them the SLO resources,
 * burn-rate alerts and dashboard lines), the experiment's verdicts and the benchmarks' SLO checks
 * all derive from these numbers.
 */
export const STUDY_SLO = {
  /** A request is fast when it is answered within this many milliseconds... */
  latencyThresholdMs: 300,
  /** ...and at least this share of requests must be fast: P95 <= 300 ms. */
  latencyObjective: 0.95,
  /** Share of requests that must not fail (5xx, or any error in a load test). */
  availabilityObjective: 0.995,
} as const;

/** The error rate an availability objective allows: 1 - objective (0.5 % for 99.5 %). */
export function errorBudgetRate(availabilityObjective: number = STUDY_SLO.availabilityObjective): number {
  return Math.round((1 - availabilityObjective) * 1e9) / 1e9;
}

/** The percentile a latency objective speaks of: 95 for 0.95. */
export function latencyPercentile(latencyObjective: number = STUDY_SLO.latencyObjective): number {
  return Math.round(latencyObjective * 1000) / 10;
}
