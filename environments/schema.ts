/**
 * The typed, validated shape of an environment's configuration.
 *
 * Config is data: each environment file (dev.ts, staging.ts, prod.ts, local.ts) gives only what
 * differs from these defaults. Defaults lean to the safe side (deletion protection, backups, TLS,
 * HA where it is cheap); cheaper environments opt out explicitly and visibly.
 *
 * Validation happens once, before any construct is built (environments/index.ts), and fails with
 * the setting, the offending value and the rule.
 */
import { z } from "zod";
import { DEFAULT_CONNECTION_RESERVE } from "../lib/connection-budget";
import { SERVICE_ROLES, type ServiceRole } from "../contract";
import { edgeSchema } from "./edge";
import { localDockerSchema } from "./local-docker";
import { observabilitySchema } from "./observability";
import { policySchema } from "./policy";
import {
  CLOUD_TASKS_MAX_CONCURRENT_DISPATCHES,
  CLOUD_TASKS_MAX_DISPATCHES_PER_SECOND,
  ROLE_SIZING,
  STUDY_INSTANCE_SIZING,
  resolveTaskQueuePolicies,
  TASK_TYPES,
  type TaskQueuePolicies,
  type TaskType,
} from "../contract";

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod", "local"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
/** Environments deployed to Google Cloud (local runs on Docker). */
export const CLOUD_ENVIRONMENT_NAMES = ["dev", "staging", "prod"] as const;
export type CloudEnvironmentName = (typeof CLOUD_ENVIRONMENT_NAMES)[number];

export { SERVICE_ROLES, type ServiceRole } from "../contract";

const int = (min: number, max: number) => z.number().int().min(min).max(max);

// GCP label rules: keys start with a lowercase letter; keys and values use [a-z0-9_-], <= 63 chars.
const labelKey = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, "must be a GCP label key: lowercase letter first, then [a-z0-9_-], at most 63 characters");
const labelValue = z.string().regex(/^[a-z0-9_-]{0,63}$/, "must be a GCP label value: [a-z0-9_-], at most 63 characters");

/** GCP project ids: 6–30 characters, lowercase letters, digits and hyphens, starting with a letter. */
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR range such as 10.10.0.0/24");

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a UTC time HH:MM");

export const networkSchema = z.strictObject({
  /**
   * Subnet used by Cloud Run direct VPC egress. Each instance takes up to two addresses while it
   * scales, so size it at least 2 x the sum of max instances; /24 is the documented minimum
   * recommendation (Cloud Run rejects anything smaller than /26).
   */
  subnetCidr: cidr.default("10.10.0.0/24"),
  /** Size of the range reserved for private services access (Cloud SQL, Memorystore). */
  privateServicesPrefixLength: int(8, 24).default(20),
});

export const databaseSchema = z.strictObject({
  version: z.enum(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17"]).default("POSTGRES_16"),
  /** ENTERPRISE_PLUS requires a `db-perf-optimized-N-*` tier; ENTERPRISE a `db-custom-*` tier. */
  edition: z.enum(["ENTERPRISE", "ENTERPRISE_PLUS"]).default("ENTERPRISE"),
  /** Machine tier: `db-custom-<vCPU>-<MiB>` (ENTERPRISE) or `db-perf-optimized-N-<vCPU>` (ENTERPRISE_PLUS). */
  tier: z.string().default("db-custom-2-7680"),
  /** REGIONAL keeps a standby in a second zone with automatic failover. */
  availabilityType: z.enum(["ZONAL", "REGIONAL"]).default("REGIONAL"),
  diskSizeGb: int(10, 65536).default(20),
  /** Upper bound for automatic disk growth in GB; 0 means no limit. */
  diskAutoresizeLimitGb: int(0, 65536).default(0),
  /** Guards against `terraform destroy` and against deletion through the API. */
  deletionProtection: z.boolean().default(true),
  backups: z
    .object({
      enabled: z.boolean().default(true),
      /** Start of the daily backup window (UTC). */
      startTime: hhmm.default("02:00"),
      pointInTimeRecovery: z.boolean().default(true),
      /** Write-ahead log kept for PITR, in days (1–7 on ENTERPRISE, up to 35 on ENTERPRISE_PLUS). */
      transactionLogRetentionDays: int(1, 35).default(7),
      retainedBackups: int(1, 365).default(14),
    })
    .prefault({}),
  maintenanceWindow: z
    .object({
      /** 1 = Monday ... 7 = Sunday. */
      day: int(1, 7).default(7),
      /** Hour of day (UTC). */
      hour: int(0, 23).default(3),
      updateTrack: z.enum(["canary", "stable", "week5"]).default("stable"),
    })
    .prefault({}),
  insights: z
    .object({
      enabled: z.boolean().default(true),
      queryStringLength: int(256, 4500).default(1024),
      /** Client addresses are personal data in some jurisdictions: off unless asked for. */
      recordClientAddress: z.boolean().default(false),
    })
    .prefault({}),
  /** Statements slower than this are logged (`log_min_duration_statement`), in ms. */
  slowQueryMs: int(0, 60_000).default(250),
  /**
   * Connections kept free for operators, migrations and Cloud SQL itself. `max_connections` is
   * derived as (connection budget of all services) + reserve, unless `maxConnections` is given.
   */
  connectionReserve: int(5, 1000).default(DEFAULT_CONNECTION_RESERVE),
  /** Explicit `max_connections`; when set, the services' connection budget must fit under it. */
  maxConnections: int(25, 262_143).optional(),
  databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "must be a lowercase PostgreSQL identifier").default("valorize"),
});

