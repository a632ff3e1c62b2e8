/**
 * The Node runner's open model (k6's `ramping-arrival-rate`): requests start on a schedule
 * whatever the answers do, and the offered rate steps up until the SLO breaks.
 *
 * - Arrival k of a step at rate r is due at t0 + k/r. A timer sends every arrival that is due
 *   (at high rates a batch per timer tick), each on a free VU; an arrival that finds all `maxVus`
 *   VUs busy is dropped and counts as a failure, like k6's dropped iterations.
 * - Arrival n of the scenario acts as user n mod U of the U users (`openArrival`): the load spreads
 *   evenly over the whole population (each mixed user writes to its own account, as in the study),
 *   however few VUs the rate needs, with the mix exact. The k6 script does the same.
 * - Latency is measured from the intended start, not from the moment the request went out, so a
 *   generator that falls behind cannot hide the wait (coordinated omission; wrk2's approach). A
 *   request sent more than GENERATOR_LATE_MS late also counts as "not started on time".
 * - The generator measures its own CPU per step: a knee found while it was saturated is a lower bound.
 *
 * HTTP goes through undici's dispatcher API (no response stream objects): the generator shares
 * the machine with the system under test, so every microsecond it spends per request counts.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool, type Dispatcher } from "undici";
import { kneeBounds, KneeSearch } from "../knee";
import { openArrival, requestFor, type LoadFixtures } from "../requests";
import type { ArrivalStepResult, GeneratorUsage, Knee, OpenModelResult, OpenTimelinePoint } from "../results";
import type { ArrivalSearch, HttpScenario } from "../scenarios";
import { GENERATOR_LATE_MS, openStepVerdict } from "../slo";
import { LatencyHistogram } from "../stats";

/** At this share of one core the (single-threaded) generator is saturated and may be the limit. */
export const GENERATOR_SATURATED_SHARE = 0.9;

export interface OpenProgress {
  readonly scenario: string;
  /** Offered rate of the running step (0 between steps). */
  readonly targetRps: number;
  readonly achievedRps: number;
  readonly p95: number;
  readonly errors: number;
  readonly inFlight: number;
  /** Steps run so far in this scenario (the running one included). */
  readonly step: number;
  /** Upper bound of the seconds this search has left (for the ETA). */
  readonly secondsLeftBound: number;
}

export interface ArrivalRunnerOptions {
  readonly baseUrl: string;
  readonly scenario: Pick<HttpScenario, "name" | "mix">;
  readonly search: Pick<ArrivalSearch, "preAllocatedVus" | "maxVus">;
  readonly fixtures: LoadFixtures;
  /** A request without a complete answer after this long fails. @default 10 s */
  readonly timeoutMs?: number;
  /** Called at the end of every second with that second's figures. */
  readonly onSecond?: (point: OpenTimelinePoint) => void;
  /** The task backlog the writes leave for the worker, sampled once a second for the timeline (local runs). */
  readonly taskBacklog?: () => Promise<number>;
}

/** Busy and total jiffies of the whole machine (Linux); undefined elsewhere. */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile of a small per-second sample (sorted in place). */
function samplePercentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Free VUs in release order (FIFO). */
class VuQueue {
  private readonly ring: Int32Array;
  private head = 0;
  private size = 0;

  constructor(capacity: number) {
    this.ring = new Int32Array(capacity);
  }

  push(id: number): void {
    this.ring[(this.head + this.size) % this.ring.length] = id;
    this.size++;
  }

  shift(): number | undefined {
    if (this.size === 0) return undefined;
    const id = this.ring[this.head]!;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    return id;
  }
}

class StepRecorder {
  readonly latency = new LatencyHistogram();
  readonly service = new LatencyHistogram();
  offered = 0;
  completed = 0;
  failed = 0;
  dropped = 0;
  late = 0;
  okInWindow = 0;
  peakInFlight = 0;
  inWindow = true;
}

class SecondRecorder {
  /** The highest offered rate of any step running during the second. */
  targetRps = 0;
  offered = 0;
  achieved = 0;
  errors = 0;
  samples: number[] = [];

