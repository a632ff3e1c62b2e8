/**
 * What the k6 script needs, as pure functions (tested here, bundled into the script by esbuild):
 * the k6 options for a scenario (ramping VUs, SLO thresholds per stage), the stage a moment falls
 * in, and the conversion of k6's end-of-test summary into our results format.
 */
import type { ArrivalSearch, HttpScenario } from "../scenarios";
import { openStepVerdict, scenarioTotals, SLO, sloVerdict } from "../slo";

/** Seconds at which each stage ends, from the start of the load. */
export function stageEnds(scenario: HttpScenario): number[] {
  let t = 0;
  return scenario.stages.map((stage) => (t += stage.durationSeconds));
}

/** Index of the stage running `elapsedSeconds` after the load started (the last one after the end). */
export function stageAt(ends: readonly number[], elapsedSeconds: number): number {
  const index = ends.findIndex((end) => elapsedSeconds < end);
  return index === -1 ? ends.length - 1 : index;
}

/** Per-stage metric names k6 reports when thresholds reference the `stage` tag. */
export const stageMetric = (metric: "http_req_duration" | "http_req_failed" | "http_reqs", stage: number) => `${metric}{stage:${stage}}`;

/**
 * k6 options: one `ramping-vus` scenario stepping through the stages (a one-second ramp to each
 * level, then holding it), SLO thresholds overall and per stage (per-stage thresholds also make
 * k6 report per-stage percentiles, which the summary conversion reads).
 */
export function k6Options(scenario: HttpScenario) {
  const thresholds: Record<string, string[]> = {
    http_req_duration: [`p(95)<${SLO.p95Ms}`],
    http_req_failed: [`rate<${SLO.maxErrorRate}`],
  };
  scenario.stages.forEach((_, i) => {
    thresholds[stageMetric("http_req_duration", i)] = [`p(95)<${SLO.p95Ms}`];
    thresholds[stageMetric("http_req_failed", i)] = [`rate<${SLO.maxErrorRate}`];
    thresholds[stageMetric("http_reqs", i)] = ["count>=0"];
  });
  return {
    scenarios: {
      load: {
        executor: "ramping-vus",
        startVUs: 0,
        stages: scenario.stages.flatMap((stage) => [
          { duration: "1s", target: stage.vus },
          { duration: `${Math.max(1, Math.round(stage.durationSeconds - 1))}s`, target: stage.vus },
        ]),
        gracefulRampDown: "5s",
        gracefulStop: "10s",
      },
    },
    thresholds,
    summaryTrendStats: ["med", "p(95)", "p(99)", "avg", "max"],
    discardResponseBodies: true,
    setupTimeout: "10m",
  };
}

/** The parts of k6's summary data (`handleSummary(data)`) that the conversion reads. */
export interface K6SummaryData {
  readonly metrics: Record<string, { readonly values: Record<string, number> } | undefined>;
  readonly state?: { readonly testRunDurationMs?: number };
}

/** Per-stage results from a k6 summary, in the same shape as the Node runner's stages. */
export function stagesFromSummary(scenario: HttpScenario, data: K6SummaryData) {
  return scenario.stages.map((stage, i) => {
    const duration = data.metrics[stageMetric("http_req_duration", i)]?.values ?? {};
    const failed = data.metrics[stageMetric("http_req_failed", i)]?.values ?? {};
    const requests = data.metrics[stageMetric("http_reqs", i)]?.values.count ?? 0;
    const errorRate = failed.rate ?? 0;
    const p95 = duration["p(95)"] ?? 0;
    return {
      vus: stage.vus,
      durationSeconds: stage.durationSeconds,
      requests,
      errors: Math.round(errorRate * requests),
      rps: requests / stage.durationSeconds,
      p50: duration.med ?? 0,
      p95,
      p99: duration["p(99)"] ?? 0,
      errorRate,
      slo: sloVerdict(p95, errorRate),
    };
  });
}