export const cacheSchema = z.strictObject({
  /** STANDARD_HA adds a replica in another zone with automatic failover. */
  tier: z.enum(["BASIC", "STANDARD_HA"]).default("STANDARD_HA"),
  memorySizeGb: int(1, 300).default(1),
  redisVersion: z.enum(["REDIS_7_0", "REDIS_7_2"]).default("REDIS_7_2"),
  /**
   * Eviction policy for the read cache. Pub/sub messages are not keys, so eviction never drops
   * realtime events; cached pages are rebuilt on a miss.
   */
  maxmemoryPolicy: z.enum(["allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu"]).default("allkeys-lru"),
});

const serviceFields = {
  /** vCPU per instance, as Cloud Run writes it ("1", "2", "1000m"). */
  cpu: z.string().regex(/^(\d+(\.\d+)?|\d+m)$/, 'must be a CPU quantity such as "1", "2" or "1000m"'),
  /** Memory per instance ("512Mi", "1Gi"). */
  memory: z.string().regex(/^\d+(Mi|Gi)$/, 'must be a memory quantity such as "512Mi" or "1Gi"'),
  minInstances: int(0, 1000),
  maxInstances: int(1, 1000),
  /** Concurrent requests per instance (Cloud Run allows up to 1,000). */
  concurrency: int(1, 1000),
  /** PostgreSQL connections each instance opens at most; counts against `max_connections`. */
  dbPoolSize: int(0, 100),
  /** Request timeout in seconds (Cloud Run: 1–3600). */
  timeoutSeconds: int(1, 3600),
};

export type ServiceConfig = { readonly [K in keyof typeof serviceFields]: z.output<(typeof serviceFields)[K]> };

/** Sizing every role starts from: the study's 1 vCPU / 1 GiB instances, 10 at most. */
export const BASE_SERVICE: ServiceConfig = STUDY_INSTANCE_SIZING;

/** Per-role defaults over BASE_SERVICE (contract/sizing.ts, which the AppService construct defaults to as well). */
export const SERVICE_DEFAULTS: Readonly<Record<ServiceRole, Partial<ServiceConfig>>> = ROLE_SIZING;

const serviceOverrideSchema = z.strictObject(serviceFields).partial();

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().refine((n) => n === -1 || n >= 1, "must be -1 (unlimited) or at least 1").optional(),
  minBackoffSeconds: z.number().min(0.1).max(3600).optional(),
  maxBackoffSeconds: z.number().min(0.1).max(3600).optional(),
  maxDoublings: int(0, 16).optional(),
  maxRetryDurationSeconds: int(0, 315_360_000).optional(),
});

