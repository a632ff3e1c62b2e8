/** Results fixtures for the aggregation and report tests. */
import type { AsyncScenarioResult, HttpScenarioResult, StageResult, Summary } from "../results";
import { withVerdict } from "../results";

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
    drainSeconds: 4,
    tasksPerSecond: 500,
    lost: 0,
    duplicated: 0,
    timeline: [0, 1, 2, 3, 4].map((t) => ({ t, completed: t * 500 })),
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