/** The whole-scenario figures from a k6 summary (the per-second peak comes from the CSV output). */
export function scenarioFromSummary(scenario: HttpScenario, data: K6SummaryData) {
  const stages = stagesFromSummary(scenario, data);
  const { meanRps, errorRate, sloBrokeAtVus } = scenarioTotals(stages, scenario.stages);
  return {
    name: scenario.name,
    stages,
    meanRps,
    peakRps: 0,
    p95: data.metrics.http_req_duration?.values["p(95)"] ?? 0,
    errorRate,
    sloBrokeAtVus,
    timeline: [],
  };
}

/** One offered-rate step of the knee search, as one k6 run. */
export interface ArrivalStepPlan {
  readonly rps: number;
  readonly seconds: number;
  readonly preAllocatedVus: number;
  readonly maxVus: number;
}

export function arrivalStepPlan(search: Pick<ArrivalSearch, "stepSeconds" | "preAllocatedVus" | "maxVus">, rps: number): ArrivalStepPlan {
  return { rps, seconds: search.stepSeconds, preAllocatedVus: search.preAllocatedVus, maxVus: search.maxVus };
}

/**
 * k6 options for one step of the open model: a `ramping-arrival-rate` scenario that starts at the
 * step's rate and holds it (as the Node runner does), with at most `maxVus` VUs. An iteration
 * that finds no free VU is not started and k6 counts it in `dropped_iterations`, which the
 * conversion below adds to the failures.
 */
export function k6ArrivalOptions(step: ArrivalStepPlan) {
  return {
    scenarios: {
      load: {
        executor: "ramping-arrival-rate",
        startRate: step.rps,
        timeUnit: "1s",
        preAllocatedVUs: Math.min(step.preAllocatedVus, step.maxVus),
        maxVUs: step.maxVus,
        stages: [{ duration: `${step.seconds}s`, target: step.rps }],
        gracefulStop: "10s",
      },
    },
    summaryTrendStats: ["med", "p(95)", "p(99)", "avg", "max"],
    discardResponseBodies: true,
    setupTimeout: "10m",
  };
}

/**
 * One step's results from k6's summary, in the Node runner's shape. k6 measures latency from the
 * moment a request is sent; its arrival-rate executor starts iterations on schedule while VUs are
 * free and drops the rest, so the omission shows up as dropped iterations (counted as failures)
 * rather than as latency. It has no notion of a late start, so `late` is 0 and "P95 from send" is
 * the same P95.
 */
export function arrivalStepFromSummary(step: ArrivalStepPlan, data: K6SummaryData, ladder: number, startedAt: number) {
  const duration = data.metrics.http_req_duration?.values ?? {};
  const completed = data.metrics.http_reqs?.values.count ?? 0;
  const failedRate = data.metrics.http_req_failed?.values.rate ?? 0;
  const failed = Math.round(failedRate * completed);
  const dropped = data.metrics.dropped_iterations?.values.count ?? 0;
  const offered = completed + dropped;
  const errors = failed + dropped;
  const errorRate = offered === 0 ? 0 : errors / offered;
  const notOnTimeRate = offered === 0 ? 0 : dropped / offered;
  const p95 = duration["p(95)"] ?? 0;
  return {
    ladder,
    rps: step.rps,
    startedAt,
    durationSeconds: step.seconds,
    offered,
    completed,
    achievedRps: (completed - failed) / step.seconds,
    errors,
    dropped,
    late: 0,
    p50: duration.med ?? 0,
    p95,
    p99: duration["p(99)"] ?? 0,
    serviceP95: p95,
    errorRate,
    notOnTimeRate,
    peakInFlight: data.metrics.vus_max?.values.max ?? data.metrics.vus?.values.max ?? 0,
    generatorCpuShare: 0,
    slo: openStepVerdict(p95, errorRate, notOnTimeRate),
  };
}
