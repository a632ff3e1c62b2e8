import { describe, expect, it } from "vitest";
import { clock, Eta, plannedWork, scenarioSeconds } from "./eta";
import { scenarioFor } from "../scenarios";

describe("elapsed time and ETA", () => {
  it("counts down the plan: pending work, minus the running piece's time or its own bound", () => {
    let now = 0;
    const eta = new Eta([{ key: "setup", seconds: 40 }, { key: "read#1", seconds: 100 }, { key: "async#1", seconds: 30 }], () => now);
    expect(eta.remainingSeconds()).toBe(170);
    eta.start("setup");
    now = 10;
    expect(eta.remainingSeconds()).toBe(160);
    now = 60; // setup overran its plan: it counts as done-any-moment, not negative
    expect(eta.remainingSeconds()).toBe(130);
    eta.finish("setup");
    eta.start("read#1");
    eta.update(25); // the knee search broke early: 25 s left at most
    expect(eta.remainingSeconds()).toBe(55);
    eta.finish("read#1");
    expect(eta.remainingSeconds()).toBe(30);
    expect(eta.elapsedSeconds()).toBe(60);
  });

  it("plans every scenario of every repeat and each speedup count", () => {
    const items = plannedWork({ profile: "capacity", scenarios: ["read", "async"], repeat: 2 }, [1, 2], 1);
    expect(items.map((i) => i.key)).toEqual(["setup", "read#1", "async#1", "read#2", "async#2", "speedup:1", "speedup:2"]);
    // The main run measured the read knee on 1 api instance: that speedup point only runs its two load checks.
    const [one, two] = items.slice(-2);
    expect(one!.seconds).toBe(2 * (8 + 1));
    expect(two!.seconds).toBeGreaterThan(one!.seconds + 60);
    // async at 1 and 2 workers: two batches of 20,000 tasks.
    expect(scenarioSeconds(scenarioFor("async", "capacity"))).toBeCloseTo(2 * (20_000 / 800 + 20_000 / 1000 + 8));
  });

  it("prints m:ss and h:mm:ss", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(75.4)).toBe("1:15");
    expect(clock(3725)).toBe("1:02:05");
  });
});
