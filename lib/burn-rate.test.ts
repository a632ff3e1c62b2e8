import { describe, expect, it } from "vitest";
import { burnRateConditions, burnRateThreshold, DEFAULT_BURN_RATE_WINDOWS, hoursToExhaustion, MAX_BURN_RATE_LOOKBACK_HOURS } from "./burn-rate";

describe("burn-rate thresholds", () => {
  it("match the platform notes' table for a 30-day SLO: 14.4, 6, 3", () => {
    expect(DEFAULT_BURN_RATE_WINDOWS.map((w) => burnRateThreshold(w, 30))).toEqual([14.4, 6, 3].map((n) => expect.closeTo(n, 10)));
  });

  it("scale by 28/30 for a 28-day SLO", () => {
    const thresholds = DEFAULT_BURN_RATE_WINDOWS.map((w) => burnRateThreshold(w, 28));
    expect(thresholds).toEqual([14.4, 6, 3].map((n) => expect.closeTo((n * 28) / 30, 10)));
    expect(thresholds[0]).toBeCloseTo(13.44, 10);
  });

  it("pairs each long window with a short window of 1/12 and lookbacks in seconds", () => {
    const conditions = burnRateConditions(30);
    const [fast, slow, day] = conditions;
    expect(conditions).toHaveLength(3);
    expect(fast).toMatchObject({ longLookback: "3600s", shortLookback: "300s", window: { severity: "page" } });
    expect(slow).toMatchObject({ longLookback: "21600s", shortLookback: "1800s", window: { severity: "page" } });
    expect(day).toMatchObject({ longLookback: "86400s", shortLookback: "7200s", window: { severity: "ticket" } });
    for (const c of conditions) expect(c.window.shortWindowMinutes * 12).toBe(c.window.longWindowHours * 60);
  });

  it("alerts before the budget is gone: a page-level burn empties a 30-day budget in about 2 days", () => {
    expect(hoursToExhaustion(14.4, 30)).toBeCloseTo(50, 6);
    expect(hoursToExhaustion(1, 30)).toBe(720);
  });

  it("refuses nonsense", () => {
    expect(() => burnRateThreshold({ budgetFraction: 0, longWindowHours: 1 }, 30)).toThrow(/budgetFraction/);
    expect(() => burnRateThreshold({ budgetFraction: 0.1, longWindowHours: 72 }, 2)).toThrow(/longer than the 2-day SLO period/);
  });

  it("refuses lookbacks Cloud Monitoring rejects (over 24 h), naming the limit and the alternative", () => {
    expect(() => burnRateThreshold({ budgetFraction: 0.1, longWindowHours: 72 }, 30)).toThrow(/72 h window is longer than the 24 h .*select_slo_burn_rate.*error budget left/);
    expect(burnRateThreshold({ budgetFraction: 0.1, longWindowHours: MAX_BURN_RATE_LOOKBACK_HOURS }, 30)).toBeCloseTo(3, 10);
  });
});
