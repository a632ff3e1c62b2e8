/**
 * The Node runner for HTTP scenarios, for machines without k6.
 *
 * It reproduces k6's closed model: each virtual user (VU) loops "send one request, wait for the
 * response, think", the number of VUs follows the stages, and every VU keeps its own identity
 * (its user, its iteration counter) for the whole run. autocannon, the usual Node load tool, has
 * no per-VU identity or think time, so the loop is ours; HTTP (undici's connection pool) and
 * statistics (HDR histograms) come from well-kept libraries.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { kindFor, requestFor, type LoadFixtures, type LoadUser } from "../requests";
import type { GeneratorUsage, HttpScenarioResult, StageResult, TimelinePoint } from "../results";
import { withVerdict } from "../results";
import type { HttpScenario } from "../scenarios";
import { scenarioTotals } from "../slo";
import { LatencyHistogram } from "../stats";

export interface Progress {
  readonly scenario: string;
  readonly stage: number;
  readonly stages: number;
  readonly vus: number;
  readonly rps: number;
  readonly p95: number;
  readonly errors: number;
  /** When the runner has them (k6's CSV tail does). */
  readonly p50?: number;
  readonly p99?: number;
}

export interface HttpRunOptions {
  readonly baseUrl: string;
  readonly scenario: HttpScenario;
  readonly fixtures: LoadFixtures;
  /** Called about once a second while the load runs. */
  readonly onProgress?: (progress: Progress) => void;
  /** Request timeout; a timed-out request counts as an error. @default 30 s */
  readonly timeoutMs?: number;
}

/** A failed request counts against the error SLO: transport errors and any non-2xx status. */
const isError = (status: number) => status < 200 || status >= 300;

/** Nearest-rank percentile of a small per-second sample (sorted in place). */
function samplePercentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

class StageRecorder {
  readonly latency = new LatencyHistogram();
  requests = 0;
  errors = 0;

  record(latencyMs: number, error: boolean): void {
    this.latency.recordMs(latencyMs);
    this.requests++;
    if (error) this.errors++;
  }
}

/** Per-second buckets for the timeline; samples are kept for one second only. */
class SecondRecorder {
  private samples: number[] = [];
  private errors = 0;
  readonly points: TimelinePoint[] = [];

  record(latencyMs: number, error: boolean): void {
    this.samples.push(latencyMs);
    if (error) this.errors++;
  }

  close(t: number, vus: number): TimelinePoint {
    const sorted = Float64Array.from(this.samples).sort();
    const point = { t, vus, requests: sorted.length, errors: this.errors, p95: samplePercentile(sorted, 95) };
    this.points.push(point);
    this.samples = [];
    this.errors = 0;
    return point;
  }
}

export async function runHttpScenario(options: HttpRunOptions): Promise<HttpScenarioResult> {
  const { scenario, fixtures } = options;
  if (fixtures.users.length === 0) throw new Error(`${scenario.name}: no users to send requests as`);
  const maxVus = Math.max(...scenario.stages.map((s) => s.vus));
  const pool = new Pool(options.baseUrl, {
    connections: maxVus,
    pipelining: 1,
    headersTimeout: options.timeoutMs ?? 30_000,
    bodyTimeout: options.timeoutMs ?? 30_000,
  });
  const thinkMs = scenario.thinkTimeSeconds * 1000;
  const stages = scenario.stages.map(() => new StageRecorder());
  const seconds = new SecondRecorder();
  let currentStage = 0;
  let activeVus = 0;
  let running = true;

  const userFor = (vu: number): LoadUser => fixtures.users[vu % fixtures.users.length]!;

  async function virtualUser(vu: number): Promise<void> {
    const user = userFor(vu);
    // Stagger starts over one think time so that VUs do not fire in lockstep.
    await sleep(Math.random() * thinkMs);
    for (let iteration = 0; running && vu < activeVus; iteration++) {
      const request = requestFor(kindFor(scenario.mix, iteration), user, iteration, `${scenario.name}-${vu}-${iteration}-${process.pid}`, Date.now());
      const started = performance.now();
      let error = true;
      try {
        const response = await pool.request({ path: request.path, method: request.method, headers: request.headers, body: request.body });
        await response.body.dump();
        error = isError(response.statusCode);
      } catch {
        error = true; // timeouts and connection failures
      }
      const latency = performance.now() - started;
      if (running) {
        stages[currentStage]!.record(latency, error);
        seconds.record(latency, error);
      }
      await sleep(thinkMs);
    }
  }

  const cpuBefore = process.cpuUsage();
  const runStarted = performance.now();
  const startedAtMs = Date.now();
  const vuLoops: Promise<void>[] = [];
  const ticker = setInterval(() => {
    const t = (performance.now() - runStarted) / 1000;
    const point = seconds.close(t, activeVus);
    options.onProgress?.({ scenario: scenario.name, stage: currentStage + 1, stages: scenario.stages.length, vus: activeVus, rps: point.requests, p95: point.p95, errors: point.errors });
  }, 1000);

  try {
    for (let i = 0; i < scenario.stages.length; i++) {
      const stage = scenario.stages[i]!;
      currentStage = i;
      // Grow: start the missing VUs. Shrink: VUs above the new count leave after their iteration.
      for (let vu = activeVus; vu < stage.vus; vu++) vuLoops.push(virtualUser(vu));
      activeVus = stage.vus;
      await sleep(stage.durationSeconds * 1000);
    }
  } finally {
    running = false;
    clearInterval(ticker);
    await Promise.allSettled(vuLoops);
    await pool.close();
  }
  const wallSeconds = (performance.now() - runStarted) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const generator: GeneratorUsage = {
    tool: "node",
    wallSeconds,
    cpuSeconds,
    cpuPercentOfOneCore: (cpuSeconds / wallSeconds) * 100,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  return { ...summarize(scenario, stages, seconds.points, generator), startedAtMs };
}

function summarize(scenario: HttpScenario, recorders: readonly StageRecorder[], timeline: readonly TimelinePoint[], generator: GeneratorUsage): HttpScenarioResult {
  const stages: StageResult[] = scenario.stages.map((stage, i) => {
    const r = recorders[i]!;
    return withVerdict({
      vus: stage.vus,
      durationSeconds: stage.durationSeconds,
      requests: r.requests,
      errors: r.errors,
      rps: r.requests / stage.durationSeconds,
      p50: r.latency.percentileMs(50),
      p95: r.latency.percentileMs(95),
      p99: r.latency.percentileMs(99),
      errorRate: r.requests === 0 ? 0 : r.errors / r.requests,
    });
  });
  const all = new LatencyHistogram();
  for (const r of recorders) all.add(r.latency);
  const { meanRps, errorRate, sloBrokeAtVus } = scenarioTotals(stages, scenario.stages);
  return {
    name: scenario.name,
    stages,
    meanRps,
    peakRps: Math.max(0, ...timeline.map((p) => p.requests)),
    p95: all.percentileMs(95),
    errorRate,
    sloBrokeAtVus,
    timeline,
    generator,
  };
}
