/**
 * The reference study's three experiments, defined once and read by every runner (the Node runner
 * here, the generated k6 scripts for the cloud) so that both run exactly the same load.
 *
 * Definitions are the `paper` profile (the study's numbers); other profiles scale durations and
 * virtual users (VUs) from them.
 */

export const SCENARIO_NAMES = ["read", "mixed", "async"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const PROFILE_NAMES = ["smoke", "quick", "paper"] as const;
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

export interface HttpScenario {
  readonly name: "read" | "mixed";
  readonly description: string;
  readonly stages: readonly Stage[];
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
}

export type Scenario = HttpScenario | AsyncScenario;

const minutes = (m: number) => m * 60;

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
  },
  mixed: {
    name: "mixed",
    description: "Mixed: 65 % transaction lists, 20 % transaction writes, 15 % account reads; every VU registers its own user; staged up to 650 VUs to find where the SLO breaks (the study: ~539 VUs).",
    stages: stagesOver([50, 150, 250, 350, 450, 539, 650], minutes(21)),
    thinkTimeSeconds: 1,
    mix: { listTransactions: 65, createTransaction: 20, listAccounts: 15 },
    ownUserPerVu: true,
  },
  async: {
    name: "async",
    description: "Async pipeline: publish 51,580 categorisation tasks through the api and measure the drain; audit that none is lost or applied twice.",
    tasks: 51_580,
    publishConcurrency: 64,
    publishers: 16,
    drainTimeoutSeconds: minutes(30),
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
  readonly asyncTasks: number;
  readonly drainTimeoutSeconds: number;
  /** Data the read scenario pages through (seeded in bulk locally, through the API in the cloud). */
  readonly seed: { readonly users: number; readonly accountsPerUser: number; readonly txPerAccount: number };
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  paper: {
    name: "paper",
    description: "The study's numbers: 17 + 21 minutes of load and 51,580 tasks.",
    durationScale: 1,
    vusScale: 1,
    stages: "all",
    minStageSeconds: 1,
    asyncTasks: PAPER_SCENARIOS.async.tasks,
    drainTimeoutSeconds: PAPER_SCENARIOS.async.drainTimeoutSeconds,
    seed: { users: 200, accountsPerUser: 2, txPerAccount: 1000 },
  },
  quick: {
    name: "quick",
    description: "Every stage at full VUs, durations / 10: a few minutes in all.",
    durationScale: 0.1,
    vusScale: 1,
    stages: "all",
    minStageSeconds: 10,
    asyncTasks: 10_000,
    drainTimeoutSeconds: 300,
    seed: { users: 100, accountsPerUser: 2, txPerAccount: 500 },
  },
  smoke: {
    name: "smoke",
    description: "Three short stages per scenario at a fifth of the VUs and 2,000 tasks: under 90 s, for CI.",
    durationScale: 0.03,
    vusScale: 0.2,
    stages: "ends-and-middle",
    minStageSeconds: 4,
    asyncTasks: 2_000,
    drainTimeoutSeconds: 60,
    seed: { users: 20, accountsPerUser: 2, txPerAccount: 250 },
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
    return { ...PAPER_SCENARIOS.async, tasks: profile.asyncTasks, drainTimeoutSeconds: profile.drainTimeoutSeconds };
  }
  const paper = PAPER_SCENARIOS[name];
  return {
    ...paper,
    stages: pickStages(paper.stages, profile.stages).map((stage) => ({
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
  if (scenario.name === "async") return `async: ${scenario.tasks.toLocaleString("en-US")} tasks through the api, then the drain`;
  const vus = scenario.stages.map((s) => s.vus);
  return `${scenario.name}: ${scenario.stages.length} stages, ${vus[0]} -> ${vus[vus.length - 1]} VUs, ${Math.round(loadSeconds(scenario))} s of load`;
}

/** The largest VU count of a scenario (how many users the mixed setup registers). */
export function peakVus(scenario: HttpScenario): number {
  return Math.max(...scenario.stages.map((stage) => stage.vus));
}
