import { describe, expect, it } from "vitest";
import { describePlacement, instanceCpu, planPlacement } from "./placement";

describe("CPU placement", () => {
  it("gives the generator CPU 0 and the first api instance the other core on a 2-core machine", () => {
    const placement = planPlacement(2)!;
    expect(placement.generator).toBe("0");
    expect([0, 1, 2].map((i) => instanceCpu(placement, i))).toEqual(["1", "0", "1"]);
    expect(placement.any).toBe("0-1");
    expect(describePlacement(placement, { api: 2, worker: 1 }, -10)).toBe(
      "load generator on CPU 0 at nice -10; api instance(s) on CPU 1, CPU 0; worker instance(s) on CPU 1; dispatcher, realtime, PostgreSQL and Redis on any core (taskset)",
    );
  });

  it("keeps instances off the generator's core while there are others", () => {
    const placement = planPlacement(4)!;
    expect([0, 1, 2, 3].map((i) => instanceCpu(placement, i))).toEqual(["3", "2", "1", "0"]);
  });

  it("pins nothing on one core, and says so", () => {
    expect(planPlacement(1)).toBeUndefined();
    expect(describePlacement(undefined, { api: 1, worker: 1 })).toMatch(/^not pinned/);
  });
});
