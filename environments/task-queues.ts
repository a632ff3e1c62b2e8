/**
 * The one definition of the worker's task queues, read by both sides so that local and cloud
 * behave alike:
 * - the stacks turn each queue into Cloud Tasks queues (constructs/task-queues.ts);
 * - the app's local dispatcher enforces the same rate limits, concurrency, retries and backoff.
 *
 * Pure data and types: no framework imports, so the app bundle can include it.
 */

/** Task types the worker serves at `POST /tasks/<type>`. */
export const TASK_TYPES = ["categorise", "import", "notify"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** Cloud Tasks caps one queue at 500 dispatches per second; faster queues are sharded. */
export const CLOUD_TASKS_MAX_DISPATCHES_PER_SECOND = 500;
/** Cloud Tasks caps concurrent dispatches per queue at 5,000. */
export const CLOUD_TASKS_MAX_CONCURRENT_DISPATCHES = 5000;

export interface RetryPolicy {
  /** Attempts including the first; -1 retries forever (bounded by `maxRetryDurationSeconds`). */
  readonly maxAttempts: number;
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  /** How many times the backoff doubles before growing linearly. */
  readonly maxDoublings: number;
  /** Give up after this long since the first attempt; 0 means no limit. */
  readonly maxRetryDurationSeconds: number;
}

export interface TaskQueuePolicy {
  /**
   * How many queues share this task type. The enqueuer spreads tasks over them by a hash of the
   * task name, so throughput is `shards x maxDispatchesPerSecond`.
   */
  readonly shards: number;
  /** Per shard; Cloud Tasks allows at most 500. */
  readonly maxDispatchesPerSecond: number;
  /** Per shard; Cloud Tasks allows at most 5,000. */
  readonly maxConcurrentDispatches: number;
  readonly retry: RetryPolicy;
  /** How long the worker may take before the attempt counts as failed (Cloud Tasks: 15 s–30 min). */
  readonly dispatchDeadlineSeconds: number;
  /** Fraction of dispatch attempts logged to Cloud Logging (0–1). */
  readonly loggingSamplingRatio: number;
}

export type TaskQueuePolicies = Readonly<Record<TaskType, TaskQueuePolicy>>;

/**
 * Defaults shared by every environment; an environment may override any field per task type.
 * Categorisation is the hot path (one task per uncategorised transaction), so it is sharded to
 * go past the 500/s per-queue cap; imports are heavy and few, so they run with low concurrency.
 */
export const DEFAULT_TASK_QUEUES: TaskQueuePolicies = {
  categorise: {
    shards: 4,
    maxDispatchesPerSecond: 500,
    maxConcurrentDispatches: 1000,
    retry: {
      maxAttempts: 10,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 300,
      maxDoublings: 5,
      maxRetryDurationSeconds: 3600,
    },
    dispatchDeadlineSeconds: 60,
    loggingSamplingRatio: 0.1,
  },
  import: {
    shards: 1,
    maxDispatchesPerSecond: 20,
    maxConcurrentDispatches: 20,
    retry: {
      maxAttempts: 5,
      minBackoffSeconds: 10,
      maxBackoffSeconds: 600,
      maxDoublings: 3,
      maxRetryDurationSeconds: 0,
    },
    dispatchDeadlineSeconds: 900,
    loggingSamplingRatio: 1,
  },
  notify: {
    shards: 1,
    maxDispatchesPerSecond: 100,
    maxConcurrentDispatches: 200,
    retry: {
      maxAttempts: 8,
      minBackoffSeconds: 2,
      maxBackoffSeconds: 600,
      maxDoublings: 4,
      maxRetryDurationSeconds: 86400,
    },
    dispatchDeadlineSeconds: 60,
    loggingSamplingRatio: 0.1,
  },
};

/**
 * Who pushes tasks to the worker, and for which audience: in the cloud the tasks service account
 * and the worker's custom audience (its Cloud Run service name), set by the stacks; on one machine
 * these stand-ins, which the local dispatcher mints tokens for and the local worker expects (the
 * app's defaults, and what the local Docker stack sets). The audience is what the stacks would
 * name the local worker service (`<namePrefix>-worker` with the `local` environment's prefix).
 */
export interface TaskPushIdentity {
  /** The `aud` claim pushes carry: the worker's custom audience. */
  readonly audience: string;
  /** The `email` claim pushes carry: the account Cloud Tasks mints their OIDC tokens for. */
  readonly serviceAccount: string;
}

export const LOCAL_TASK_PUSH_IDENTITY: TaskPushIdentity = {
  audience: "valorize-local-worker",
  serviceAccount: "valorize-local-tasks@valorize-local.iam.gserviceaccount.com",
};

/** What an environment may change per task type: any field, retry fields one by one. */
export type TaskQueueOverrides = Partial<Record<TaskType, Partial<Omit<TaskQueuePolicy, "retry">> & { readonly retry?: Partial<RetryPolicy> }>>;

/** The defaults with an environment's overrides merged in, field by field. */
export function resolveTaskQueuePolicies(overrides: TaskQueueOverrides = {}): TaskQueuePolicies {
  return Object.fromEntries(
    TASK_TYPES.map((type) => {
      const base = DEFAULT_TASK_QUEUES[type];
      const override = overrides[type] ?? {};
      return [type, { ...base, ...override, retry: { ...base.retry, ...override.retry } }];
    }),
  ) as Record<TaskType, TaskQueuePolicy>;
}

/**
 * Queue id of one shard, e.g. `valorize-dev-categorise-0`. Both the stack (which creates it) and
 * the app (which enqueues into it) derive names with this function.
 */
export function taskQueueName(namePrefix: string, type: TaskType, shard: number): string {
  return `${namePrefix}-${type}-${shard}`;
}

/**
 * Which shard a task goes to: a stable hash of its name, so a retried enqueue of the same task
 * lands on the same queue (where Cloud Tasks de-duplicates named tasks).
 */
export function shardFor(taskName: string, shards: number): number {
  let hash = 2166136261; // FNV-1a, 32 bit: cheap and well spread for short keys.
  for (let i = 0; i < taskName.length; i++) {
    hash ^= taskName.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % shards;
}
