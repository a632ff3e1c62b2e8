/**
 * The one definition of the worker's task queues, read by both sides so that local and cloud
 * behave alike:
 * - the stacks turn each queue into Cloud Tasks queues (constructs/task-queues.ts);
 * - the app's local dispatcher enforces the same rate limits, concurrency, retries and backoff.
 *
 * The defaults and the sizing against the worker live here; the policy shape, Cloud Tasks' limits,
 * the dispatch budget and queue naming in lib/task-queues.ts, re-exported below for the app.
 * Pure data and types: no framework imports, so the app bundle can include it.
 */
import { maxConcurrentRequests, TASK_TYPES, type RetryPolicy, type TaskQueuePolicies, type TaskQueuePolicy, type TaskType, type WorkerCapacity } from "../lib/task-queues";

export {
  CLOUD_TASKS_MAX_CONCURRENT_DISPATCHES,
  CLOUD_TASKS_MAX_DISPATCHES_PER_SECOND,
  dispatchBudget,
  maxConcurrentRequests,
  shardFor,
  TASK_TYPES,
  taskQueueName,
  type DispatchBudget,
  type RetryPolicy,
  type TaskQueuePolicies,
  type TaskQueuePolicy,
  type TaskType,
  type WorkerCapacity,
} from "../lib/task-queues";

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

