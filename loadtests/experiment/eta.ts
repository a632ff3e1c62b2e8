/**
 * Elapsed time and an estimate of the time left, for the progress line. The plan lists the run's
 * pieces of work with a planned duration each (an upper bound for knee searches, which usually
 * stop early); while a piece runs, its runner may report a better bound for what it has left.
 */
import { coarseLadder } from "../knee";
import { loadSeconds, PROFILES, scenarioFor, type HttpScenario, type ProfileName, type Scenario, type ScenarioName } from "../scenarios";

export interface PlannedWork {
  readonly key: string;
  readonly seconds: number;
}

/** Start-up (bundle, data services, processes, seeding) before any load. */
const SETUP_SECONDS = 40;
/** Requests a second the local api takes sign-ups at (password hashing is deliberately slow). */
const SIGNUPS_PER_SECOND = 40;

/** Upper bound of a knee search: every step of every ladder, plus the pauses between ladders. */
export function kneeSearchSeconds(scenario: HttpScenario): number {
  const open = scenario.open;
  if (!open) return 0;
  const steps = coarseLadder(open).length + open.refineSplits.reduce((sum, s) => sum + s - 1, 0);
  return open.warmupSeconds + 1 + steps * (open.stepSeconds + 1) + 2 * open.refineSplits.length;
}

/** Planned seconds of one scenario. */
export function scenarioSeconds(scenario: Scenario): number {
  if (scenario.name === "async") return scenario.workerInstances.length * (scenario.tasks / 800 + scenario.tasks / 1000 + 8);
  const signups = scenario.ownUserPerVu ? Math.max(...scenario.stages.map((s) => s.vus), scenario.open?.maxVus ?? 0) / SIGNUPS_PER_SECOND : 0;
  return loadSeconds(scenario) + kneeSearchSeconds(scenario) + signups + 3;
}

/**
 * The run's pieces of work. `reusedSpeedupCount`: the api instance count the main run already
 * measured the read knee at (its speedup point then only needs the two load checks).
 */
export function plannedWork(options: { profile: ProfileName; scenarios: readonly ScenarioName[]; repeat: number }, speedupCounts: readonly number[] = [], reusedSpeedupCount?: number): PlannedWork[] {
  const items: PlannedWork[] = [{ key: "setup", seconds: SETUP_SECONDS }];
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    for (const name of options.scenarios) items.push({ key: `${name}#${repeat}`, seconds: scenarioSeconds(scenarioFor(name, options.profile)) });
  }
  const read = scenarioFor("read", options.profile) as HttpScenario;
  for (const n of speedupCounts) {
    const checks = read.open ? 2 * (read.open.stepSeconds + 1) : 0;
    const search = read.open ? (n === reusedSpeedupCount && options.scenarios.includes("read") ? 0 : kneeSearchSeconds(read) + 5) : loadSeconds(read) + 5;
    items.push({ key: `speedup:${n}`, seconds: search + checks });
  }
  return items;
}

export class Eta {
  private readonly started: number;
  private readonly pending = new Map<string, number>();
  private current?: { key: string; since: number; planned: number; left?: number };

  constructor(
    items: readonly PlannedWork[],
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    this.started = now();
    for (const item of items) this.pending.set(item.key, item.seconds);
  }

  /** A piece of work starts (unplanned keys are fine: they just had no estimate). */
  start(key: string): void {
    this.current = { key, since: this.now(), planned: this.pending.get(key) ?? 0 };
    this.pending.delete(key);
  }

  /** The running piece's own bound of what it has left. */
  update(secondsLeft: number): void {
    if (this.current) this.current.left = Math.max(0, secondsLeft);
  }

  finish(key: string): void {
    this.pending.delete(key);
    if (this.current?.key === key) this.current = undefined;
  }

  elapsedSeconds(): number {
    return this.now() - this.started;
  }

  /** Seconds left: what the running piece reports (or its plan minus its time so far), plus everything not started. */
  remainingSeconds(): number {
    let left = 0;
    for (const seconds of this.pending.values()) left += seconds;
    if (this.current) left += this.current.left ?? Math.max(0, this.current.planned - (this.now() - this.current.since));
    return left;
  }
}

/** m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** Planned seconds of a whole profile run (the README's durations come from here). */
export function plannedSeconds(profile: ProfileName, scenarios: readonly ScenarioName[], repeat = 1, speedupCounts: readonly number[] = PROFILES[profile].speedupInstances ?? [], apiInstances = 1): number {
  return plannedWork({ profile, scenarios, repeat }, speedupCounts.length > 1 ? speedupCounts : [], apiInstances).reduce((sum, item) => sum + item.seconds, 0);
}
