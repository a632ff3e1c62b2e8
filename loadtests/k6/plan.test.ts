import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioFor, type HttpScenario } from "../scenarios";
import { bundleK6Script } from "./bundle";
import { arrivalStepFromSummary, arrivalStepPlan, k6ArrivalOptions, k6Options, scenarioFromSummary, stageAt, stageEnds, stageMetric } from "./plan";

const mixed = scenarioFor("mixed", "quick") as HttpScenario;

describe("k6 plan", () => {
  it("steps ramping VUs through the stages", () => {
    const options = k6Options(mixed);
    const stages = options.scenarios.load.stages;
    expect(stages).toHaveLength(mixed.stages.length * 2);
    expect(stages.filter((_, i) => i % 2 === 1).map((s) => s.target)).toEqual(mixed.stages.map((s) => s.vus));
    expect(options.scenarios.load.executor).toBe("ramping-vus");
  });

  it("sets the SLO thresholds overall and per stage", () => {
    const { thresholds } = k6Options(mixed);
    expect(thresholds.http_req_duration).toEqual(["p(95)<300"]);
    expect(thresholds.http_req_failed).toEqual(["rate<0.005"]);
    expect(thresholds["http_req_duration{stage:3}"]).toEqual(["p(95)<300"]);
    expect(Object.keys(thresholds)).toHaveLength(2 + 3 * mixed.stages.length);
  });

  it("finds the stage of a moment", () => {
    const ends = stageEnds({ ...mixed, stages: [{ vus: 1, durationSeconds: 10 }, { vus: 2, durationSeconds: 5 }] });
    expect(ends).toEqual([10, 15]);
    expect(stageAt(ends, 0)).toBe(0);
    expect(stageAt(ends, 9.9)).toBe(0);
    expect(stageAt(ends, 10)).toBe(1);
    expect(stageAt(ends, 99)).toBe(1);
  });

  it("turns k6's summary into our results format with SLO verdicts", () => {
    const two: HttpScenario = { ...mixed, stages: [{ vus: 50, durationSeconds: 10 }, { vus: 100, durationSeconds: 10 }] };
    const metrics: Record<string, { values: Record<string, number> }> = {
      http_req_duration: { values: { "p(95)": 250 } },
      [stageMetric("http_req_duration", 0)]: { values: { med: 20, "p(95)": 80, "p(99)": 120 } },
      [stageMetric("http_req_failed", 0)]: { values: { rate: 0 } },
      [stageMetric("http_reqs", 0)]: { values: { count: 480 } },
      [stageMetric("http_req_duration", 1)]: { values: { med: 90, "p(95)": 420, "p(99)": 900 } },
      [stageMetric("http_req_failed", 1)]: { values: { rate: 0.01 } },
      [stageMetric("http_reqs", 1)]: { values: { count: 900 } },
    };
    const result = scenarioFromSummary(two, { metrics });
    expect(result.stages[0]).toMatchObject({ vus: 50, requests: 480, rps: 48, p50: 20, p95: 80, p99: 120, errors: 0, slo: { ok: true } });
    expect(result.stages[1]).toMatchObject({ requests: 900, errors: 9, slo: { ok: false, reason: "P95 420 ms > 300 ms; errors 1.00 % >= 0.5 %" } });
    expect(result.sloBrokeAtVus).toBe(100);
    expect(result.meanRps).toBeCloseTo(1380 / 20);
  });

  it("runs a knee-search step as ramping-arrival-rate from the same definitions: the step's rate, pre-allocated and max VUs", () => {
    const capacity = scenarioFor("mixed", "capacity") as HttpScenario;
    const step = arrivalStepPlan(capacity.open!, 2000);
    const load = k6ArrivalOptions(step).scenarios.load;
    expect(load).toMatchObject({ executor: "ramping-arrival-rate", startRate: 2000, timeUnit: "1s", preAllocatedVUs: capacity.open!.preAllocatedVus, maxVUs: capacity.open!.maxVus });
    expect(load.stages).toEqual([{ duration: `${capacity.open!.stepSeconds}s`, target: 2000 }]);
  });

  it("counts k6's dropped iterations as failures of the step", () => {
    const step = { rps: 1000, seconds: 8, preAllocatedVus: 10, maxVus: 100 };
    const metrics = {
      http_req_duration: { values: { med: 12, "p(95)": 90, "p(99)": 200 } },
      http_reqs: { values: { count: 7900 } },
      http_req_failed: { values: { rate: 0.01 } },
      dropped_iterations: { values: { count: 100 } },
      vus_max: { values: { max: 100 } },
    };
    const result = arrivalStepFromSummary(step, { metrics }, 1, 42);
    expect(result).toMatchObject({ ladder: 1, rps: 1000, startedAt: 42, offered: 8000, completed: 7900, dropped: 100, errors: 79 + 100, peakInFlight: 100, late: 0 });
    expect(result.errorRate).toBeCloseTo(179 / 8000);
    expect(result.achievedRps).toBeCloseTo((7900 - 79) / 8);
    expect(result.slo).toMatchObject({ ok: false, latencyOk: true, errorsOk: false, onTimeOk: false });
    expect(arrivalStepFromSummary(step, { metrics: { ...metrics, http_req_failed: { values: { rate: 0 } }, dropped_iterations: undefined } }, 0, 0).slo.ok).toBe(true);
  });

  it("bundles into one ES module that imports only k6's own modules", async () => {
    const dir = await mkdtemp(join(tmpdir(), "k6-"));
    try {
      const file = await bundleK6Script(join(dir, "script.js"));
      const source = await readFile(file, "utf8");
      const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports.sort()).toEqual(["k6", "k6/execution", "k6/http"]);
      expect(source).toMatch(/export \{[^}]*handleSummary/);
      expect(source).toContain("ramping-vus");
      expect(source).toContain("ramping-arrival-rate");
      expect(source).not.toMatch(/require\(/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
