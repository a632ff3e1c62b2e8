/**
 * The resilience experiment's faults and their schedule: each component of the system is stopped
 * and started again in turn, one at a time, under a steady mixed load, an async drain and
 * connected WebSocket clients, with a quiet period between faults (the HA guide's advice: test
 * failover by actually stopping the component).
 *
 * Pure data and arithmetic: the runners (local processes, or gcloud in the cloud) perform the
 * faults, the verdicts (verdict.ts) judge what they measured.
 */

/** Faults of the local run, in the order they strike. */
export const LOCAL_FAULTS = ["worker-kill", "dispatcher-kill", "api-kill", "api-rolling-restart", "redis-restart", "postgres-restart", "realtime-kill"] as const;
/** Their managed equivalents in a deployed environment (see cloud-plan.ts). */
export const CLOUD_FAULTS = ["worker-scaled-to-zero", "task-queues-paused", "api-new-revision", "redis-failover", "postgres-failover", "realtime-new-revision"] as const;
export type LocalFaultName = (typeof LOCAL_FAULTS)[number];
export type CloudFaultName = (typeof CLOUD_FAULTS)[number];
export type FaultName = LocalFaultName | CloudFaultName;

export type Component = "worker" | "dispatcher" | "api" | "redis" | "postgres" | "realtime";

export interface FaultSpec {
  readonly name: FaultName;
  readonly component: Component;
  /** What is done to it, for people ("SIGKILL, started again after 5 s"). */
  readonly action: string;
  /** The promise the fault tests (the README's table and the report say it beside the figures). */
  readonly promise: string;
  /** A batch of tasks is draining when it strikes (the worker and the dispatcher). */
  readonly midDrain: boolean;
  /** A dependency of every role: readiness must report it down, liveness must stay up. */
  readonly dependency?: "redis" | "postgresql";
  /** A graceful stop (SIGTERM, a new revision): no request in flight may be cut. */
  readonly graceful: boolean;
  /** One realtime instance goes: its clients must be closed promptly and catch up; the other's keep receiving. */
  readonly realtimeInstance: boolean;
  /** Stays down for `downSeconds` before it is started again (else the platform replaces it at once). */
  readonly heldDown: boolean;
}

/** How hard and how long the resilience scenario runs (per profile: a short one for CI, a full one). */
export interface ResilienceSettings {
  /** Steady load: list reads per second (GET /api/transactions and /api/accounts, 4:1). */
  readonly readRps: number;
  /** Steady load: transaction writes per second, each with an Idempotency-Key (and a categorisation task). */
  readonly writeRps: number;
  /** Users the load acts as, each with its own account (registered through the API). */
  readonly users: number;
  /** WebSocket clients per realtime instance (each a different user that the load writes for). */
  readonly clientsPerRealtime: number;
  /** Load before the first fault (not attributed to any fault). */
  readonly warmupSeconds: number;
  /** How long a held-down component stays stopped before it is started again. */
  readonly downSeconds: number;
  /** After the component is back: consecutive seconds within the SLO before the next fault. */
  readonly quietSeconds: number;
  /** Tasks published (delivery paused) just before a mid-drain fault, then released. */
  readonly drainTasks: number;
  /** At the end: how long to wait for every task and outbox row to be done before counting what is lost. */
  readonly settleTimeoutSeconds: number;
}

/** Recovery must come within this long after the component is back (issue 10). */
export const RECOVERY_TARGET_SECONDS = 10;
/** Clients of a stopped realtime instance must learn it within this long. */
export const PROMPT_CLOSE_MS = 1_000;
/** The share of a drain batch categorised before a mid-drain fault strikes. */
export const MID_DRAIN_SHARE = 0.2;

