/** What a run (local or cloud) gets from the command, and what it gives back. */
import type { OpenProgress } from "../node/arrival-runner";
import type { Progress } from "../node/http-runner";
import type { ScenarioResult, SpeedupPoint, Summary } from "../results";
import type { ResilienceResult } from "../resilience/types";
import type { Eta } from "./eta";
import type { ProgressLike } from "../live/progress-feed";
import type { ExperimentOptions } from "./options";

export type ProgressEvent =
  | Progress
  | OpenProgress
  | { readonly scenario: "async"; readonly published: number; readonly categorised: number; readonly backlog: number };

export interface ExperimentContext {
  readonly options: ExperimentOptions;
  readonly outDir: string;
  /** A line for the operator. */
  log(line: string): void;
  /** Live progress (stage or offered rate, rps, P95 so far, backlog), with elapsed time and ETA. */
  progress(event: ProgressEvent): void;
  /** Elapsed time and time left; runs mark their pieces of work started and finished. */
  readonly eta: Eta;
  /** Registers something to undo when the run ends, however it ends (last registered runs first). */
  cleanup(step: () => Promise<void>): void;
}

export interface ExperimentOutcome {
  readonly baseUrl: string;
  readonly capacity: Summary["capacity"];
  readonly placement?: string;
  readonly runs: ScenarioResult[][];
  readonly speedup?: SpeedupPoint[];
  readonly versions?: Record<string, string>;
  /** Cloud: Cloud Monitoring series of the run window, for the figures. */
  readonly monitoring?: Summary["monitoring"];
  /** The resilience scenario, when it ran. */
  readonly resilience?: ResilienceResult;
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");

/** One line of progress for the terminal. */
export function formatProgress(event: ProgressEvent): string {
  if ("published" in event) return `async: published ${n(event.published)}, categorised ${n(event.categorised)}, backlog ${n(event.backlog)}`;
  if ("targetRps" in event) {
    const offered = event.targetRps > 0 ? `offered ${n(event.targetRps)} req/s` : "between steps";
    return `${event.scenario}: step ${event.step}, ${offered}, achieved ${n(event.achievedRps)} req/s, P95 ${event.p95.toFixed(1)} ms, in flight ${n(event.inFlight)}${event.errors ? `, ${n(event.errors)} errors` : ""}`;
  }
  return `${event.scenario}: stage ${event.stage}/${event.stages}, ${event.vus} VUs, ${event.rps} req/s, P95 ${event.p95.toFixed(1)} ms${event.errors ? `, ${event.errors} errors` : ""}`;
}

/** The fields the live view reads (loadtests/live/progress-feed.ts) from any progress event. */
export function liveProgress(event: ProgressEvent, etaAt?: number): ProgressLike {
  if ("targetRps" in event) return { scenario: event.scenario, rps: event.achievedRps, p95: event.p95, errors: event.errors, offeredRps: event.targetRps, etaAt };
  return { ...event, etaAt };
}
