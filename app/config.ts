/**
 * Process configuration from environment variables, validated once at boot. Every problem is
 * reported at once, naming the variable, its value (secrets masked) and the rule it breaks.
 */
import { z } from "zod";
import { LOCAL_TASK_PUSH_IDENTITY, TASK_TYPES, type TaskType } from "../environments/task-queues";
import { REALTIME_PATH } from "./adapters/realtime/protocol";

export const ROLES = ["api", "worker", "realtime", "dispatcher", "migrate", "seed"] as const;
export type Role = (typeof ROLES)[number];

/** Ports used when PORT is unset, so that every role can run side by side on one machine. */
export const DEFAULT_PORTS: Readonly<Record<Role, number>> = {
  api: 8080,
  worker: 8081,
  realtime: 8082,
  dispatcher: 8083,
  migrate: 0,
  seed: 0,
};

const LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
const LOCAL_REDIS_URL = "redis://127.0.0.1:6379";
/** Only for local runs; on Cloud Run TOKEN_SECRET must come from Secret Manager. */
const DEV_TOKEN_SECRET = "valorize-local-development-token-secret";
const SECRET_VARIABLES = new Set(["DB_PASSWORD", "REDIS_PASSWORD", "TOKEN_SECRET", "DATABASE_URL", "REDIS_CA_CERT"]);

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer between ${min} and ${max}`);
const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_$]{0,62}$/, "must be a lower-case SQL identifier");
const roleName = z.string().regex(/^[A-Za-z0-9_.@-]{1,63}$/, "must list PostgreSQL role names separated by commas");
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "must be an http(s) URL");
const queuePath = z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/queues\/[A-Za-z0-9-]+$/, "must be projects/P/locations/R/queues/Q");

const taskQueuesJson = z.string().transform((text, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: "custom", message: "must be JSON mapping each task type to an array of queue paths" });
    return z.NEVER;
  }
  const shape = z.strictObject(
    Object.fromEntries(TASK_TYPES.map((type) => [type, z.array(queuePath).min(1, "needs at least one queue")])) as Record<
      TaskType,
      z.ZodArray<typeof queuePath>
    >,
  );
  const result = shape.safeParse(parsed);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: "custom", message: `${issue.path.join(".") || "(root)"}: ${issue.message}` });
    }
    return z.NEVER;
  }
  return result.data as Record<TaskType, string[]>;
});

const envSchema = z.object({
  PORT: intIn(1, 65535).optional(),
  K_SERVICE: z.string().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://").optional(),
  DB_CONNECTION_NAME: z.string().regex(/^[a-z0-9:.-]+:[a-z0-9-]+:[a-z0-9-]+$/, "must be project:region:instance").optional(),
  DB_NAME: z.string().min(1).optional(),
  DB_USER: z.string().min(1).optional(),
  DB_AUTH: z.enum(["iam", "password"], "must be iam or password").optional(),
  DB_PASSWORD: z.string().min(1).optional(),
  DB_IP_TYPE: z.enum(["PRIVATE", "PUBLIC", "PSC"], "must be PRIVATE, PUBLIC or PSC").default("PRIVATE"),
  DB_POOL_SIZE: intIn(1, 200).default(10),
  DB_SCHEMA: sqlIdentifier.default("public"),
  DB_GRANT_TO: z
    .string()
    .transform((value) => value.split(",").map((name) => name.trim()).filter(Boolean))
    .pipe(z.array(roleName))
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/[^\s]+$/, "must start with redis:// or rediss://").default(LOCAL_REDIS_URL),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_CA_CERT: z.string().includes("BEGIN CERTIFICATE", "must be one or more PEM certificates").optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, "must be 1-64 characters of A-Z a-z 0-9 : _ . -").default("vz:"),
  TASKS_BACKEND: z.enum(["local", "cloud-tasks"], "must be local or cloud-tasks").default("local"),
  TASK_QUEUES: taskQueuesJson.optional(),
  TASKS_QUEUE_PREFIX: z.string().regex(/^[a-z][a-z0-9-]{0,60}$/, "must be a lower-case queue name prefix (letters, digits, hyphens; at most 61)").default("valorize-local"),
  WORKER_URL: httpUrl.optional(),
  TASKS_SERVICE_ACCOUNT: z.email("must be a service account email").optional(),
  TASKS_OIDC_AUDIENCE: z.string().min(1).optional(),
  TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], "must be a pino level such as info").default("info"),
  CACHE_TTL_SECONDS: intIn(1, 86_400).default(300),
  SHUTDOWN_GRACE_MS: intIn(100, 60_000).default(8_000),
  WS_HEARTBEAT_MS: intIn(100, 300_000).default(30_000),
  WS_MAX_BUFFERED_BYTES: intIn(1024, 64 * 1024 * 1024).default(1024 * 1024),
  // The api: where the built web dashboard is (default: beside the bundle, see main.ts) and where
  // browsers find the realtime WebSocket (default: see realtimePublicUrl).
  WEB_ROOT: z.string().regex(/^\S+$/, "must be a directory path").optional(),
  REALTIME_PUBLIC_URL: z
    .string()
    .regex(/^(\/\S*|wss?:\/\/[^\s/]+(\/\S*)?)$/, "must be a path on the api's origin such as /ws, or a ws:// or wss:// URL")
    .optional(),
});
type Env = z.output<typeof envSchema>;

export type DatabaseConfig =
  | { readonly kind: "url"; readonly url: string; readonly schema: string; readonly poolSize: number }
  | {
      readonly kind: "cloud-sql";
      readonly connectionName: string;
      readonly database: string;
      readonly user: string;
      readonly auth: "iam" | "password";
      readonly password?: string;
      readonly ipType: "PRIVATE" | "PUBLIC" | "PSC";
      readonly schema: string;
      readonly poolSize: number;
    };

export interface RedisConfig {
  readonly url: string;
  readonly password?: string;
  readonly caCert?: string;
  readonly keyPrefix: string;
}

export type TasksConfig =
  | { readonly backend: "local"; readonly queuePrefix: string }
  | {
      readonly backend: "cloud-tasks";
      readonly queues: Readonly<Record<TaskType, readonly string[]>>;
      readonly workerUrl: string;
      readonly serviceAccount: string;
      readonly audience: string;
    };

/**
 * How pushed tasks are authenticated. One model, `cloud-run-iam`: Cloud Run's IAM invoker check
 * verifies the token's signature and forwards it stripped; the worker checks the forwarded claims
 * (app/adapters/tasks/oidc.ts). The stacks' worker service must keep that check on
 * (stacks/task-push-auth.test.ts pins the two together). Defaults: the local push identity.
 */
export interface TaskAuthConfig {
  readonly mode: "cloud-run-iam";
  /** The `aud` pushes carry: the worker's custom audience (TASKS_OIDC_AUDIENCE). */
  readonly audience: string;
  /** The `email` pushes carry: the tasks service account (TASKS_SERVICE_ACCOUNT). */
  readonly serviceAccount: string;
}

export interface AppConfig {
  readonly role: Role;
  readonly port: number;
  readonly onCloudRun: boolean;
  readonly database: DatabaseConfig;
  readonly grantTo: readonly string[];
  readonly redis: RedisConfig;
  readonly tasks: TasksConfig;
  /** Who pushes tasks: what the worker accepts and what the local dispatcher mints. */
  readonly taskAuth: TaskAuthConfig;
  /** The dispatcher's target (the local worker). */
  readonly workerUrl: string;
  readonly tokenSecret: string;
  readonly log: { readonly level: Env["LOG_LEVEL"]; readonly project?: string };
  readonly cacheTtlSeconds: number;
  readonly shutdownGraceMs: number;
  readonly realtime: { readonly heartbeatMs: number; readonly maxBufferedBytes: number };
  /** The api's web dashboard: its built files (none: no dashboard) and the WebSocket URL it is given. */
  readonly web: { readonly root?: string; readonly realtimeUrl: string };
}

export class ConfigError extends Error {
  constructor(
    readonly role: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration for role "${role}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Source = Readonly<Record<string, string | undefined>>;

function shown(name: string, value: unknown): string {
  if (value === undefined) return "(unset)";
  return SECRET_VARIABLES.has(name) ? "(hidden)" : JSON.stringify(value);
}

/** Cross-variable rules: which settings a role needs together. */
function crossRuleProblems(role: Role, env: Env): Array<[variable: string, rule: string]> {
  const problems: Array<[string, string]> = [];
  const needsDatabase = role !== "dispatcher";
  if (needsDatabase && env.DATABASE_URL && env.DB_CONNECTION_NAME) {
    problems.push(["DB_CONNECTION_NAME", "set either DATABASE_URL or the Cloud SQL settings (DB_CONNECTION_NAME...), not both"]);
  }
  if (needsDatabase && env.DB_CONNECTION_NAME) {
    if (!env.DB_NAME) problems.push(["DB_NAME", "is required with DB_CONNECTION_NAME"]);
    if (!env.DB_USER) problems.push(["DB_USER", "is required with DB_CONNECTION_NAME"]);
    if (!env.DB_AUTH) problems.push(["DB_AUTH", "is required with DB_CONNECTION_NAME (iam or password)"]);
    if (env.DB_AUTH === "password" && !env.DB_PASSWORD) problems.push(["DB_PASSWORD", "is required when DB_AUTH=password"]);
  }
  if (env.REDIS_CA_CERT && !env.REDIS_URL.startsWith("rediss://")) {
    problems.push(["REDIS_URL", "must use rediss:// (TLS) when REDIS_CA_CERT is set"]);
  }
  if (role === "api" && env.TASKS_BACKEND === "cloud-tasks") {
    if (!env.TASK_QUEUES) problems.push(["TASK_QUEUES", "is required when TASKS_BACKEND=cloud-tasks"]);
    if (!env.WORKER_URL) problems.push(["WORKER_URL", "is required when TASKS_BACKEND=cloud-tasks"]);
    if (!env.TASKS_SERVICE_ACCOUNT) problems.push(["TASKS_SERVICE_ACCOUNT", "is required when TASKS_BACKEND=cloud-tasks"]);
  }
  if (role === "worker" || role === "dispatcher") {
    // Both name one push identity: half of it set would pair a cloud value with a local default.
    if (env.TASKS_OIDC_AUDIENCE && !env.TASKS_SERVICE_ACCOUNT) {
      problems.push(["TASKS_SERVICE_ACCOUNT", "is required when TASKS_OIDC_AUDIENCE is set (the only account allowed to push tasks)"]);
    }
    if (env.TASKS_SERVICE_ACCOUNT && !env.TASKS_OIDC_AUDIENCE) {
      problems.push(["TASKS_OIDC_AUDIENCE", "is required when TASKS_SERVICE_ACCOUNT is set (the audience pushes are minted for)"]);
    }
  }
  if (role === "worker" && env.K_SERVICE && !env.TASKS_OIDC_AUDIENCE && !env.TASKS_SERVICE_ACCOUNT) {
    // The defaults are the local push identity, which no cloud push carries: every task would get a 401.
    problems.push(["TASKS_OIDC_AUDIENCE", "is required on Cloud Run (K_SERVICE is set): the worker's custom audience, which Cloud Tasks mints tokens for"]);
    problems.push(["TASKS_SERVICE_ACCOUNT", "is required on Cloud Run (K_SERVICE is set): the tasks service account, the only one allowed to push tasks"]);
  }
  if ((role === "api" || role === "realtime") && env.K_SERVICE && !env.TOKEN_SECRET) {
    problems.push(["TOKEN_SECRET", "is required on Cloud Run (K_SERVICE is set); the development default is for local runs only"]);
  }
  return problems;
}

/**
 * Where browsers open the realtime WebSocket. On Cloud Run the load balancer routes /ws on the
 * page's own origin to realtime (as nginx does in the Docker stack, which sets it). A native
 * local api has no such edge: realtime listens on its own default port.
 */
function realtimePublicUrl(env: Env): string {
  if (env.REALTIME_PUBLIC_URL) return env.REALTIME_PUBLIC_URL;
  return env.K_SERVICE ? REALTIME_PATH : `ws://127.0.0.1:${DEFAULT_PORTS.realtime}${REALTIME_PATH}`;
}

