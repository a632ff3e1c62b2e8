/**
 * The runner's per-second progress as live-view samples. The runner already reports one progress
 * event about every second (`ExperimentContext.progress`); this maps such an event to a sample
 * and a status line, taking the richer fields (P50/P99, offered rate, ETA) when the event has
 * them, so the live view needs nothing else from the runner.
 */
import type { LiveSample, LiveStatus } from "./messages";

/** What a progress event may carry; only `scenario` is required. */
export interface ProgressLike {
  readonly scenario: string;
  readonly stage?: number;
  readonly stages?: number;
  readonly vus?: number;
  /** Achieved requests in the last second. */
  readonly rps?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly errors?: number;
  /** Offered requests per second (an open model's arrival rate; a closed model's VUs / think time). */
  readonly offeredRps?: number;
  /** The async scenario. */
  readonly published?: number;
  readonly categorised?: number;
  readonly backlog?: number;
  /** When the run is expected to end (epoch ms). */
  readonly etaAt?: number;
}

/** The study's closed model: each VU requests, then thinks 1 s, so it offers about 1 req/s. */
export const CLOSED_MODEL_THINK_SECONDS = 1;

export function stageText(event: ProgressLike): string {
  if (event.published !== undefined) return `${event.scenario}: ${event.published} published, ${event.categorised ?? 0} categorised, backlog ${event.backlog ?? 0}`;
  const stage = event.stage !== undefined && event.stages !== undefined ? `stage ${event.stage}/${event.stages}` : "";
  const vus = event.vus !== undefined ? `${event.vus} VUs` : "";
  return [event.scenario, [stage, vus].filter(Boolean).join(", ")].filter(Boolean).join(": ");
}

export function sampleFromProgress(event: ProgressLike, at = Date.now()): LiveSample {
  const offered = event.offeredRps ?? (event.vus !== undefined ? event.vus / CLOSED_MODEL_THINK_SECONDS : undefined);
  return {
    at,
    scenario: event.scenario,
    stage: stageText(event),
    offeredRps: event.published === undefined ? offered : undefined,
    achievedRps: event.rps,
    p50Ms: event.p50,
    p95Ms: event.p95,
    p99Ms: event.p99,
    errors: event.errors,
    backlog: event.backlog,
  };
}

export function statusFromProgress(event: ProgressLike): LiveStatus {
  return { text: stageText(event), etaAt: event.etaAt };
}