  reset(targetRps: number): void {
    this.targetRps = targetRps;
    this.offered = 0;
    this.achieved = 0;
    this.errors = 0;
    this.samples = [];
  }
}

export class ArrivalRunner {
  private readonly pool: Pool;
  /** VUs allocated so far: concurrency slots (k6 pre-allocates and grows them up to maxVus). */
  private allocatedVus = 0;
  private readonly free: VuQueue;
  /** Arrivals sent so far: the next one acts as user arrivals mod U. */
  private arrivals = 0;
  private readonly timeoutMs: number;
  /** performance.now() when the runner started: the origin of `startedAt` and the timeline. */
  readonly started = performance.now();
  private readonly second = new SecondRecorder();
  private readonly ticker: NodeJS.Timeout;
  private readonly runTag = `${process.pid}-${Date.now().toString(36)}`;
  private targetRps = 0;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private lastTaskBacklog: number | undefined;
  private sampling = false;
  readonly timeline: OpenTimelinePoint[] = [];

  constructor(private readonly options: ArrivalRunnerOptions) {
    if (options.fixtures.users.length === 0) throw new Error(`${options.scenario.name}: no users to send requests as`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pool = new Pool(options.baseUrl, { connections: options.search.maxVus, pipelining: 1, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    this.free = new VuQueue(options.search.maxVus);
    for (let i = 0; i < Math.min(options.search.preAllocatedVus, options.search.maxVus); i++) this.allocateVu();
    this.ticker = setInterval(() => this.closeSecond(), 1000);
  }

  /** Seconds since the runner started (the scenario's time axis). */
  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  private allocateVu(): void {
    this.free.push(this.allocatedVus++);
  }

  private closeSecond(): void {
    const sorted = Float64Array.from(this.second.samples).sort();
    const point: OpenTimelinePoint = {
      t: Math.round(this.elapsed() * 10) / 10,
      targetRps: this.second.targetRps,
      offered: this.second.offered,
      achieved: this.second.achieved,
      errors: this.second.errors,
      p95: samplePercentile(sorted, 95),
      inFlight: this.inFlight,
      ...(this.lastTaskBacklog !== undefined ? { taskBacklog: this.lastTaskBacklog } : {}),
    };
    this.sampleTaskBacklog();
    this.timeline.push(point);
    this.second.reset(this.targetRps);
    this.options.onSecond?.(point);
  }

  /** Starts one backlog sample (at most one at a time); the next second's point shows it. */
  private sampleTaskBacklog(): void {
    if (!this.options.taskBacklog || this.sampling) return;
    this.sampling = true;
    this.options
      .taskBacklog()
      .then((n) => (this.lastTaskBacklog = n), () => undefined)
      .finally(() => (this.sampling = false));
  }

  /** Sends arrival `intended` (a performance.now() time) on a free VU, or drops it. */
  private arrive(intended: number, now: number, step: StepRecorder): void {
    step.offered++;
    this.second.offered++;
    let id = this.free.shift();
    if (id === undefined && this.allocatedVus < this.options.search.maxVus) {
      this.allocateVu();
      id = this.free.shift();
    }
    if (id === undefined) {
      step.dropped++;
      this.second.errors++;
      return;
    }
    if (now - intended > GENERATOR_LATE_MS) step.late++;
    const n = this.arrivals++;
    const { user, iteration, kind } = openArrival(this.options.fixtures.users, this.options.scenario.mix, n);
    const request = requestFor(kind, user, iteration, `${this.options.scenario.name}-${n}-${this.runTag}`, Date.now());
    this.inFlight++;
    if (this.inFlight > step.peakInFlight) step.peakInFlight = this.inFlight;
    let status = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const end = performance.now();
      const ok = status >= 200 && status < 300;
      step.latency.recordMs(end - intended);
      step.service.recordMs(end - now);
      step.completed++;
      if (!ok) step.failed++;
      else if (step.inWindow) step.okInWindow++;
      this.second.samples.push(end - intended);
      if (ok) this.second.achieved++;
      else this.second.errors++;
      this.free.push(id);
      if (--this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: () => undefined,
      onResponseStart: (_controller, statusCode) => void (status = statusCode),
      onResponseEnd: finish,
      onResponseError: () => {
        status = 0;
        finish();
      },
    };
    this.pool.dispatch({ path: request.path, method: request.method, headers: request.headers, body: request.body }, handler);
  }

  /** Resolves when no request is in flight (they all end: each has a timeout). */
  private idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Offers `rps` for `seconds`, then waits for the step's last answers. */
  async runStep(rps: number, seconds: number, ladder = 0): Promise<ArrivalStepResult> {
    const total = Math.max(1, Math.round(rps * seconds));
    const intervalMs = 1000 / rps;
    const step = new StepRecorder();
    const cpuBefore = process.cpuUsage();
    const machineBefore = machineJiffies();
    const t0 = performance.now();
    const startedAt = (t0 - this.started) / 1000;
    this.targetRps = rps;
    this.second.targetRps = Math.max(this.second.targetRps, rps);
    await new Promise<void>((resolve) => {
      let k = 0;
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor((now - t0) / intervalMs) + 1);
        for (; k < due; k++) this.arrive(t0 + k * intervalMs, now, step);
        if (k >= total) return resolve();
        // Node's timers fire no sooner than 1 ms: at high rates each tick sends a batch.
        setTimeout(tick, Math.max(0, t0 + k * intervalMs - performance.now()));
      };
      tick();
    });
    const windowEnd = t0 + seconds * 1000;
    if (performance.now() < windowEnd) await sleep(windowEnd - performance.now());
    step.inWindow = false;
    this.targetRps = 0;
    await this.idle();
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const machineAfter = machineJiffies();
    const errors = step.failed + step.dropped;
    const errorRate = errors / step.offered;
    const notOnTimeRate = (step.dropped + step.late) / step.offered;
    const p95 = step.latency.percentileMs(95);
    return {
      ladder,
      rps,
      startedAt,
      durationSeconds: seconds,
      offered: step.offered,
      completed: step.completed,
      achievedRps: step.okInWindow / seconds,
      errors,
      dropped: step.dropped,
      late: step.late,
      p50: step.latency.percentileMs(50),
      p95,
      p99: step.latency.percentileMs(99),
      serviceP95: step.service.percentileMs(95),
      errorRate,
      notOnTimeRate,
      peakInFlight: step.peakInFlight,
      generatorCpuShare: (cpu.user + cpu.system) / 1e6 / wall,
      ...(machineBefore && machineAfter && machineAfter.total > machineBefore.total
        ? { machineCpuShare: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) }
        : {}),
      slo: openStepVerdict(p95, errorRate, notOnTimeRate),
    };
  }