function databaseConfig(env: Env): DatabaseConfig {
  if (env.DB_CONNECTION_NAME) {
    return {
      kind: "cloud-sql",
      connectionName: env.DB_CONNECTION_NAME,
      database: env.DB_NAME!,
      user: env.DB_USER!,
      auth: env.DB_AUTH!,
      password: env.DB_PASSWORD,
      ipType: env.DB_IP_TYPE,
      schema: env.DB_SCHEMA,
      poolSize: env.DB_POOL_SIZE,
    };
  }
  return { kind: "url", url: env.DATABASE_URL ?? LOCAL_DATABASE_URL, schema: env.DB_SCHEMA, poolSize: env.DB_POOL_SIZE };
}

function tasksConfig(env: Env): TasksConfig {
  if (env.TASKS_BACKEND === "cloud-tasks" && env.TASK_QUEUES && env.WORKER_URL && env.TASKS_SERVICE_ACCOUNT) {
    return {
      backend: "cloud-tasks",
      queues: env.TASK_QUEUES,
      workerUrl: env.WORKER_URL.replace(/\/+$/, ""),
      serviceAccount: env.TASKS_SERVICE_ACCOUNT,
      audience: env.TASKS_OIDC_AUDIENCE ?? env.WORKER_URL,
    };
  }
  return { backend: "local", queuePrefix: env.TASKS_QUEUE_PREFIX };
}

