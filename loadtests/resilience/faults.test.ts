import { describe, expect, it } from "vitest";
import { PROFILES } from "../scenarios";
import { CLOUD_FAULTS, faultSchedule, faultSpec, LOCAL_FAULTS, plannedSeconds } from "./faults";

const smoke = PROFILES.smoke.resilience;
const full = PROFILES.quick.resilience;

describe("the fault schedule", () => {
  it("stops every component in turn, one at a time, with a quiet period after each", () => {
    const schedule = faultSchedule(LOCAL_FAULTS, full);
    expect(schedule.map((f) => f.spec.component)).toEqual(["worker", "dispatcher", "api", "api", "redis", "postgres", "realtime"]);
    expect(schedule[0]!.prepareAt).toBe(full.warmupSeconds);
    for (const [i, f] of schedule.entries()) {
      expect(f.prepareAt).toBeLessThanOrEqual(f.injectAt);
      expect(f.injectAt).toBeLessThan(f.backAt);
      expect(f.endAt - f.backAt).toBe(full.quietSeconds);
      // The next fault is prepared only once this one's quiet period is over: never two at once.
      if (i > 0) expect(f.prepareAt).toBe(schedule[i - 1]!.endAt);
    }
  });

  it("strikes the worker and the dispatcher mid-drain, and holds down what the platform would not replace at once", () => {
    const specs = LOCAL_FAULTS.map((name) => faultSpec(name, full));
    expect(specs.filter((s) => s.midDrain).map((s) => s.name)).toEqual(["worker-kill", "dispatcher-kill"]);
    expect(specs.filter((s) => s.heldDown).map((s) => s.name)).toEqual(["worker-kill", "dispatcher-kill", "redis-restart", "realtime-kill"]);
    expect(specs.filter((s) => s.dependency).map((s) => [s.name, s.dependency])).toEqual([["redis-restart", "redis"], ["postgres-restart", "postgresql"]]);
    expect(specs.filter((s) => s.graceful).map((s) => s.name)).toEqual(["api-rolling-restart"]);
    expect(specs.filter((s) => s.realtimeInstance).map((s) => s.name)).toEqual(["realtime-kill"]);
    for (const s of specs) expect(s.promise.length).toBeGreaterThan(20);
    expect(faultSpec("worker-kill", full).action).toContain(`after ${full.downSeconds} s`);
    const held = faultSchedule(["redis-restart"], full)[0]!;
    expect(held.backAt - held.injectAt).toBeGreaterThanOrEqual(full.downSeconds);
  });

  it("has a managed equivalent of every local fault's component for a deployed environment", () => {
    const cloud = CLOUD_FAULTS.map((name) => faultSpec(name, full));
    expect(new Set(cloud.map((s) => s.component))).toEqual(new Set(LOCAL_FAULTS.map((name) => faultSpec(name, full).component)));
    expect(cloud.filter((s) => s.graceful).map((s) => s.name)).toEqual(["api-new-revision"]);
    expect(cloud.filter((s) => s.midDrain).map((s) => s.name)).toEqual(["worker-scaled-to-zero", "task-queues-paused"]);
  });

  it("plans the smoke version within CI's 90 s and the full one well within 10 minutes", () => {
    const smokeSeconds = plannedSeconds(LOCAL_FAULTS, smoke);
    const fullSeconds = plannedSeconds(LOCAL_FAULTS, full);
    console.log(`[faults] planned: smoke ${smokeSeconds.toFixed(0)} s, full ${fullSeconds.toFixed(0)} s`);
    expect(smokeSeconds).toBeLessThanOrEqual(90);
    expect(fullSeconds).toBeLessThanOrEqual(8 * 60);
    expect(smokeSeconds).toBeLessThan(fullSeconds);
  });
});
