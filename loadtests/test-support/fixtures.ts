/** Results fixtures for the aggregation and report tests. */
import { kneeOf } from "../node/arrival-runner";
import type { ArrivalStepResult, AsyncDrain, AsyncScenarioResult, HttpScenarioResult, OpenModelResult, StageResult, Summary } from "../results";
import { combineHttpResults, mergeDrains, withVerdict } from "../results";
import { PAPER_SCENARIOS, type ArrivalSearch } from "../scenarios";
import { openStepVerdict } from "../slo";

export function stage(vus: number, p95: number, rps: number, errorRate = 0): StageResult {
  const requests = Math.round(rps * 10);
  return withVerdict({ vus, durationSeconds: 10, requests, errors: Math.round(requests * errorRate), rps, p50: p95 / 3, p95, p99: p95 * 2, errorRate });
}

export function httpResult(name: "read" | "mixed", stages: StageResult[]): HttpScenarioResult {
  const broken = stages.find((s) => !s.slo.ok);
  return {
    name,
    stages,
    meanRps: stages.reduce((sum, s) => sum + s.rps, 0) / stages.length,
    peakRps: Math.max(...stages.map((s) => s.rps)) * 1.1,
    p95: Math.max(...stages.map((s) => s.p95)),
    errorRate: 0,
    sloBrokeAtVus: broken ? broken.vus : null,
    timeline: stages.map((s, i) => ({ t: i * 10, vus: s.vus, requests: s.requests, errors: s.errors, p95: s.p95 })),
    generator: { tool: "node", wallSeconds: 30, cpuSeconds: 6, cpuPercentOfOneCore: 20, peakRssMb: 120 },
  };
}

export function asyncResult(overrides: Partial<AsyncScenarioResult> = {}): AsyncScenarioResult {
  return {
    name: "async",
    tasks: 2000,
    publishSeconds: 2,
    publishRate: 1000,
    drainMode: "after-publish",
    drainStartedAt: 2,
    drainSeconds: 4,
    tasksPerSecond: 500,
    workerInstances: 1,
    lost: 0,
    duplicated: 0,
    timeline: [0, 2, 3, 4, 5, 6].map((t) => ({ t, completed: Math.max(0, t - 2) * 500 })),
    ok: true,
    ...overrides,
  };
}

export function summary(overrides: Partial<Summary> = {}): Summary {
  const scenarios = [
    httpResult("read", [stage(30, 12.5, 29), stage(120, 20, 118), stage(200, 35, 195)]),
    httpResult("mixed", [stage(10, 30, 9.8), stage(70, 120, 68), stage(130, 420, 110)]),
    asyncResult(),
  ];
  return {
    environment: "local",
    profile: "smoke",
    baseUrl: "http://127.0.0.1:8080",
    startedAt: "2026-11-22T10:00:00.000Z",
    finishedAt: "2026-11-22T10:01:10.000Z",
    capacity: { apiInstances: 2, vcpusPerInstance: 1 },
    machine: { hostname: "ci", platform: "linux x64", cpus: 2, cpuModel: "Test CPU", memoryGb: 24 },
    versions: { node: "v20.20.2", app: "0.1.0" },
    scenarios,
    runs: [scenarios],
    verdict: { ok: false, failures: ["mixed @ 130 VUs: P95 420 ms > 300 ms"] },
    ...overrides,
  };
}

/** One offered-rate step: `rps` offered for 8 s, answered with this P95 and error rate. */
export function arrivalStep(rps: number, p95: number, options: { errorRate?: number; ladder?: number; late?: number; generatorCpuShare?: number; startedAt?: number } = {}): ArrivalStepResult {
  const offered = rps * 8;
  const errorRate = options.errorRate ?? 0;
  const late = options.late ?? 0;
  const errors = Math.round(offered * errorRate);
  return {
    ladder: options.ladder ?? 0,
    rps,
    startedAt: options.startedAt ?? 0,
    durationSeconds: 8,
    offered,
    completed: offered,
    achievedRps: (offered - errors) / 8,
    errors,
    dropped: 0,
    late,
    p50: p95 / 4,
    p95,
    p99: p95 * 2,
    serviceP95: p95 * 0.9,
    errorRate,
    notOnTimeRate: late / offered,
    peakInFlight: Math.round(rps / 50),
    generatorCpuShare: options.generatorCpuShare ?? rps / 40_000,
    machineCpuShare: 0.5,
    slo: openStepVerdict(p95, errorRate, late / offered),
  };
}

