/**
 * The environment variables the app's roles read: the contract between the app's config
 * (app/config.ts, which validates each) and whatever starts a role (the stacks' Cloud Run services
 * and migration job, the local system, the Docker stack). Typed names on both sides: renaming one
 * here breaks the build of every place that sets or reads it, instead of a deploy at run time.
 */
import type { AppRole } from "./roles";

/** Process, logging and shutdown: every role. */
const PROCESS = ["PORT", "K_SERVICE", "LOG_LEVEL", "GOOGLE_CLOUD_PROJECT", "SHUTDOWN_GRACE_MS"] as const;
/** PostgreSQL, by URL or through the Cloud SQL connector. */
const DATABASE = ["DATABASE_URL", "DB_CONNECTION_NAME", "DB_NAME", "DB_USER", "DB_AUTH", "DB_PASSWORD", "DB_IP_TYPE", "DB_POOL_SIZE", "DB_SCHEMA"] as const;
const REDIS = ["REDIS_URL", "REDIS_PASSWORD", "REDIS_CA_CERT", "REDIS_KEY_PREFIX"] as const;
/** What the roles built on the shared core services read (the read cache, the token store). */
const CORE = [...PROCESS, ...DATABASE, ...REDIS, "CACHE_TTL_SECONDS", "TOKEN_SECRET"] as const;
/** Who may push tasks to the worker: what the worker accepts, the dispatcher mints, the api names. */
const PUSH_IDENTITY = ["TASKS_SERVICE_ACCOUNT", "TASKS_OIDC_AUDIENCE"] as const;
/** Where tasks go: Cloud Tasks queues or the local ones, and the worker they reach. */
const TASK_ROUTING = ["TASKS_BACKEND", "TASK_QUEUES", "TASKS_QUEUE_PREFIX", "WORKER_URL"] as const;

/** Every variable a role reads, per role. A variable a role does not list is ignored by it. */
export const ROLE_ENV = {
  api: [...CORE, ...TASK_ROUTING, ...PUSH_IDENTITY, "WEB_ROOT", "REALTIME_PUBLIC_URL"],
  worker: [...CORE, ...PUSH_IDENTITY],
  realtime: [...CORE, "WS_HEARTBEAT_MS", "WS_MAX_BUFFERED_BYTES"],
  dispatcher: [...PROCESS, ...REDIS, "TASKS_BACKEND", "TASKS_QUEUE_PREFIX", "WORKER_URL", ...PUSH_IDENTITY],
  migrate: [...PROCESS, ...DATABASE, "DB_GRANT_TO"],
  seed: [...PROCESS, ...DATABASE, "TOKEN_SECRET"],
} as const satisfies Readonly<Record<AppRole, readonly string[]>>;

/** Every variable name any role reads. */
export type RuntimeEnvName = (typeof ROLE_ENV)[AppRole][number];
export const RUNTIME_ENV_NAMES: readonly RuntimeEnvName[] = [...new Set(Object.values(ROLE_ENV).flat())];

/** Values for some of the variables, as a process or a container gets them. */
export type RuntimeEnv = Partial<Record<RuntimeEnvName, string>>;
/** The same names, for values of another kind (e.g. Secret Manager references). */
export type RuntimeEnvOf<T> = Partial<Record<RuntimeEnvName, T>>;
