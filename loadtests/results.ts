/**
 * The results format every runner writes (the Node runner and the k6 summary handler), and the
 * aggregation of repeated runs. `summary.json` is a `Summary`.
 */
import { estimate, sloVerdict, type Estimate, type SloVerdict } from "./stats";
import type { ProfileName, ScenarioName } from "./scenarios";

export interface StageResult {
  readonly vus: number;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errorRate: number;
  readonly slo: SloVerdict;
}

/** One second (or one sample period) of a scenario, for time-series figures and CSV. */
export interface TimelinePoint {
  /** Seconds since the scenario's load started. */
  readonly t: number;
  readonly vus: number;
  readonly requests: number;
  readonly errors: number;
  readonly p95: number;
}

/** How hard the load generator itself worked: it must not be the bottleneck. */
export interface GeneratorUsage {
  readonly tool: "node" | "k6";
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** CPU time / wall time, in % of one core. */
  readonly cpuPercentOfOneCore: number;
  readonly peakRssMb: number;
}

export interface HttpScenarioResult {
  readonly name: "read" | "mixed";
  readonly stages: readonly StageResult[];
  /** Requests per second over the whole load phase, and the best one-second rate. */
  readonly meanRps: number;
  readonly peakRps: number;
  readonly p95: number;
  readonly errorRate: number;
  /** VUs of the first stage whose SLO failed; null if it held throughout. */
  readonly sloBrokeAtVus: number | null;
  readonly timeline: readonly TimelinePoint[];
  readonly generator?: GeneratorUsage;
}

export interface DrainPoint {
  /** Seconds since publishing started. */
  readonly t: number;
  readonly completed: number;
}

export interface AsyncScenarioResult {
  readonly name: "async";
  readonly tasks: number;
  readonly publishSeconds: number;
  /** From the first publish until the last task's effect was applied. */
  readonly drainSeconds: number;
  readonly tasksPerSecond: number;
  /** Tasks published but never applied. */
  readonly lost: number;
  /** Effects applied more than once. */
  readonly duplicated: number;
  readonly timeline: readonly DrainPoint[];
  readonly ok: boolean;
}

export type ScenarioResult = HttpScenarioResult | AsyncScenarioResult;

export interface MachineInfo {
  readonly hostname: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
}

/** Mean and 95 % CI across repeats, per stage, for the figures with error bars. */
export interface StageEstimate {
  readonly vus: number;
  readonly rps: Estimate;
  readonly p50: Estimate;
  readonly p95: Estimate;
  readonly p99: Estimate;
  readonly errorRate: Estimate;
}

export interface ScenarioEstimate {
  readonly name: ScenarioName;
  readonly stages?: readonly StageEstimate[];
  readonly tasksPerSecond?: Estimate;
  readonly drainSeconds?: Estimate;
}

export interface SpeedupPoint {
  readonly instances: number;
  readonly scenario: "read" | "mixed";
  readonly meanRps: number;
  readonly peakRps: number;
  readonly p95: number;
}

export interface Summary {
  readonly environment: string;
  readonly profile: ProfileName;
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** api processes (local) or max instances (cloud) serving the load, with their vCPUs. */
  readonly capacity: { readonly apiInstances: number; readonly vcpusPerInstance: number };
  readonly machine: MachineInfo;
  readonly versions: Readonly<Record<string, string>>;
  /** The first (or only) run. */
  readonly scenarios: readonly ScenarioResult[];
  /** Every run, when repeated. */
  readonly runs: ReadonlyArray<readonly ScenarioResult[]>;
  /** Present with two or more runs. */
  readonly confidence?: readonly ScenarioEstimate[];
  readonly speedup?: readonly SpeedupPoint[];
  readonly verdict: { readonly ok: boolean; readonly failures: readonly string[] };
}

/** Per-stage mean and CI over repeated runs of the same scenario (stages line up by index). */
export function estimateScenario(runs: readonly ScenarioResult[]): ScenarioEstimate {
  const first = runs[0];
  if (!first) throw new Error("estimateScenario needs at least one run");
  if (first.name === "async") {
    const asyncRuns = runs as readonly AsyncScenarioResult[];
    return {
      name: "async",
      tasksPerSecond: estimate(asyncRuns.map((r) => r.tasksPerSecond)),
      drainSeconds: estimate(asyncRuns.map((r) => r.drainSeconds)),
    };
  }
  const httpRuns = runs as readonly HttpScenarioResult[];
  return {
    name: first.name,
    stages: first.stages.map((stage, i) => {
      const at = (pick: (s: StageResult) => number) => estimate(httpRuns.map((run) => pick(run.stages[i]!)));
      return { vus: stage.vus, rps: at((s) => s.rps), p50: at((s) => s.p50), p95: at((s) => s.p95), p99: at((s) => s.p99), errorRate: at((s) => s.errorRate) };
    }),
  };
}

/** Everything that makes the run fail (an SLO broken, a task lost or duplicated), for the exit code. */
export function failures(scenarios: readonly ScenarioResult[]): string[] {
  return scenarios.flatMap((scenario): string[] => {
    if (scenario.name === "async") {
      const problems: string[] = [];
      if (scenario.lost > 0) problems.push(`async: ${scenario.lost} task(s) lost`);
      if (scenario.duplicated > 0) problems.push(`async: ${scenario.duplicated} effect(s) applied twice`);
      return problems;
    }
    return scenario.stages.filter((s) => !s.slo.ok).map((s) => `${scenario.name} @ ${s.vus} VUs: ${s.slo.reason}`);
  });
}

/** Re-derives a stage's verdict (e.g. after aggregating a k6 summary). */
export function withVerdict(stage: Omit<StageResult, "slo">): StageResult {
  return { ...stage, slo: sloVerdict(stage.p95, stage.errorRate) };
}
