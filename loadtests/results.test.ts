import { describe, expect, it } from "vitest";
import { combineHttpResults, estimateScenario, failures, mergeDrains } from "./results";
import { arrivalStep, asyncResult, drain, httpResult, openModel, stage } from "./test-support/fixtures";

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

describe("open-model results", () => {
  const knee = (held: number) => combineHttpResults("read", undefined, openModel([arrivalStep(held, 50), arrivalStep(held * 2, 900)]));

  it("gives the knee a mean and 95 % CI across repeated runs", () => {
    const e = estimateScenario([knee(9000), knee(10_000), knee(11_000)]);
    expect(e.knee?.mean).toBeCloseTo(10_000);
    expect(e.knee?.n).toBe(3);
    // t(0.975, 2) = 4.303, s = 1,000: half-width 4.303 x 1,000 / sqrt(3)
    expect(e.knee?.ci95).toBeCloseTo((4.303 * 1000) / Math.sqrt(3), 0);
  });

  it("never counts a knee search's broken steps as a failed run (they break on purpose)", () => {
    expect(failures([knee(1000)])).toEqual([]);
  });

  it("takes an open-only scenario's headline figures from the steps and the knee", () => {
    const result = knee(1000);
    expect(result.stages).toEqual([]);
    expect(result.p95).toBe(50);
    expect(result.knee).toMatchObject({ heldRps: 1000, brokeAtRps: 2000 });
    expect(result.meanRps).toBeCloseTo((1000 + 2000) / 2);
  });

  it("keeps every async batch and fails the run if any batch lost a task", () => {
    const merged = mergeDrains([drain(1, 1000), { ...drain(2, 1500), lost: 2, ok: false }]);
    expect(merged.tasksPerSecond).toBe(1000);
    expect(merged.drains).toHaveLength(2);
    expect(merged.ok).toBe(false);
  });
});
