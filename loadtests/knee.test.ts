import { describe, expect, it } from "vitest";
import { belowLadder, coarseLadder, kneeBounds, KneeSearch, ranUntilBroken, refineLadder } from "./knee";
import { PAPER_SCENARIOS, type ArrivalSearch } from "./scenarios";

/** Runs a whole search against a system that holds the SLO up to `capacity` req/s. */
/** The read search with one refinement pass (the capacity profile adds a second, tested below). */
const onePass: ArrivalSearch = { ...PAPER_SCENARIOS.read.open, refineSplits: [4] };

function search(capacity: number, params: ArrivalSearch = onePass) {
  const knee = new KneeSearch(params);
  const tried: number[][] = [];
  for (let ladder = knee.next(); ladder; ladder = knee.next()) {
    const ran = ranUntilBroken(ladder.map((rps) => ({ rps, held: rps <= capacity })));
    tried.push(ran.map((s) => s.rps));
    knee.record(ran);
  }
  return { bounds: knee.bounds, tried };
}

describe("knee search ladders", () => {
  it("steps geometrically from the start rate and closes with maxRps", () => {
    expect(coarseLadder({ startRps: 1000, growth: 2, maxRps: 64_000 })).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(coarseLadder({ startRps: 1000, growth: 2, maxRps: 50_000 })).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 50_000]);
    expect(coarseLadder({ startRps: 40, growth: 2, maxRps: 80 })).toEqual([40, 80]);
    expect(() => coarseLadder({ startRps: 10, growth: 1, maxRps: 100 })).toThrow(/growth must be above 1/);
  });

  it("refines between held and broke with geometric sub-steps, strictly inside the interval", () => {
    expect(refineLadder(8000, 16_000, 4)).toEqual([9514, 11_314, 13_454]);
    expect(refineLadder(100, 101, 4)).toEqual([]);
    expect(refineLadder(8000, 16_000, 1)).toEqual([]);
    expect(belowLadder({ startRps: 1000, growth: 2 })).toEqual([125, 250, 500]);
  });

  it("keeps a ladder's steps up to its first broken one", () => {
    expect(ranUntilBroken([{ rps: 1, held: true }, { rps: 2, held: false }, { rps: 4, held: true }])).toEqual([{ rps: 1, held: true }, { rps: 2, held: false }]);
  });

  it("takes the highest rate held as the knee and the lowest broken above it", () => {
    expect(kneeBounds([{ rps: 1000, held: true }, { rps: 2000, held: false }, { rps: 1414, held: true }, { rps: 1682, held: false }])).toEqual({ heldRps: 1414, brokeAtRps: 1682 });
    expect(kneeBounds([{ rps: 1000, held: true }])).toEqual({ heldRps: 1000, brokeAtRps: null });
    expect(kneeBounds([{ rps: 1000, held: false }])).toEqual({ heldRps: 0, brokeAtRps: 1000 });
  });
});

describe("KneeSearch", () => {
  it("finds a 10,000 req/s system's knee within one refinement step (~19 %)", () => {
    const { bounds, tried } = search(10_000);
    expect(tried).toEqual([
      [1000, 2000, 4000, 8000, 16_000],
      [9514, 11_314],
    ]);
    expect(bounds).toEqual({ heldRps: 9514, brokeAtRps: 11_314 });
  });

  it("refines in further passes when asked, each inside the last interval", () => {
    const { bounds, tried } = search(10_000, PAPER_SCENARIOS.read.open);
    expect(PAPER_SCENARIOS.read.open.refineSplits).toEqual([4, 3]);
    // (11,314 / 9,514)^(1/3) = 1.0595: 10,080 and 10,680; the first already broke.
    expect(tried[2]).toEqual([10_080]);
    expect(bounds).toEqual({ heldRps: 9514, brokeAtRps: 10_080 });
  });

  it("reports a system that never broke as held up to maxRps, with nothing above it", () => {
    const { bounds, tried } = search(1e9);
    expect(tried).toHaveLength(1);
    expect(bounds).toEqual({ heldRps: 64_000, brokeAtRps: null });
  });

  it("looks below the start rate when the first step already broke, then refines", () => {
    const { bounds, tried } = search(300);
    expect(tried[0]).toEqual([1000]);
    expect(tried[1]).toEqual([125, 250, 500]);
    expect(tried[2]).toEqual([297, 354]);
    expect(bounds).toEqual({ heldRps: 297, brokeAtRps: 354 });
  });

  it("gives up with a knee of 0 when even the lowest rate broke", () => {
    expect(search(10).bounds).toEqual({ heldRps: 0, brokeAtRps: 125 });
  });

  it("bounds the steps left for the ETA, and the bound never grows", () => {
    const knee = new KneeSearch(onePass);
    expect(knee.remainingStepsBound()).toBe(7 + 3);
    const first = knee.next()!;
    expect(knee.remainingStepsBound()).toBe(3);
    knee.record(ranUntilBroken(first.map((rps) => ({ rps, held: rps <= 10_000 }))));
    knee.next();
    expect(knee.remainingStepsBound()).toBe(0);
  });
});