const taskQueueOverrideSchema = z.strictObject({
  shards: int(1, 64).optional(),
  maxDispatchesPerSecond: z.number().positive().max(CLOUD_TASKS_MAX_DISPATCHES_PER_SECOND, `Cloud Tasks allows at most ${CLOUD_TASKS_MAX_DISPATCHES_PER_SECOND} dispatches per second per queue; raise shards instead`).optional(),
  maxConcurrentDispatches: int(1, CLOUD_TASKS_MAX_CONCURRENT_DISPATCHES).optional(),
  retry: retrySchema.optional(),
  dispatchDeadlineSeconds: int(15, 1800).optional(),
  loggingSamplingRatio: z.number().min(0).max(1).optional(),
});

export const imageSchema = z.strictObject({
  /**
   * A prebuilt image to deploy instead of building `app/` during deploy, e.g.
   * `us-docker.pkg.dev/p/repo/app@sha256:...`. Pin by digest so a deploy is reproducible.
   */
  prebuiltUri: z.string().regex(/^[a-z0-9.-]+(:\d+)?\/[^\s]+$/, "must be an image reference such as region-docker.pkg.dev/project/repo/app@sha256:<digest>").optional(),
  /** Keep at most this many untagged image versions in Artifact Registry. */
  keepVersions: int(1, 1000).default(20),
});

const shape = {
  name: z.enum(ENVIRONMENT_NAMES),
  /** Resolved from the environment or CLI context, never committed (see environments/index.ts). */
  projectId: z.string().regex(PROJECT_ID_PATTERN, "must be a GCP project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter").optional(),
  region: z.string().regex(/^[a-z]+-[a-z]+\d$/, "must be a GCP region such as us-central1").default("us-central1"),
  /**
   * Prefix of every resource name. At most 20 characters so that derived service account ids
   * (`<prefix>-realtime`, 30 characters max) stay valid.
   */
  namePrefix: z.string().regex(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, "must be 2-20 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen"),
  /** Applied to every labelable resource through the provider's default labels. */
  labels: z.record(labelKey, labelValue).default({}),
  /** GCS bucket holding Terraform state; without it the stack uses a local backend. */
  stateBucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, "must be a GCS bucket name").optional(),
  /**
   * Keep a shared environment's (staging, prod) Terraform state on this machine although no
   * state bucket is set: only on purpose, e.g. a throwaway rehearsal. Never committed.
   */
  localState: z.boolean().default(false),
  network: networkSchema.prefault({}),
  database: databaseSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  services: z
    .object({
      api: serviceOverrideSchema.prefault({}),
      realtime: serviceOverrideSchema.prefault({}),
      worker: serviceOverrideSchema.prefault({}),
    })
    .prefault({}),
  taskQueues: z.strictObject(Object.fromEntries(TASK_TYPES.map((t) => [t, taskQueueOverrideSchema.optional()])) as Record<TaskType, z.ZodOptional<typeof taskQueueOverrideSchema>>).prefault({}),
  image: imageSchema.prefault({}),
  edge: edgeSchema.prefault({}),
  observability: observabilitySchema.prefault({}),
  policy: policySchema.prefault({}),
  /** Only read by the local Docker stack. */
  localDocker: localDockerSchema.prefault({}),
};

/** What an environment file writes: every setting but `name` and `namePrefix` is optional. */
export const environmentInputSchema = z.strictObject(shape);
export type EnvironmentInput = z.input<typeof environmentInputSchema>;

type ParsedInput = z.output<typeof environmentInputSchema>;

/** The fully resolved configuration every construct and stack receives. */
export interface EnvironmentConfig extends Omit<ParsedInput, "services" | "taskQueues"> {
  readonly services: Readonly<Record<ServiceRole, ServiceConfig>>;
  readonly taskQueues: TaskQueuePolicies;
}

/** Merges per-role defaults and task queue defaults under the environment's overrides. */
export function resolveEnvironment(parsed: ParsedInput): EnvironmentConfig {
  const services = Object.fromEntries(
    SERVICE_ROLES.map((role) => [role, { ...BASE_SERVICE, ...SERVICE_DEFAULTS[role], ...parsed.services[role] }]),
  ) as Record<ServiceRole, ServiceConfig>;
  return { ...parsed, services, taskQueues: resolveTaskQueuePolicies(parsed.taskQueues, services.worker) };
}
