/**
 * What each of the app's roles needs from Cloud Run (ingress, IAM invoker check, affinity, CPU)
 * and its sizing defaults: the AppService's knowledge of the roles, kept apart from the construct.
 */
import { ROLE_SIZING, STUDY_INSTANCE_SIZING, type ServiceRole } from "../contract";

/** Size, scaling and limits of one service. */
export interface ServiceSizing {
  /** vCPU per instance, as Cloud Run writes it ("1", "2", "1000m"). @default "1" */
  readonly cpu?: string;
  /** Memory per instance ("512Mi", "1Gi"). @default "1Gi" */
  readonly memory?: string;
  /** @default 0 (scale to zero) */
  readonly minInstances?: number;
  /** @default 10, realtime 5 */
  readonly maxInstances?: number;
  /** Concurrent requests per instance (Cloud Run allows up to 1,000). @default 80, realtime 1000, worker 50 */
  readonly concurrency?: number;
  /** PostgreSQL connections each instance opens at most (`DB_POOL_SIZE`). @default 10, realtime 2, worker 5 */
  readonly dbPoolSize?: number;
  /** Request timeout in seconds (Cloud Run: 1-3600). @default 60, realtime 3600, worker 900 */
  readonly timeoutSeconds?: number;
}

/** The study's instance (1 vCPU, 1 GiB, up to 10), under each role's own needs (ROLE_PROFILES). */
export const DEFAULT_SIZING: Required<ServiceSizing> = STUDY_INSTANCE_SIZING;

/** What a role needs from Cloud Run. */
export interface RoleProfile {
  readonly description: string;
  /**
   * api and realtime accept traffic only through the external load balancer; the worker only
   * from inside the project (Cloud Tasks) and never from the internet.
   */
  readonly ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" | "INGRESS_TRAFFIC_INTERNAL_ONLY";
  /**
   * Skip the IAM invoker check. Only for services whose ingress is the load balancer, which
   * carries end-user requests without Google identity tokens; the worker always requires IAM.
   */
  readonly invokerIamDisabled: boolean;
  /** Route a client's requests to the same instance (WebSocket reconnects land where state is). */
  readonly sessionAffinity: boolean;
  /** Keep CPU between requests: needed to push WebSocket frames and heartbeats outside requests. */
  readonly cpuAlwaysAllocated: boolean;
  /** Sizing defaults of the role over DEFAULT_SIZING. */
  readonly sizing: ServiceSizing;
}

export const ROLE_PROFILES: Readonly<Record<ServiceRole, RoleProfile>> = {
  api: {
    description: "HTTP API: reads through the Redis cache, writes in PostgreSQL, enqueues tasks.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    invokerIamDisabled: true,
    sessionAffinity: false,
    cpuAlwaysAllocated: false,
    sizing: ROLE_SIZING.api,
  },
  realtime: {
    description: "WebSocket server; instances share tenant events through Redis pub/sub.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    invokerIamDisabled: true,
    sessionAffinity: true,
    cpuAlwaysAllocated: true,
    sizing: ROLE_SIZING.realtime,
  },
  worker: {
    description: "Push-task worker invoked by Cloud Tasks with OIDC tokens.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    invokerIamDisabled: false,
    sessionAffinity: false,
    cpuAlwaysAllocated: false,
    sizing: ROLE_SIZING.worker,
  },
};
