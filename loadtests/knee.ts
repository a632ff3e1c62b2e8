/**
 * The knee search, as pure functions shared by the Node runner and the k6 path: which offered
 * rates to try, and what the knee is once they ran. Dependency-free (the k6 script bundles it).
 *
 * A search is a sequence of ladders. Each ladder offers its rates in ascending order and stops at
 * the first step whose SLO broke (past the knee, queues only grow). The first ladder is geometric
 * (startRps x growth^i up to maxRps); when even its first step broke, a ladder below startRps
 * follows; then each refinement pass splits the interval between the highest rate held and the
 * lowest that broke into geometric sub-steps. The knee is the highest offered rate held.
 */
import type { ArrivalSearch } from "./scenarios";

/** What the search needs to know about a step that ran. */
export interface LadderStep {
  readonly rps: number;
  readonly held: boolean;
}

/** Rates are whole requests per second. */
const roundRate = (rps: number) => Math.max(1, Math.round(rps));

/** startRps x growth^i while <= maxRps (maxRps itself closes the ladder when the last power falls short of it). */
export function coarseLadder(search: Pick<ArrivalSearch, "startRps" | "growth" | "maxRps">): number[] {
  if (!(search.growth > 1)) throw new Error(`growth must be above 1 (got ${search.growth})`);
  const rates: number[] = [];
  for (let rps = search.startRps; rps <= search.maxRps * (1 + 1e-9); rps *= search.growth) rates.push(roundRate(rps));
  if (rates.length === 0 || rates.at(-1)! < search.maxRps / Math.sqrt(search.growth)) rates.push(roundRate(search.maxRps));
  return [...new Set(rates)];
}

/** `splits - 1` geometric points strictly between `held` and `broke` (duplicates after rounding removed). */
export function refineLadder(held: number, broke: number, splits: number): number[] {
  if (splits < 2 || broke <= held) return [];
  const ratio = (broke / held) ** (1 / splits);
  const rates = Array.from({ length: splits - 1 }, (_, i) => roundRate(held * ratio ** (i + 1)));
  return [...new Set(rates)].filter((rps) => rps > held && rps < broke);
}

/** Rates below startRps, for a system that broke at the very first step: start / growth^3 .. start / growth. */
export function belowLadder(search: Pick<ArrivalSearch, "startRps" | "growth">): number[] {
  return [3, 2, 1].map((k) => roundRate(search.startRps / search.growth ** k)).filter((rps, i, all) => rps < search.startRps && all.indexOf(rps) === i);
}

/** The steps of a ladder that count: up to and including the first broken one. */
export function ranUntilBroken<T extends LadderStep>(steps: readonly T[]): T[] {
  const broken = steps.findIndex((s) => !s.held);
  return broken === -1 ? [...steps] : steps.slice(0, broken + 1);
}

export interface KneeBounds {
  /** Highest offered rate held within the SLO; 0 when no rate held. */
  readonly heldRps: number;
  /** Lowest offered rate that broke the SLO above heldRps; null when none did (the knee is at least heldRps). */
  readonly brokeAtRps: number | null;
}

/** The knee from every step run so far (any order). */
export function kneeBounds(steps: readonly LadderStep[]): KneeBounds {
  const held = steps.filter((s) => s.held).map((s) => s.rps);
  const heldRps = held.length ? Math.max(...held) : 0;
  const broke = steps.filter((s) => !s.held && s.rps > heldRps).map((s) => s.rps);
  return { heldRps, brokeAtRps: broke.length ? Math.min(...broke) : null };
}

/**
 * Drives a search: `next()` gives the next ladder to run (undefined when the search is over),
 * `record()` takes the steps that ran (the caller stops a ladder at its first broken step).
 */
export class KneeSearch {
  private readonly steps: LadderStep[] = [];
  private phase: "coarse" | "below" | "refine" = "coarse";
  /** Index of the next refinement pass. */
  private refinePass = 0;
  private current: number[] | undefined;

  constructor(private readonly search: Pick<ArrivalSearch, "startRps" | "growth" | "maxRps" | "refineSplits">) {}

  /** The next ladder (ascending rates), or undefined when the knee is as precise as the search asks. */
  next(): number[] | undefined {
    this.current = this.ladder();
    return this.current;
  }

  private ladder(): number[] | undefined {
    if (this.phase === "coarse") return coarseLadder(this.search);
    const { heldRps, brokeAtRps } = kneeBounds(this.steps);
    if (this.phase === "below") return heldRps === 0 && brokeAtRps !== null ? belowLadder(this.search) : undefined;
    if (heldRps === 0 || brokeAtRps === null) return undefined; // nothing held, or held up to maxRps
    for (; this.refinePass < this.search.refineSplits.length; this.refinePass++) {
      const ladder = refineLadder(heldRps, brokeAtRps, this.search.refineSplits[this.refinePass]!);
      if (ladder.length) return ladder;
    }
    return undefined;
  }

  /** The steps of the ladder `next()` gave that ran (a prefix of it, ending at the first broken step). */
  record(ran: readonly LadderStep[]): void {
    this.steps.push(...ranUntilBroken(ran));
    if (this.phase === "coarse") this.phase = kneeBounds(this.steps).heldRps === 0 ? "below" : "refine";
    else if (this.phase === "below") this.phase = "refine";
    else this.refinePass++;
  }

  get bounds(): KneeBounds {
    return kneeBounds(this.steps);
  }

  /** Upper bound of the steps still to run after the current ladder, for an ETA. */
  remainingStepsBound(): number {
    const refineSteps = this.search.refineSplits.slice(this.phase === "refine" ? this.refinePass + 1 : 0).reduce((sum, s) => sum + s - 1, 0);
    return this.phase === "coarse" && !this.current ? coarseLadder(this.search).length + refineSteps : refineSteps;
  }
}
