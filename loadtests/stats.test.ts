import { describe, expect, it } from "vitest";
import { scenarioTotals } from "./slo";
import { estimate, LatencyHistogram, mean, median, sampleStdDev, SLO, sloVerdict } from "./stats";

describe("LatencyHistogram", () => {
  it("returns percentiles within 0.1 % of the exact order statistic", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.recordMs(i / 10); // 0.1 ms .. 1000 ms, uniform
    expect(h.count).toBe(10_000);
    expect(h.percentileMs(50)).toBeCloseTo(500, -0.3);
    expect(Math.abs(h.percentileMs(95) - 950) / 950).toBeLessThan(0.002);
    expect(Math.abs(h.percentileMs(99) - 990) / 990).toBeLessThan(0.002);
    expect(h.maxMs()).toBeCloseTo(1000, 0);
  });

  it("is empty-safe and merges", () => {
    const a = new LatencyHistogram();
    expect(a.percentileMs(95)).toBe(0);
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i++) a.recordMs(10);
    for (let i = 0; i < 100; i++) b.recordMs(1000);
    a.add(b);
    expect(a.count).toBe(200);
    expect(a.percentileMs(25)).toBeCloseTo(10, 0);
    expect(a.percentileMs(75)).toBeCloseTo(1000, -1);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones, whatever the order", () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe("confidence intervals", () => {
  it("uses Student's t with n-1 degrees of freedom", () => {
    // mean 10, s = 1.1547, n = 4: t(0.975, 3) = 3.1824 -> half-width 3.1824 * s / sqrt(4)
    expect(sampleStdDev([9, 11, 9, 11])).toBeCloseTo(1.1547, 4);
    const e = estimate([9, 11, 9, 11]);
    expect(e.mean).toBe(10);
    expect(e.ci95).toBeCloseTo((3.1824 * 1.1547) / 2, 3);
    expect(e.n).toBe(4);
    expect(mean([9, 10, 11, 10])).toBe(10);
  });

  it("has no interval for a single run", () => {
    expect(estimate([42])).toEqual({ mean: 42, ci95: 0, n: 1 });
  });

  it("narrows as runs are added", () => {
    const few = estimate([100, 110, 90]);
    const many = estimate([100, 110, 90, 100, 110, 90, 100, 110, 90]);
    expect(many.ci95).toBeLessThan(few.ci95);
  });
});

describe("SLO verdicts", () => {
  it("holds at the boundary of P95 and below the error budget", () => {
    expect(sloVerdict(SLO.p95Ms, 0.0049)).toEqual({ latencyOk: true, errorsOk: true, ok: true, reason: "" });
  });

  it("names what broke", () => {
    expect(sloVerdict(301, 0).reason).toBe("P95 301 ms > 300 ms");
    expect(sloVerdict(10, 0.005)).toMatchObject({ ok: false, errorsOk: false, reason: "errors 0.50 % >= 0.5 %" });
    expect(sloVerdict(658, 0.01).reason).toBe("P95 658 ms > 300 ms; errors 1.00 % >= 0.5 %");
  });

  it("totals a scenario: mean over the planned load time, error rate, first stage that broke", () => {
    const stage = (vus: number, requests: number, errors: number, p95: number) => ({ vus, requests, errors, slo: sloVerdict(p95, errors / requests) });
    const stages = [stage(100, 1000, 0, 50), stage(300, 3000, 3, 320), stage(539, 5000, 60, 700)];
    expect(scenarioTotals(stages, [{ durationSeconds: 10 }, { durationSeconds: 10 }, { durationSeconds: 20 }])).toEqual({ meanRps: 225, errorRate: 63 / 9000, sloBrokeAtVus: 300 });
    expect(scenarioTotals(stages.slice(0, 1), [{ durationSeconds: 10 }]).sloBrokeAtVus).toBeNull();
    expect(scenarioTotals([], [])).toEqual({ meanRps: 0, errorRate: 0, sloBrokeAtVus: null });
  });
});
