/**
 * The results format every runner writes (the Node runner and the k6 summary handler), and the
 * aggregation of repeated runs. `summary.json` is a `Summary`.
 */
import { estimate, sloVerdict, type Estimate, type SloVerdict } from "./stats";
import type { ArrivalSearch, ProfileName, ScenarioName } from "./scenarios";
import type { ResilienceResult } from "./resilience/types";

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

/** One offered rate of the open model, held for a step. */
export interface ArrivalStepResult {
  /** Which ladder of the search: 0 the coarse one, then the ones below it or refining it. */
  readonly ladder: number;
  /** Offered rate, requests per second. */
  readonly rps: number;
  /** When the step started, in seconds since the scenario's load started (stage boundaries). */
  readonly startedAt: number;
  readonly durationSeconds: number;
  /** Arrivals scheduled (rps x duration). */
  readonly offered: number;
  /** Responses, successful or not. */
  readonly completed: number;
  /** Successful responses completed during the step, per second. */
  readonly achievedRps: number;
  /** Failed requests (non-2xx, transport errors, timeouts) plus dropped arrivals. */
  readonly errors: number;
  /** Arrivals that found every VU busy: not sent, counted as failures (k6's dropped iterations). */
  readonly dropped: number;
  /** Requests the generator started more than GENERATOR_LATE_MS after their intended start. */
  readonly late: number;
  /** Latency percentiles measured from each request's intended start (coordinated omission corrected). */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** P95 measured from the actual send, as a closed-loop tool would: the difference is the generator's lateness. */
  readonly serviceP95: number;
  /** errors / offered. */
  readonly errorRate: number;
  /** (dropped + late) / offered. */
  readonly notOnTimeRate: number;
  /** Most requests in flight at once. */
  readonly peakInFlight: number;
  /** The generator's CPU time over the step's wall time, as a share of one core (1 = a whole core). */
  readonly generatorCpuShare: number;
  /** Busy share of the whole machine during the step (Linux /proc/stat), when known. */
  readonly machineCpuShare?: number;
  readonly slo: SloVerdict;
}

/** One second of an open-model run (offered and achieved rate, latency, errors, backlog). */
export interface OpenTimelinePoint {
  /** Seconds since the scenario's load started (end of the second). */
  readonly t: number;
  /** The step's offered rate (0 between steps). */
  readonly targetRps: number;
  /** Arrivals scheduled in this second. */
  readonly offered: number;
  /** Successful responses in this second. */
  readonly achieved: number;
  /** Failed responses and dropped arrivals in this second. */
  readonly errors: number;
  /** P95 of the responses in this second, from their intended starts. */
  readonly p95: number;
  /** Requests in flight at the end of the second: the backlog the system has not answered. */
  readonly inFlight: number;
  /** Tasks queued for the worker (local runs: the categorisation queues), the async backlog the writes leave. */
  readonly taskBacklog?: number;
}

/**
 * Where the system broke: the highest offered rate held within the SLO. A knee found while the
 * generator was saturated (or that never broke within the search's maxRps) is a lower bound.
 */
export interface Knee {
  /** Highest offered rate held, req/s (0 when even the lowest rate broke). */
  readonly heldRps: number;
  /** Lowest offered rate above it that broke the SLO; null when none did up to the search's maxRps. */
  readonly brokeAtRps: number | null;
  /** P95 (from intended starts) and error rate at the knee step. */
  readonly p95: number;
  readonly errorRate: number;
  /** The generator's CPU at the knee step, as a share of one core. */
  readonly generatorCpuShare: number;
  /** Why the step above the knee broke. */
  readonly brokeBecause: string | null;
  /** The generator, not the system, may have limited the result: treat heldRps as a lower bound. */
  readonly generatorLimited: boolean;
  readonly lowerBound: boolean;
}

