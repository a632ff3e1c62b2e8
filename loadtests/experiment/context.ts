/** What a run (local or cloud) gets from the command, and what it gives back. */
import type { Progress } from "../node/http-runner";
import type { ScenarioResult, SpeedupPoint, Summary } from "../results";
import type { ExperimentOptions } from "./options";

export type ProgressEvent = Progress | { readonly scenario: "async"; readonly published: number; readonly categorised: number; readonly backlog: number };

export interface ExperimentContext {
  readonly options: ExperimentOptions;
  readonly outDir: string;
  /** A line for the operator. */
  log(line: string): void;
  /** Live progress (stage, VUs, rps, P95 so far, queue backlog). */
  progress(event: ProgressEvent): void;
  /** Registers something to undo when the run ends, however it ends (last registered runs first). */
  cleanup(step: () => Promise<void>): void;
}

export interface ExperimentOutcome {
  readonly baseUrl: string;
  readonly capacity: Summary["capacity"];
  readonly runs: ScenarioResult[][];
  readonly speedup?: SpeedupPoint[];
  readonly versions?: Record<string, string>;
}

/** One line of progress for the terminal. */
export function formatProgress(event: ProgressEvent): string {
  if ("published" in event) return `async: published ${event.published}, categorised ${event.categorised}, backlog ${event.backlog}`;
  return `${event.scenario}: stage ${event.stage}/${event.stages}, ${event.vus} VUs, ${event.rps} req/s, P95 ${event.p95.toFixed(1)} ms${event.errors ? `, ${event.errors} errors` : ""}`;
}