/** A knee search's result from its steps (knee and warnings derived as the runner derives them). */
export function openModel(steps: ArrivalStepResult[], search: ArrivalSearch = PAPER_SCENARIOS.read.open): OpenModelResult {
  const timed = steps.map((s, i) => ({ ...s, startedAt: i * 9 }));
  const { knee, warnings } = kneeOf(timed, search);
  const timeline = timed.flatMap((s) =>
    Array.from({ length: 8 }, (_, i) => ({ t: s.startedAt + i + 1, targetRps: s.rps, offered: s.rps, achieved: s.achievedRps, errors: s.errors / 8, p95: s.p95, inFlight: s.peakInFlight })),
  );
  return { search, startedAtMs: Date.parse("2026-11-22T10:00:00.000Z"), steps: timed, knee, timeline, warnings, generator: { tool: "node", wallSeconds: 60, cpuSeconds: 12, cpuPercentOfOneCore: 20, peakRssMb: 150 } };
}

export function drain(workers: number, tasksPerSecond: number): AsyncDrain {
  const tasks = 20_000;
  const drainSeconds = tasks / tasksPerSecond;
  return {
    tasks,
    publishSeconds: 10,
    publishRate: 2000,
    drainMode: "after-publish",
    drainStartedAt: 10,
    drainSeconds,
    tasksPerSecond,
    workerInstances: workers,
    lost: 0,
    duplicated: 0,
    timeline: [{ t: 0, completed: 0 }, { t: 10, completed: 0 }, { t: 10 + drainSeconds / 2, completed: tasks / 2 }, { t: 10 + drainSeconds, completed: tasks }],
    ok: true,
  };
}

/** A capacity-profile run: knees for read (12,000 held, 13,900 broke) and mixed (2,600 held, 3,000 broke), drains at 1 and 2 workers, speedup at 1 and 2 api instances. */
export function capacitySummary(overrides: Partial<Summary> = {}): Summary {
  const read = combineHttpResults("read", undefined, openModel([arrivalStep(1000, 3), arrivalStep(2000, 3), arrivalStep(4000, 4), arrivalStep(8000, 9), arrivalStep(16000, 900, { errorRate: 0.2 }), arrivalStep(9514, 12, { ladder: 1 }), arrivalStep(11314, 30, { ladder: 1 }), arrivalStep(12000, 80, { ladder: 1 }), arrivalStep(13900, 420, { ladder: 1 })]));
  const mixed = combineHttpResults("mixed", undefined, openModel([arrivalStep(250, 5), arrivalStep(500, 6), arrivalStep(1000, 8), arrivalStep(2000, 20), arrivalStep(4000, 2000, { errorRate: 0.3 }), arrivalStep(2600, 60, { ladder: 1 }), arrivalStep(3000, 310, { ladder: 1 })], PAPER_SCENARIOS.mixed.open));
  const scenarios = [read, mixed, mergeDrains([drain(1, 1200), drain(2, 1500)])];
  return {
    ...summary(),
    profile: "capacity",
    capacity: { apiInstances: 1, vcpusPerInstance: 1, workerInstances: [1, 2] },
    placement: "load generator on CPU 0; api instance(s) on CPU 1",
    scenarios,
    runs: [scenarios],
    speedup: [
      { instances: 1, scenario: "read", knee: read.knee!, fixedLoad: { rps: 9600, achievedRps: 9600, p95: 40, errorRate: 0, held: true }, scaledLoad: { rps: 9600, achievedRps: 9600, p95: 40, errorRate: 0, held: true } },
      { instances: 2, scenario: "read", knee: { ...read.knee!, heldRps: 15000 }, fixedLoad: { rps: 9600, achievedRps: 9600, p95: 15, errorRate: 0, held: true }, scaledLoad: { rps: 19200, achievedRps: 16000, p95: 900, errorRate: 0.1, held: false } },
    ],
    verdict: { ok: true, failures: [] },
    ...overrides,
  };
}