  /** Lets the system settle between ladders (after a broken step its queues need to empty). */
  async pause(seconds: number): Promise<void> {
    await this.idle();
    await sleep(seconds * 1000);
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    if (this.second.offered + this.second.samples.length > 0) this.closeSecond();
    await this.pool.close();
  }
}

/** Why the generator may have limited a step (empty when it did not). */
export function generatorWarnings(steps: readonly ArrivalStepResult[], knee: Pick<Knee, "heldRps" | "brokeAtRps">): string[] {
  const warnings: string[] = [];
  const around = steps.filter((s) => s.rps === knee.heldRps || s.rps === knee.brokeAtRps);
  for (const s of around) {
    if (s.generatorCpuShare >= GENERATOR_SATURATED_SHARE) {
      warnings.push(`at ${s.rps.toLocaleString("en-US")} req/s the load generator used ${(s.generatorCpuShare * 100).toFixed(0)} % of a core: it, not the system, may be the limit, so the knee is a lower bound`);
    }
    if (s.late / s.offered >= 0.005) {
      warnings.push(`at ${s.rps.toLocaleString("en-US")} req/s the generator started ${((s.late / s.offered) * 100).toFixed(1)} % of requests more than ${GENERATOR_LATE_MS} ms late (CPU-starved): the knee is a lower bound`);
    }
  }
  return [...new Set(warnings)];
}

