/**
 * What each role's Cloud Run service is sized to unless an environment says otherwise: the
 * environments' validated config starts from it and the AppService construct defaults to it, so
 * the two can never disagree.
 */
import type { ServiceRole } from "./roles";
import { DEFAULT_WORKER_CAPACITY } from "./task-queues";

/** Size, scaling and limits of one service, every field set. */
export interface InstanceSizing {
  /** vCPU per instance, as Cloud Run writes it ("1", "2", "1000m"). */
  readonly cpu: string;
  /** Memory per instance ("512Mi", "1Gi"). */
  readonly memory: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Concurrent requests per instance (Cloud Run allows up to 1,000). */
  readonly concurrency: number;
  /** PostgreSQL connections each instance opens at most (`DB_POOL_SIZE`). */
  readonly dbPoolSize: number;
  /** Request timeout in seconds (Cloud Run: 1-3600). */
  readonly timeoutSeconds: number;
}

/** The study's instance: 1 vCPU, 1 GiB, scale to zero, 10 at most. */
export const STUDY_INSTANCE_SIZING: InstanceSizing = {
  cpu: "1",
  memory: "1Gi",
  minInstances: 0,
  maxInstances: 10,
  concurrency: 80,
  dbPoolSize: 10,
  timeoutSeconds: 60,
};

/** Each role's sizing over STUDY_INSTANCE_SIZING: what the role is for decides concurrency, pool and timeout. */
export const ROLE_SIZING: Readonly<Record<ServiceRole, Partial<InstanceSizing>>> = {
  api: {},
  // One instance holds many idle WebSocket connections; a connection is a request that lives up
  // to Cloud Run's 60 min maximum, after which clients reconnect.
  realtime: { concurrency: 1000, dbPoolSize: 2, timeoutSeconds: 3600, maxInstances: 5 },
  // Task handlers are short database transactions; the queues' dispatch budget is sized to this
  // capacity (DEFAULT_WORKER_CAPACITY), so the queues never push more than the worker takes.
  worker: { ...DEFAULT_WORKER_CAPACITY, dbPoolSize: 5, timeoutSeconds: 900 },
};
