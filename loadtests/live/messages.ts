/**
 * What the live view's server and page say to each other (no imports: the page's bundle
 * includes this file).
 */
/** One second of one scenario. Every measurement is optional: a runner sends what it has. */
export interface LiveSample {
  /** When the second ended (epoch ms). */
  readonly at: number;
  readonly scenario: string;
  /** The stage, as people read it, e.g. "stage 3/7, 300 VUs". */
  readonly stage?: string;
  /** Requests per second the load model asked for (closed model: VUs / think time). */
  readonly offeredRps?: number;
  /** Requests per second answered. */
  readonly achievedRps?: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  readonly p99Ms?: number;
  /** Failed requests in that second. */
  readonly errors?: number;
  /** Tasks published but not yet done (the async scenario). */
  readonly backlog?: number;
}

export interface LiveStatus {
  /** What runs now, e.g. "mixed: stage 4/7, 539 VUs" or "seeding 1,000 users". */
  readonly text: string;
  /** When the whole run is expected to end (epoch ms), if the runner knows. */
  readonly etaAt?: number;
  readonly done?: boolean;
}

export interface LiveRunInfo {
  readonly title: string;
  /** The latency SLO line on the percentile chart (ms). */
  readonly sloP95Ms: number;
  readonly startedAt: number;
}

/** Every page message: `snapshot` first, then `sample`/`status`, and `end` when the run is over. */
export type LiveMessage =
  | { readonly type: "snapshot"; readonly info: LiveRunInfo; readonly samples: readonly LiveSample[]; readonly status?: LiveStatus }
  | { readonly type: "sample"; readonly sample: LiveSample }
  | { readonly type: "status"; readonly status: LiveStatus }
  | { readonly type: "end" };