const SPECS: Readonly<Record<FaultName, Omit<FaultSpec, "name" | "action"> & { action: (s: ResilienceSettings) => string }>> = {
  "worker-kill": {
    component: "worker",
    action: (s) => `SIGKILL to the worker (launcher and instances) mid-drain, started again after ${s.downSeconds} s`,
    promise: "Cloud Tasks delivers at least once and the worker is idempotent: no task lost, none applied twice",
    midDrain: true,
    graceful: false,
    realtimeInstance: false,
    heldDown: true,
  },
  "dispatcher-kill": {
    component: "dispatcher",
    action: (s) => `SIGKILL to the dispatcher (the local Cloud Tasks) mid-drain, started again after ${s.downSeconds} s`,
    promise: "tasks held by a dead dispatcher are delivered again, once: none lost, none applied twice",
    midDrain: true,
    graceful: false,
    realtimeInstance: false,
    heldDown: true,
  },
  "api-kill": {
    component: "api",
    action: () => "SIGKILL to one api process; the cluster replaces it (as Cloud Run replaces an instance)",
    promise: "a crashed instance costs only retried requests: no committed write lost, no duplicate from a retried Idempotency-Key",
    midDrain: false,
    graceful: false,
    realtimeInstance: false,
    heldDown: false,
  },
  "api-rolling-restart": {
    component: "api",
    action: () => "SIGTERM to every api process in turn, each replaced before the next (a rolling restart)",
    promise: "during a SIGTERM restart no request in flight is cut: the api stops accepting, drains, then exits",
    midDrain: false,
    graceful: true,
    realtimeInstance: false,
    heldDown: false,
  },
  "redis-restart": {
    component: "redis",
    action: (s) => `SIGKILL to Redis (append-only file, fsync every second), started again after ${s.downSeconds} s`,
    promise: "while Redis is down: fast 503s with Retry-After, readiness not ready, liveness up; nothing committed or queued is lost",
    midDrain: false,
    dependency: "redis",
    graceful: false,
    realtimeInstance: false,
    heldDown: true,
  },
  "postgres-restart": {
    component: "postgres",
    action: () => "pg_ctl restart -m fast on the experiment's own PostgreSQL",
    promise: "writes are ACID: a restart costs only retried requests, no committed write is lost",
    midDrain: false,
    dependency: "postgresql",
    graceful: false,
    realtimeInstance: false,
    heldDown: false,
  },
  "realtime-kill": {
    component: "realtime",
    action: (s) => `SIGKILL to one of two realtime instances, started again after ${s.downSeconds} s`,
    promise: "clients of the surviving instance keep receiving events; those of the stopped one are closed promptly and catch up through the API",
    midDrain: false,
    graceful: false,
    realtimeInstance: true,
    heldDown: true,
  },
  "worker-scaled-to-zero": {
    component: "worker",
    action: (s) => `worker set to 0 instances (manual scaling) mid-drain, back to automatic scaling after ${s.downSeconds} s`,
    promise: "Cloud Tasks delivers at least once and the worker is idempotent: no task lost, none applied twice",
    midDrain: true,
    graceful: false,
    realtimeInstance: false,
    heldDown: true,
  },
  "task-queues-paused": {
    component: "dispatcher",
    action: (s) => `the categorisation queues paused mid-drain (gcloud tasks queues pause), resumed after ${s.downSeconds} s`,
    promise: "held tasks are delivered once delivery resumes: none lost, none applied twice",
    midDrain: true,
    graceful: false,
    realtimeInstance: false,
    heldDown: true,
  },
  "api-new-revision": {
    component: "api",
    action: () => "a new api revision under load (gcloud run services update): old instances get SIGTERM",
    promise: "during a SIGTERM restart no request in flight is cut",
    midDrain: false,
    graceful: true,
    realtimeInstance: false,
    heldDown: false,
  },
  "redis-failover": {
    component: "redis",
    action: () => "Memorystore failover to the replica (gcloud redis instances failover, limited data loss)",
    promise: "while Redis fails over: 503s with Retry-After, nothing committed or queued is lost",
    midDrain: false,
    dependency: "redis",
    graceful: false,
    realtimeInstance: false,
    heldDown: false,
  },
  "postgres-failover": {
    component: "postgres",
    action: () => "Cloud SQL failover to the standby (gcloud sql instances failover)",
    promise: "writes are ACID: a failover costs only retried requests, no committed write is lost",
    midDrain: false,
    dependency: "postgresql",
    graceful: false,
    realtimeInstance: false,
    heldDown: false,
  },
  "realtime-new-revision": {
    component: "realtime",
    action: () => "a new realtime revision (gcloud run services update): old instances close their sockets on SIGTERM",
    promise: "clients of a stopped instance are closed promptly and catch up through the API",
    midDrain: false,
    graceful: false,
    realtimeInstance: true,
    heldDown: false,
  },
};

export function faultSpec(name: FaultName, settings: ResilienceSettings): FaultSpec {
  const { action, ...rest } = SPECS[name];
  return { name, action: action(settings), ...rest };
}

/** A fault as planned: when it should strike and how long each part is expected to take. */
export interface PlannedFault {
  readonly spec: FaultSpec;
  /** Seconds since the load started: preparing (publishing the drain batch) starts here. */
  readonly prepareAt: number;
  readonly injectAt: number;
  /** When the component should be back (held down, or replaced by the platform). */
  readonly backAt: number;
  /** The quiet period ends, at the earliest. */
  readonly endAt: number;
}

/** Expected seconds to get a component back when it is not held down (replacement, fast restart). */
const RESTART_SECONDS: Readonly<Record<Component, number>> = { worker: 2, dispatcher: 2, api: 2, redis: 1, postgres: 1, realtime: 2 };
/** Publishing a drain batch through the api and letting a fifth of it drain, per task. */
const DRAIN_PREPARE_SECONDS_PER_TASK = 1 / 300;

/**
 * The planned timeline: after the warm-up, each fault in turn (one at a time), then a quiet period.
 * The run follows the order and the settings; its real times are measured (a component is back
 * when it answers again, and the quiet period waits for the SLO to hold), so this plan is what the
 * progress line's time left and the tests of the schedule use.
 */
export function faultSchedule(faults: readonly FaultName[], settings: ResilienceSettings): PlannedFault[] {
  let t = settings.warmupSeconds;
  return faults.map((name) => {
    const spec = faultSpec(name, settings);
    const prepareAt = t;
    const injectAt = prepareAt + (spec.midDrain ? 1 + settings.drainTasks * DRAIN_PREPARE_SECONDS_PER_TASK : 0);
    const backAt = injectAt + (spec.heldDown ? settings.downSeconds : 0) + RESTART_SECONDS[spec.component] * (spec.graceful ? 2 : 1);
    const endAt = backAt + settings.quietSeconds;
    t = endAt;
    return { spec, prepareAt, injectAt, backAt, endAt };
  });
}

/** Setup (throwaway servers, processes, users, clients) and the final settle and audit, locally. */
const LOCAL_SETUP_SECONDS = 25;
const AUDIT_SECONDS = 5;

/** Planned wall time of the whole scenario (for the ETA; the run measures its own). */
export function plannedSeconds(faults: readonly FaultName[], settings: ResilienceSettings): number {
  const schedule = faultSchedule(faults, settings);
  return LOCAL_SETUP_SECONDS + (schedule.at(-1)?.endAt ?? settings.warmupSeconds) + AUDIT_SECONDS;
}
