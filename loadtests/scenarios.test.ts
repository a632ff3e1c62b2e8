import { describe, expect, it } from "vitest";
import { loadSeconds, PAPER_SCENARIOS, peakVus, planSummary, PROFILES, scenarioFor, type HttpScenario } from "./scenarios";

const http = (name: "read" | "mixed", profile: "smoke" | "quick" | "paper") => scenarioFor(name, profile) as HttpScenario;

describe("scenario definitions", () => {
  it("paper profile is the study: read 150 -> 1,000 VUs in 17 min, mixed to 650 VUs in 21 min, 51,580 tasks", () => {
    const read = http("read", "paper");
    expect(read.stages[0]!.vus).toBe(150);
    expect(peakVus(read)).toBe(1000);
    expect(loadSeconds(read)).toBeCloseTo(17 * 60, 0);
    expect(read.thinkTimeSeconds).toBe(1);
    const mixed = http("mixed", "paper");
    expect(peakVus(mixed)).toBe(650);
    expect(mixed.stages.map((s) => s.vus)).toContain(539);
    expect(loadSeconds(mixed)).toBeCloseTo(21 * 60, 0);
    expect(mixed.mix).toEqual({ listTransactions: 65, createTransaction: 20, listAccounts: 15 });
    expect(mixed.ownUserPerVu).toBe(true);
    expect(scenarioFor("async", "paper")).toMatchObject({ tasks: 51_580 });
  });

  it("request mixes add up to 100 %", () => {
    for (const s of [PAPER_SCENARIOS.read, PAPER_SCENARIOS.mixed]) expect(s.mix.listTransactions + s.mix.createTransaction + s.mix.listAccounts).toBe(100);
  });

  it("quick keeps every stage at full VUs and runs a few minutes", () => {
    const read = http("read", "quick");
    expect(read.stages.map((s) => s.vus)).toEqual(PAPER_SCENARIOS.read.stages.map((s) => s.vus));
    const total = loadSeconds(read) + loadSeconds(http("mixed", "quick"));
    expect(total).toBeGreaterThan(120);
    expect(total).toBeLessThan(10 * 60);
  });

  it("smoke runs three short stages per scenario at a fifth of the VUs, well under 90 s of load", () => {
    const read = http("read", "smoke");
    expect(read.stages.map((s) => s.vus)).toEqual([30, 120, 200]);
    for (const stage of read.stages) expect(stage.durationSeconds).toBeGreaterThanOrEqual(PROFILES.smoke.minStageSeconds);
    expect(loadSeconds(read) + loadSeconds(http("mixed", "smoke"))).toBeLessThanOrEqual(40);
    expect(scenarioFor("async", "smoke")).toMatchObject({ tasks: 2000 });
  });

  it("never scales a stage below one VU or below the profile's minimum duration", () => {
    for (const profile of ["smoke", "quick", "paper"] as const) {
      for (const name of ["read", "mixed"] as const) {
        for (const stage of http(name, profile).stages) {
          expect(stage.vus).toBeGreaterThanOrEqual(1);
          expect(stage.durationSeconds).toBeGreaterThanOrEqual(PROFILES[profile].minStageSeconds);
        }
      }
    }
  });
});

describe("plan summaries", () => {
  it("say what the profile will actually run", () => {
    expect(planSummary(scenarioFor("read", "smoke"))).toBe("read: 3 stages, 30 -> 200 VUs, 13 s of load");
    expect(planSummary(scenarioFor("async", "paper"))).toBe("async: 51,580 tasks through the api, then the drain");
  });
});