/** The knee and its figures from the steps of a search. */
export function kneeOf(steps: readonly ArrivalStepResult[], search: Pick<ArrivalSearch, "maxRps">): { knee: Knee; warnings: string[] } {
  const bounds = kneeBounds(steps.map((s) => ({ rps: s.rps, held: s.slo.ok })));
  const at = [...steps].reverse().find((s) => s.slo.ok && s.rps === bounds.heldRps);
  const above = bounds.brokeAtRps === null ? undefined : steps.find((s) => !s.slo.ok && s.rps === bounds.brokeAtRps);
  const warnings = generatorWarnings(steps, bounds);
  if (bounds.brokeAtRps === null && bounds.heldRps >= search.maxRps) warnings.push(`the SLO held up to the search's highest rate (${search.maxRps.toLocaleString("en-US")} req/s): the knee is at least that`);
  const generatorLimited = warnings.some((w) => w.includes("generator"));
  return {
    knee: {
      heldRps: bounds.heldRps,
      brokeAtRps: bounds.brokeAtRps,
      p95: at?.p95 ?? 0,
      errorRate: at?.errorRate ?? 0,
      generatorCpuShare: at?.generatorCpuShare ?? 0,
      brokeBecause: above?.slo.reason ?? null,
      generatorLimited,
      lowerBound: generatorLimited || bounds.brokeAtRps === null,
    },
    warnings,
  };
}

export interface KneeSearchOptions extends Omit<ArrivalRunnerOptions, "search" | "onSecond"> {
  readonly search: ArrivalSearch;
  readonly onProgress?: (progress: OpenProgress) => void;
  /** Pause between ladders, for the system to recover from the broken step. @default 2 s */
  readonly recoverySeconds?: number;
  /**
   * Waits, before each ladder, until the work earlier steps left behind is done (locally: the task
   * backlog their writes queued for the worker), so that no ladder inherits another's load.
   */
  readonly settle?: () => Promise<void>;
}

/** Runs the whole knee search of a scenario with the Node runner. */
export async function runKneeSearch(options: KneeSearchOptions): Promise<OpenModelResult> {
  const { search } = options;
  const kneeSearch = new KneeSearch(search);
  const steps: ArrivalStepResult[] = [];
  let ladderLeft = 0;
  let stepEndsAt = 0;
  const progress = (point: OpenTimelinePoint) => {
    const stepsLeft = ladderLeft + kneeSearch.remainingStepsBound();
    options.onProgress?.({
      scenario: options.scenario.name,
      targetRps: point.targetRps,
      achievedRps: point.achieved,
      p95: point.p95,
      errors: point.errors,
      inFlight: point.inFlight,
      step: steps.length + 1,
      secondsLeftBound: stepsLeft * (search.stepSeconds + 1) + Math.max(0, stepEndsAt - performance.now() / 1000),
    });
  };
  const runner = new ArrivalRunner({ ...options, onSecond: progress });
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  const startedAtMs = Date.now();
  const loadAtStart = loadavg()[0]!;
  try {
    if (search.warmupSeconds > 0) {
      await runner.runStep(search.startRps, search.warmupSeconds); // not measured
      await runner.pause(1);
    }
    for (let ladder = 0, rates = kneeSearch.next(); rates; ladder++, rates = kneeSearch.next()) {
      if (ladder > 0) await runner.pause(options.recoverySeconds ?? 2);
      await options.settle?.();
      const ran: ArrivalStepResult[] = [];
      for (const [i, rps] of rates.entries()) {
        ladderLeft = rates.length - i - 1;
        stepEndsAt = performance.now() / 1000 + search.stepSeconds;
        const step = await runner.runStep(rps, search.stepSeconds, ladder);
        ran.push(step);
        if (!step.slo.ok) break;
      }
      steps.push(...ran); // ends at its first broken step
      kneeSearch.record(ran.map((s) => ({ rps: s.rps, held: s.slo.ok })));
    }
  } finally {
    await runner.close();
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const generator: GeneratorUsage = { tool: "node", wallSeconds, cpuSeconds, cpuPercentOfOneCore: (cpuSeconds / wallSeconds) * 100, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  const { knee, warnings } = kneeOf(steps, search);
  const loadAverage = { atStart: Math.round(loadAtStart * 100) / 100, atEnd: Math.round(loadavg()[0]! * 100) / 100 };
  return { search, startedAtMs, steps, knee, timeline: runner.timeline, generator, warnings, loadAverage };
}