/** Parses and validates the configuration of one role; throws ConfigError listing every problem. */
export function loadConfig(role: Role, source: Source = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "(environment)");
      return `${variable} = ${shown(variable, source[variable])}: ${issue.message}`;
    });
    throw new ConfigError(role, problems);
  }
  const env = parsed.data;
  const crossProblems = crossRuleProblems(role, env);
  if (crossProblems.length > 0) {
    throw new ConfigError(
      role,
      crossProblems.map(([variable, rule]) => `${variable} = ${shown(variable, source[variable])}: ${rule}`),
    );
  }
  return {
    role,
    port: env.PORT ?? DEFAULT_PORTS[role],
    onCloudRun: Boolean(env.K_SERVICE),
    database: databaseConfig(env),
    grantTo: env.DB_GRANT_TO ?? [],
    redis: { url: env.REDIS_URL, password: env.REDIS_PASSWORD, caCert: env.REDIS_CA_CERT, keyPrefix: env.REDIS_KEY_PREFIX },
    tasks: tasksConfig(env),
    taskAuth: {
      mode: "cloud-run-iam",
      audience: env.TASKS_OIDC_AUDIENCE ?? LOCAL_TASK_PUSH_IDENTITY.audience,
      serviceAccount: env.TASKS_SERVICE_ACCOUNT ?? LOCAL_TASK_PUSH_IDENTITY.serviceAccount,
    },
    workerUrl: (env.WORKER_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.worker}`).replace(/\/+$/, ""),
    tokenSecret: env.TOKEN_SECRET ?? DEV_TOKEN_SECRET,
    log: { level: env.LOG_LEVEL, project: env.GOOGLE_CLOUD_PROJECT },
    cacheTtlSeconds: env.CACHE_TTL_SECONDS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    realtime: { heartbeatMs: env.WS_HEARTBEAT_MS, maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES },
    web: { root: env.WEB_ROOT, realtimeUrl: realtimePublicUrl(env) },
  };
}

export function isRole(value: string | undefined): value is Role {
  return (ROLES as readonly string[]).includes(value ?? "");
}
