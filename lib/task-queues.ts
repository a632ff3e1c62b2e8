/**
 * Cloud Tasks queue policies as plain data: their shape, the platform's limits, the dispatch
 * budget against the worker and queue naming. Shared by the config (environments/task-queues.ts,
 * which holds the defaults), the TaskQueues construct and the app's local dispatcher, so it
 * imports nothing (lib/ is the bottom floor).
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
 * How many requests the worker takes at once at full scale-out. Cloud Run queues a request that
 * finds every instance busy at max instances for up to 60 s, then answers 429 ("About instance
 * autoscaling", https://cloud.google.com/run/docs/about-instance-autoscaling). Cloud Tasks retries
 * a 429 with a harder backoff (HttpRequest reference, "System throttling"), and every such attempt
 * is a bad event for the worker's task-success SLO: so the queues together must never dispatch
 * more than this at once.
 */
export interface WorkerCapacity {
  readonly maxInstances: number;
  /** Concurrent requests per instance (`max_instance_request_concurrency`). */
  readonly concurrency: number;
}

export function maxConcurrentRequests(worker: WorkerCapacity): number {
  return worker.maxInstances * worker.concurrency;
}

export interface DispatchBudget {
  /** Tasks the queues may have in flight at once: the sum over shards of max concurrent dispatches. */
  readonly dispatches: number;
  /** Requests the worker takes at once at full scale-out. */
  readonly capacity: number;
  readonly fits: boolean;
  /** `categorise 4 x 100 = 400; ...` for messages. */
  readonly breakdown: string;
}

/** The queues' concurrent dispatches against the worker's capacity (see `WorkerCapacity`). */
export function dispatchBudget(policies: TaskQueuePolicies, worker: WorkerCapacity): DispatchBudget {
  const per = TASK_TYPES.map((type) => ({ type, shards: policies[type].shards, each: policies[type].maxConcurrentDispatches }));
  const dispatches = per.reduce((sum, p) => sum + p.shards * p.each, 0);
  const capacity = maxConcurrentRequests(worker);
  return {
    dispatches,
    capacity,
    fits: dispatches <= capacity,
    breakdown: per.map((p) => `${p.type} ${p.shards} x ${p.each} = ${p.shards * p.each}`).join("; "),
  };
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