export interface OpenModelResult {
  readonly search: ArrivalSearch;
  /** When the search's first step started (epoch ms). */
  readonly startedAtMs?: number;
  readonly steps: readonly ArrivalStepResult[];
  readonly knee: Knee;
  readonly timeline: readonly OpenTimelinePoint[];
  readonly generator?: GeneratorUsage;
  /** Why the generator may have limited the result (empty when it did not). */
  readonly warnings: readonly string[];
  /** The machine's 1-minute load average when the search started and ended (how much else ran). */
  readonly loadAverage?: { readonly atStart: number; readonly atEnd: number };
}

export interface HttpScenarioResult {
  readonly name: "read" | "mixed";
  /** Closed model (VU stages); empty when the profile ran only the open model. */
  readonly stages: readonly StageResult[];
  /**
   * Closed model: requests per second over the whole load phase, the best one-second rate, P95
   * and error rate over all stages. Open model only: the achieved mean and best second over the
   * steps, and P95 and error rate at the knee.
   */
  readonly meanRps: number;
  readonly peakRps: number;
  readonly p95: number;
  readonly errorRate: number;
  /** VUs of the first stage whose SLO failed; null if it held throughout. */
  readonly sloBrokeAtVus: number | null;
  readonly timeline: readonly TimelinePoint[];
  readonly generator?: GeneratorUsage;
  /** When the load started (epoch ms), to line the series up with Cloud Monitoring's. */
  readonly startedAtMs?: number;
  /** Open model: the knee search's steps and per-second series. */
  readonly open?: OpenModelResult;
  /** Open model: where the SLO broke (also in `open`, here for readers of summary.json). */
  readonly knee?: Knee;
}

export interface DrainPoint {
  /** Seconds since publishing started. */
  readonly t: number;
  readonly completed: number;
}

/** One batch: published, then drained. */
export interface AsyncDrain {
  readonly tasks: number;
  /** Publishing the whole batch through the api. */
  readonly publishSeconds: number;
  /** Tasks published per second. */
  readonly publishRate: number;
  /**
   * after-publish: delivery was paused while publishing and the drain is timed alone, from the
   * resume to the last task's effect (the study's protocol). overlapped: no way to pause delivery
   * (a system reached only through its API): the drain is timed from the first publish.
   */
  readonly drainMode: "after-publish" | "overlapped";
  /** Seconds since publishing started when the drain started (the end of publishing, or 0). */
  readonly drainStartedAt: number;
  readonly drainSeconds: number;
  /** Drained tasks over drain time. */
  readonly tasksPerSecond: number;
  /** Worker instances that served the drain (local processes), when known. */
  readonly workerInstances?: number;
  /** Tasks published but never applied. */
  readonly lost: number;
  /** Effects applied more than once. */
  readonly duplicated: number;
  /** Completed tasks since publishing started. */
  readonly timeline: readonly DrainPoint[];
  readonly ok: boolean;
}

export interface AsyncScenarioResult extends AsyncDrain {
  readonly name: "async";
  /** Every batch when the drain was measured at several worker instance counts (the first is the one above). */
  readonly drains?: readonly AsyncDrain[];
}

export type ScenarioResult = HttpScenarioResult | AsyncScenarioResult;

export interface MachineInfo {
  readonly hostname: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  /**
   * The 1, 5 and 15 minute load averages when the run started and when it ended: on a shared
   * machine, how much else was running (the figures mean little when it was high).
   */
  readonly loadAverage?: { readonly atStart: readonly number[]; readonly atEnd: readonly number[] };
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
  /** Open model: the knee (highest offered rate held) across runs. */
  readonly knee?: Estimate;
  readonly tasksPerSecond?: Estimate;
  readonly drainSeconds?: Estimate;
}

/** One offered rate held for a step, reduced to what the speedup table shows. */
export interface LoadCheck {
  readonly rps: number;
  readonly achievedRps: number;
  readonly p95: number;
  readonly errorRate: number;
  readonly held: boolean;
}

export function loadCheck(step: ArrivalStepResult): LoadCheck {
  return { rps: step.rps, achievedRps: step.achievedRps, p95: step.p95, errorRate: step.errorRate, held: step.slo.ok };
}

