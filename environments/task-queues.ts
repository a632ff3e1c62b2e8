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
 * Share of the worker's concurrent capacity each task type may dispatch into; the shares sum to 1.
 * Categorisation is the hot path (one task per uncategorised transaction); imports are heavy and
 * few; notifications are light.
 */
export const DISPATCH_SHARES: Readonly<Record<TaskType, number>> = { categorise: 0.8, import: 0.05, notify: 0.15 };

/** The policy of one task type before its concurrency is sized against the worker. */
type UnsizedPolicy = Omit<TaskQueuePolicy, "maxConcurrentDispatches">;

/**
 * Defaults shared by every environment; an environment may override any field per task type.
 * Categorisation is sharded to go past the 500/s per-queue cap. Concurrency is not here: it is the
 * type's share of what the worker can take (see `dispatchConcurrency`), unless an environment sets it.
 */
export const DEFAULT_TASK_QUEUE_POLICIES: Readonly<Record<TaskType, UnsizedPolicy>> = {
  categorise: {
    shards: 4,
    maxDispatchesPerSecond: 500,
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

/** Per shard: the type's share of the worker's capacity, split over its shards (at least 1). */
export function dispatchConcurrency(type: TaskType, shards: number, worker: WorkerCapacity): number {
  return Math.max(1, Math.floor((DISPATCH_SHARES[type] * maxConcurrentRequests(worker)) / shards));
}

/**
 * The worker's default sizing (environments/schema.ts builds its role defaults from it): task
 * handlers are short database transactions, so 50 at once per instance.
 */
export const DEFAULT_WORKER_CAPACITY: WorkerCapacity = { maxInstances: 10, concurrency: 50 };

/** The default policies sized for the default worker. */
export const DEFAULT_TASK_QUEUES: TaskQueuePolicies = resolveTaskQueuePolicies({}, DEFAULT_WORKER_CAPACITY);

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

/**
 * The defaults with an environment's overrides merged in, field by field; concurrency sized
 * against the worker unless the environment sets it (the dispatch budget then checks it).
 */
export function resolveTaskQueuePolicies(overrides: TaskQueueOverrides, worker: WorkerCapacity): TaskQueuePolicies {
  return Object.fromEntries(
    TASK_TYPES.map((type) => {
      const base = DEFAULT_TASK_QUEUE_POLICIES[type];
      const override = overrides[type] ?? {};
      const shards = override.shards ?? base.shards;
      const maxConcurrentDispatches = override.maxConcurrentDispatches ?? dispatchConcurrency(type, shards, worker);
      return [type, { ...base, ...override, shards, maxConcurrentDispatches, retry: { ...base.retry, ...override.retry } }];
    }),
  ) as Record<TaskType, TaskQueuePolicy>;
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
