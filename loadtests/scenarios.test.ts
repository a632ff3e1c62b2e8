import { describe, expect, it } from "vitest";
import { plannedSeconds } from "./experiment/eta";
import { coarseLadder } from "./knee";
import { loadSeconds, PAPER_SCENARIOS, peakVus, planSummary, PROFILES, scenarioFor, type AsyncScenario, type HttpScenario, type ProfileName } from "./scenarios";

const http = (name: "read" | "mixed", profile: ProfileName) => scenarioFor(name, profile) as HttpScenario;

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

  it("capacity runs only the open model: knee searches for read and mixed, the drain at 1 and 2 workers", () => {
    for (const name of ["read", "mixed"] as const) {
      const scenario = http(name, "capacity");
      expect(scenario.stages).toEqual([]);
      expect(scenario.open).toEqual(PAPER_SCENARIOS[name].open);
      expect(coarseLadder(scenario.open!)[0]).toBe(scenario.open!.startRps);
    }
    expect(peakVus(http("mixed", "capacity"))).toBe(PAPER_SCENARIOS.mixed.open.maxVus);
    expect((scenarioFor("async", "capacity") as AsyncScenario).workerInstances).toEqual([1, 2]);
    // The budget: the whole capacity profile in 15 minutes at most (its plan is an upper bound).
    expect(plannedSeconds("capacity", ["read", "mixed", "async"])).toBeLessThanOrEqual(15 * 60);
  });

  it("paper and quick keep the closed model only; smoke adds a tiny open ramp for CI", () => {
    for (const profile of ["paper", "quick"] as const) expect(http("read", profile).open).toBeUndefined();
    const smoke = http("mixed", "smoke");
    expect(smoke.stages.length).toBe(3);
    expect(coarseLadder(smoke.open!)).toEqual([40, 80]);
    expect(plannedSeconds("smoke", ["read", "mixed", "async"])).toBeLessThanOrEqual(150);
  });

  it("never scales a stage below one VU or below the profile's minimum duration", () => {
    for (const profile of ["smoke", "quick", "paper", "capacity"] as const) {
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
    expect(planSummary(scenarioFor("read", "quick"))).toBe("read: 7 stages, 150 -> 1000 VUs, 102 s of load");
    expect(planSummary(scenarioFor("read", "capacity"))).toBe("read: knee search from 1,000 req/s (x2 per 8 s step, up to 64,000), max 2000 VUs");
    expect(planSummary(scenarioFor("mixed", "smoke"))).toBe("mixed: 3 stages, 10 -> 130 VUs, 16 s of load; then knee search from 40 req/s (x2 per 2 s step, up to 80), max 40 VUs");
    expect(planSummary(scenarioFor("async", "paper"))).toBe("async: 51,580 tasks published through the api, then the drain timed alone");
  });
});
