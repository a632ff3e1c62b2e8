/**
 * What the k6 script needs, as pure functions (tested here, bundled into the script by esbuild):
 * the k6 options for a scenario (ramping VUs, SLO thresholds per stage), the stage a moment falls
 * in, and the conversion of k6's end-of-test summary into our results format.
 */
import type { HttpScenario } from "../scenarios";
import { scenarioTotals, SLO, sloVerdict } from "../slo";

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
