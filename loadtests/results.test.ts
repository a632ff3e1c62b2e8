import { describe, expect, it } from "vitest";
import { estimateScenario, failures } from "./results";
import { asyncResult, httpResult, stage } from "./test-support/fixtures";

describe("failures", () => {
  it("lists every broken stage and any lost or duplicated task, and nothing when all held", () => {
    const ok = [httpResult("read", [stage(10, 50, 10)]), asyncResult()];
    expect(failures(ok)).toEqual([]);
    const bad = [httpResult("mixed", [stage(10, 50, 10), stage(20, 350, 20), stage(30, 80, 30, 0.01)]), asyncResult({ lost: 3, duplicated: 1, ok: false })];
    expect(failures(bad)).toEqual([
      "mixed @ 20 VUs: P95 350 ms > 300 ms",
      "mixed @ 30 VUs: errors 1.00 % >= 0.5 %",
      "async: 3 task(s) lost",
      "async: 1 effect(s) applied twice",
    ]);
  });
});

describe("estimateScenario", () => {
  it("averages each stage across runs with a 95 % interval", () => {
    const runs = [100, 110, 90].map((p95) => httpResult("read", [stage(10, p95, 50), stage(20, p95 * 2, 90)]));
    const e = estimateScenario(runs);
    expect(e.stages).toHaveLength(2);
    expect(e.stages![0]!.p95.mean).toBeCloseTo(100);
    expect(e.stages![1]!.p95.mean).toBeCloseTo(200);
    expect(e.stages![0]!.p95.ci95).toBeGreaterThan(0);
    expect(e.stages![0]!.rps.ci95).toBe(0);
  });

  it("estimates the async drain rate", () => {
    const e = estimateScenario([asyncResult({ tasksPerSecond: 400 }), asyncResult({ tasksPerSecond: 600 })]);
    expect(e.tasksPerSecond?.mean).toBe(500);
    expect(e.tasksPerSecond?.n).toBe(2);
  });
});