export interface SpeedupPoint {
  readonly instances: number;
  readonly scenario: "read" | "mixed";
  /** Closed model: the scenario's figures at this instance count. */
  readonly meanRps?: number;
  readonly peakRps?: number;
  readonly p95?: number;
  /** Open model: the knee at this instance count (speedup = knee / knee at the smallest count). */
  readonly knee?: Knee;
  /** The same offered load at every count: how latency improves with resources (speedup). */
  readonly fixedLoad?: LoadCheck;
  /** That load times the instance ratio: load and resources scaled together (aggregate performance). */
  readonly scaledLoad?: LoadCheck;
}

/** One HTTP scenario's result from what ran: the closed stages, the knee search, or both. */
export function combineHttpResults(name: "read" | "mixed", closed: HttpScenarioResult | undefined, open: OpenModelResult | undefined): HttpScenarioResult {
  if (closed) return open ? { ...closed, open, knee: open.knee } : closed;
  if (!open) throw new Error(`${name}: neither closed stages nor a knee search ran`);
  const seconds = open.steps.reduce((sum, s) => sum + s.durationSeconds, 0);
  return {
    name,
    stages: [],
    meanRps: seconds === 0 ? 0 : open.steps.reduce((sum, s) => sum + s.achievedRps * s.durationSeconds, 0) / seconds,
    peakRps: Math.max(0, ...open.timeline.map((p) => p.achieved)),
    p95: open.knee.p95,
    errorRate: open.knee.errorRate,
    sloBrokeAtVus: null,
    timeline: [],
    ...(open.generator ? { generator: open.generator } : {}),
    ...(open.startedAtMs !== undefined ? { startedAtMs: open.startedAtMs } : {}),
    open,
    knee: open.knee,
  };
}

/** The async result of one or more batches (one per worker instance count); the first leads. */
export function mergeDrains(drains: readonly AsyncDrain[]): AsyncScenarioResult {
  const [first] = drains;
  if (!first) throw new Error("no async batch ran");
  return { name: "async", ...first, ok: drains.every((d) => d.ok), ...(drains.length > 1 ? { drains } : {}) };
}

export interface Summary {
  readonly environment: string;
  readonly profile: ProfileName;
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** api processes (local) or max instances (cloud) serving the load, with their vCPUs; local worker processes of the async batches. */
  readonly capacity: { readonly apiInstances: number; readonly vcpusPerInstance: number; readonly workerInstances?: readonly number[] };
  /** Local: which cores the generator and each process ran on. */
  readonly placement?: string;
  readonly machine: MachineInfo;
  readonly versions: Readonly<Record<string, string>>;
  /** The first (or only) run. */
  readonly scenarios: readonly ScenarioResult[];
  /** Every run, when repeated. */
  readonly runs: ReadonlyArray<readonly ScenarioResult[]>;
  /** Present with two or more runs. */
  readonly confidence?: readonly ScenarioEstimate[];
  readonly speedup?: readonly SpeedupPoint[];
  /** Cloud: Cloud Monitoring series of the run window (instances, CPU, backlog), for the figures. */
  readonly monitoring?: readonly MonitoringSeries[];
  /** The resilience scenario: per fault what was lost, duplicated, how long recovery took, and its verdict. */
  readonly resilience?: ResilienceResult;
  readonly verdict: { readonly ok: boolean; readonly failures: readonly string[] };
}

/** One Cloud Monitoring series, reduced to what the report plots. */
export interface MonitoringSeries {
  /** e.g. apiInstances, apiCpu, queueDepth. */
  readonly name: string;
  /** What it measures, with its unit. */
  readonly label: string;
  /** Seconds since the run started, and the value (summed over the resource's series, e.g. queue shards). */
  readonly points: ReadonlyArray<{ readonly t: number; readonly value: number }>;
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
    ...(httpRuns.every((r) => r.knee) ? { knee: estimate(httpRuns.map((r) => r.knee!.heldRps)) } : {}),
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
