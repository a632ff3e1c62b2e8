/**
 * The reference study's three experiments, defined once and read by every runner (the Node runner
 * here, the generated k6 scripts for the cloud) so that both run exactly the same load.
 *
 * Definitions are the `paper` profile (the study's numbers); other profiles scale durations and
 * virtual users (VUs) from them.
 */

import type { ResilienceSettings } from "./resilience/faults";

export const SCENARIO_NAMES = ["read", "mixed", "async"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const PROFILE_NAMES = ["smoke", "quick", "paper", "capacity"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** A load level held for a while: `vus` users each sending a request, then thinking. */
export interface Stage {
  readonly vus: number;
  readonly durationSeconds: number;
}

/** Requests a mixed-load VU picks from, with their weights (summing to 100). */
export interface RequestMix {
  readonly listTransactions: number;
  readonly createTransaction: number;
  readonly listAccounts: number;
}

/**
 * The open model (k6's `ramping-arrival-rate`): requests start on a schedule whatever the answers
 * do, and the offered rate steps up until the SLO breaks. A coarse ladder multiplies the rate by
 * `growth` per step; each refinement pass then splits the interval between the highest rate held
 * and the lowest that broke into geometric sub-steps. Every ladder stops at its first broken step.
 */
export interface ArrivalSearch {
  /** Offered rate of the first step, in requests per second. */
  readonly startRps: number;
  /** Factor between coarse steps. */
  readonly growth: number;
  /** The coarse ladder never offers more than this (the knee is then reported as at least this). */
  readonly maxRps: number;
  /** Sub-steps per refinement pass, e.g. [4]: three rates between held and broke, ~19 % apart for growth 2. */
  readonly refineSplits: readonly number[];
  /** How long each offered rate is held. */
  readonly stepSeconds: number;
  /**
   * Before the first ladder, the start rate is offered this long and not measured: the first
   * seconds after setup (cold code paths, connections opening) say nothing about capacity.
   */
  readonly warmupSeconds: number;
  /** VUs allocated up front (k6 `preAllocatedVUs`). */
  readonly preAllocatedVus: number;
  /**
   * Requests in flight at most (k6 `maxVUs`): an arrival that finds every VU busy is dropped and
   * counts as a failure. Also how many users the mixed scenario registers (one per VU).
   */
  readonly maxVus: number;
}

export interface HttpScenario {
  readonly name: "read" | "mixed";
  readonly description: string;
  /** Closed model (VUs with think time); empty when the profile runs only the open model. */
  readonly stages: readonly Stage[];
  /** Open model: the knee search, when the profile runs one. */
  readonly open?: ArrivalSearch;
  /** Pause after each response, like the study's k6 `sleep(1)`. */
  readonly thinkTimeSeconds: number;
  readonly mix: RequestMix;
  /** Each VU registers its own user, account and token before the load starts (mixed). */
  readonly ownUserPerVu: boolean;
}

export interface AsyncScenario {
  readonly name: "async";
  readonly description: string;
  /** Tasks published through the api's enqueue path (uncategorised transactions). */
  readonly tasks: number;
  /** Concurrent publish requests; publishing is not the measured part, draining is. */
  readonly publishConcurrency: number;
  /** Users the tasks are published as (fresh ones, owning nothing else). */
  readonly publishers: number;
  /** Give up waiting for the drain after this long (the report then shows lost tasks). */
  readonly drainTimeoutSeconds: number;
  /**
   * Local: worker processes the drain is measured with, one batch each (drain rate against worker
   * instances). In the cloud the worker autoscales and Cloud Monitoring records its instances.
   */
  readonly workerInstances: readonly number[];
}

export type Scenario = HttpScenario | AsyncScenario;

const minutes = (m: number) => m * 60;

/**
 * Speedup and aggregate performance offer a share of the smallest instance count's knee: the same
 * load at every count (speedup), and that load times the instance ratio (aggregate performance).
 */
export const speedupLoadFraction = 0.8;

/** Splits `totalSeconds` evenly over VU levels. */
function stagesOver(vuLevels: readonly number[], totalSeconds: number): Stage[] {
  const each = totalSeconds / vuLevels.length;
  return vuLevels.map((vus) => ({ vus, durationSeconds: each }));
}

/** The study's experiments, as run against Cloud Run (17 min, 21 min, 51,580 tasks). */
export const PAPER_SCENARIOS = {
  read: {
    name: "read",
    description: "Read-heavy: GET /api/transactions with alternating accounts, filters and pages; ramp 150 -> 1,000 VUs, 1 s think time.",
    stages: stagesOver([150, 300, 450, 600, 750, 900, 1000], minutes(17)),
    thinkTimeSeconds: 1,
    mix: { listTransactions: 100, createTransaction: 0, listAccounts: 0 },
    ownUserPerVu: false,
    open: { startRps: 1000, growth: 2, maxRps: 64_000, refineSplits: [4, 3], stepSeconds: 8, warmupSeconds: 3, preAllocatedVus: 200, maxVus: 2000 },
  },
  mixed: {
    name: "mixed",
    description: "Mixed: 65 % transaction lists, 20 % transaction writes, 15 % account reads; every VU registers its own user; staged up to 650 VUs to find where the SLO breaks (the study: ~539 VUs).",
    stages: stagesOver([50, 150, 250, 350, 450, 539, 650], minutes(21)),
    thinkTimeSeconds: 1,
    mix: { listTransactions: 65, createTransaction: 20, listAccounts: 15 },
    ownUserPerVu: true,
    open: { startRps: 250, growth: 2, maxRps: 32_000, refineSplits: [4, 3], stepSeconds: 8, warmupSeconds: 3, preAllocatedVus: 100, maxVus: 800 },
  },
  async: {
    name: "async",
    description: "Async pipeline: publish 51,580 categorisation tasks through the api and measure the drain; audit that none is lost or applied twice.",
    tasks: 51_580,
    publishConcurrency: 64,
    publishers: 16,
    drainTimeoutSeconds: minutes(30),
    workerInstances: [1],
  },
} as const satisfies { read: HttpScenario; mixed: HttpScenario; async: AsyncScenario };

export interface Profile {
  readonly name: ProfileName;
  readonly description: string;
  /** Multiplies every stage's duration. */
  readonly durationScale: number;
  /** Multiplies every stage's VUs (rounded, at least 1). */
  readonly vusScale: number;
  /** Keep every stage, or only the first, middle and last (for the shortest runs). */
  readonly stages: "all" | "ends-and-middle";
  /** No stage shorter than this, so percentiles have samples. */
  readonly minStageSeconds: number;
  /** Run the closed VU stages (the study's model). */
  readonly closed: boolean;
  /** Run the open-model knee search, with these changes to the scenario's search (none: not at all). */
  readonly open?: Partial<ArrivalSearch>;
  readonly asyncTasks: number;
  readonly drainTimeoutSeconds: number;
  /** Local worker processes to measure the drain with (one batch each). */
  readonly workerInstances: readonly number[];
  /** Local: api process counts of the speedup experiment when --speedup is not given (bounded by the cores). */
  readonly speedupInstances?: readonly number[];
  /** Data the read scenario pages through (seeded in bulk locally, through the API in the cloud). */
  readonly seed: { readonly users: number; readonly accountsPerUser: number; readonly txPerAccount: number };
  /** The resilience scenario (loadtests/resilience/): its load, how long a part stays down, the quiet between faults. */
  readonly resilience: ResilienceSettings;
  /** The resilience scenario is part of a run without --scenarios. */
  readonly resilienceByDefault: boolean;
}

/** The full resilience run (every profile but smoke): well within 10 minutes locally. */
const FULL_RESILIENCE: ResilienceSettings = {
  readRps: 150,
  writeRps: 50,
  users: 40,
  clientsPerRealtime: 5,
  warmupSeconds: 10,
  downSeconds: 5,
  quietSeconds: 15,
  drainTasks: 3_000,
  settleTimeoutSeconds: 90,
};

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  paper: {
    name: "paper",
    description: "The study's numbers: 17 + 21 minutes of load and 51,580 tasks.",
    durationScale: 1,
    vusScale: 1,
    stages: "all",
    minStageSeconds: 1,
    closed: true,
    asyncTasks: PAPER_SCENARIOS.async.tasks,
    drainTimeoutSeconds: PAPER_SCENARIOS.async.drainTimeoutSeconds,
    workerInstances: [1],
    seed: { users: 200, accountsPerUser: 2, txPerAccount: 1000 },
    resilience: FULL_RESILIENCE,
    resilienceByDefault: false,
  },
  quick: {
    name: "quick",
    description: "Every stage at full VUs, durations / 10: a few minutes in all.",
    durationScale: 0.1,
    vusScale: 1,
    stages: "all",
    minStageSeconds: 10,
    closed: true,
    asyncTasks: 10_000,
    drainTimeoutSeconds: 300,
    workerInstances: [1],
    seed: { users: 100, accountsPerUser: 2, txPerAccount: 500 },
    resilience: FULL_RESILIENCE,
    resilienceByDefault: false,
  },
  smoke: {
    name: "smoke",
    description: "Three short stages per scenario at a fifth of the VUs, a tiny open-model ramp and 2,000 tasks, then every resilience fault briefly: about 2 minutes, for CI.",
    durationScale: 0.03,
    vusScale: 0.2,
    stages: "ends-and-middle",
    minStageSeconds: 4,
    closed: true,
    // Covers the capacity code path (ladder, knee, report) in seconds; far below any knee.
    open: { startRps: 40, growth: 2, maxRps: 80, refineSplits: [], stepSeconds: 2, warmupSeconds: 1, preAllocatedVus: 10, maxVus: 40 },
    asyncTasks: 2_000,
    drainTimeoutSeconds: 60,
    workerInstances: [1],
    seed: { users: 20, accountsPerUser: 2, txPerAccount: 250 },
    // Every fault, briefly: about a minute and a half, so that CI stops and starts each part too.
    resilience: { readRps: 40, writeRps: 12, users: 16, clientsPerRealtime: 3, warmupSeconds: 3, downSeconds: 2, quietSeconds: 3, drainTasks: 400, settleTimeoutSeconds: 30 },
    resilienceByDefault: true,
  },
  capacity: {
    name: "capacity",
    description: "Open model: offered rate stepped up until the SLO breaks (the knee), read and mixed; async drain at 1 and 2 workers.",
    durationScale: 1,
    vusScale: 1,
    stages: "all",
    minStageSeconds: 1,
    closed: false,
    open: {},
    asyncTasks: 20_000,
    drainTimeoutSeconds: 300,
    workerInstances: [1, 2],
    speedupInstances: [1, 2],
    seed: { users: 100, accountsPerUser: 2, txPerAccount: 500 },
    resilience: FULL_RESILIENCE,
    resilienceByDefault: false,
  },
};

function pickStages(stages: readonly Stage[], which: Profile["stages"]): readonly Stage[] {
  if (which === "all" || stages.length <= 3) return stages;
  return [stages[0]!, stages[Math.floor(stages.length / 2)]!, stages[stages.length - 1]!];
}

/** A scenario as a profile runs it. */
export function scenarioFor(name: ScenarioName, profileName: ProfileName): Scenario {
  const profile = PROFILES[profileName];
  if (name === "async") {
    return { ...PAPER_SCENARIOS.async, tasks: profile.asyncTasks, drainTimeoutSeconds: profile.drainTimeoutSeconds, workerInstances: profile.workerInstances };
  }
  const { open, ...paper } = PAPER_SCENARIOS[name];
  return {
    ...paper,
    ...(profile.open ? { open: { ...open, ...profile.open } } : {}),
    stages: !profile.closed ? [] : pickStages(paper.stages, profile.stages).map((stage) => ({
      vus: Math.max(1, Math.round(stage.vus * profile.vusScale)),
      // Tenths of a second: the paper profile keeps its exact 17 and 21 minutes.
      durationSeconds: Math.max(profile.minStageSeconds, Math.round(stage.durationSeconds * profile.durationScale * 10) / 10),
    })),
  };
}

/** Wall time of an HTTP scenario's load phase. */
export function loadSeconds(scenario: HttpScenario): number {
  return scenario.stages.reduce((sum, stage) => sum + stage.durationSeconds, 0);
}

/** One line saying what a scenario will do under its profile, for progress output. */
export function planSummary(scenario: Scenario): string {
  if (scenario.name === "async") return `async: ${scenario.tasks.toLocaleString("en-US")} tasks published through the api, then the drain timed alone`;
  const parts: string[] = [];
  if (scenario.stages.length > 0) {
    const vus = scenario.stages.map((s) => s.vus);
    parts.push(`${scenario.stages.length} stages, ${vus[0]} -> ${vus[vus.length - 1]} VUs, ${Math.round(loadSeconds(scenario))} s of load`);
  }
  if (scenario.open) {
    const o = scenario.open;
    parts.push(`knee search from ${o.startRps.toLocaleString("en-US")} req/s (x${o.growth} per ${o.stepSeconds} s step, up to ${o.maxRps.toLocaleString("en-US")}), max ${o.maxVus} VUs`);
  }
  return `${scenario.name}: ${parts.join("; then ")}`;
}

/** The most VUs a scenario uses at once, closed or open (how many users the mixed setup registers). */
export function peakVus(scenario: HttpScenario): number {
  return Math.max(0, ...scenario.stages.map((stage) => stage.vus), scenario.open?.maxVus ?? 0);
}
