/**
 * The whole system on this machine, from the app bundle: migrations, then N worker processes
 * behind one port, the task dispatcher, the realtime server and N api processes behind one port
 * (or the roles a caller names). Everything the run creates is isolated (its own PostgreSQL
 * schema, Redis key prefix and queue names) and removed by `stop()`, which also runs on failure.
 * The experiments, the resilience run, the benchmarks, `npm run local` and the screenshots all
 * start the system here.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import Redis from "ioredis";
import pg from "pg";
import type { SeededUser } from "../../app/adapters/postgres/seeder";
import { redisKeys } from "../../app/adapters/redis/keys";
import { BullTaskQueue } from "../../app/adapters/tasks/local-queue";
import type { TaskRequest } from "../../app/domain/tasks";
import { LOCAL_TASK_PUSH_IDENTITY, localTaskPolicies, REALTIME_PATH, taskQueueName, type RuntimeEnv } from "../../contract";
import { ExperimentError } from "../errors";
import { freePort } from "./data-services";
import { childrenOf, onCores, type CpuQuotas } from "./placement";

const REPO = join(__dirname, "..", "..");
const SEED_COMMAND = join(REPO, "app", "entrypoints", "seed.ts");

/** The roles the system serves (what `roles`, `affinity` and `roleEnv` speak of). */
export type ServedRole = "api" | "worker" | "dispatcher" | "realtime";
export const SERVED_ROLES: readonly ServedRole[] = ["worker", "dispatcher", "realtime", "api"];

export interface LocalSystemOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Path of the app bundle (app/dist/main.js); app/main.ts runs the sources through tsx (tests). */
  readonly bundle: string;
  /** Api processes behind the api's port. @default 1 */
  readonly apiInstances?: number;
  /** Short id that names this run's schema, key prefix and queues. */
  readonly runId: string;
  /** Directory for each role's log file. */
  readonly logDir: string;
  /** Connections per process (the local stand-in for the Cloud Run pool size). */
  readonly dbPoolSize?: number;
  /** Worker processes behind the worker's port. @default 1 */
  readonly workerInstances?: number;
  /** Holds each api and worker instance to 1 vCPU (see placement.ts); undefined: unlimited. */
  readonly cpuQuotas?: CpuQuotas;
  /** Realtime processes, each on a port of its own (clients pick one, as a load balancer would). @default 1 */
  readonly realtimeInstances?: number;
  /** The roles to start after migrating; with none, the run is a migrated, isolated schema and key prefix. @default every role */
  readonly roles?: readonly ServedRole[];
  /**
   * Cores (a taskset CPU list, e.g. "0") a role's processes are held to; a role not named runs on
   * the cores of the process that starts the system. The benchmarks pin; the experiments do not
   * (placement.ts says why). @default {} (nothing pinned)
   */
  readonly affinity?: Partial<Record<ServedRole, string>>;
  /** Variables that override `env` for one role, e.g. a larger pool for the api. @default {} */
  readonly roleEnv?: Partial<Record<ServedRole, RuntimeEnv>>;
}

/** The processes the resilience experiment stops and starts again (see `kill` and `revive`). */
export type SystemRole = "api" | "worker" | "dispatcher" | "realtime" | `realtime-${number}`;

/** The categorisation queues as the dispatcher reads them: pause and resume delivery (the async experiment times the drain alone), and the backlog. */
export interface TaskQueueControl {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Tasks waiting, delayed or running. */
  backlog(): Promise<number>;
  /** Adds tasks as the api does (the app's local queue adapter), in bulk. */
  enqueue(tasks: readonly TaskRequest[]): Promise<void>;
  close(): Promise<void>;
}

const STOP_GRACE_MS = 12_000;

interface RunningRole {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: WriteStream;
  readonly port?: number;
}

/** A line the api/worker cluster launcher logged (api-cluster.ts), with when it arrived. */
export interface ClusterLine {
  readonly at: number;
  readonly message: string;
}

/** A process's command line (from /proc; empty once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** Resolves once `url`/readyz answers 200; fails at once if the process exits first. */
export async function waitReady(name: string, url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready (see its log)`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} was not ready at ${url}/readyz within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

export class LocalSystem {
  readonly schema: string;
  readonly keyPrefix: string;
  /** Environment every role runs with, before `roleEnv` (and what seeding and audits need to reach the same data). */
  readonly env: Readonly<RuntimeEnv>;
  private readonly roles: RunningRole[] = [];
  private apiRole?: RunningRole;
  private workerRole?: RunningRole;
  private apiPort = 0;
  private apiInstanceCount = 0;
  private workerInstanceCount = 0;
  private readonly workerPort: number;
  private realtimePorts: number[] = [];
  private stopped = false;
  private readonly clusterLines = new Map<"api" | "worker", ClusterLine[]>([
    ["api", []],
    ["worker", []],
  ]);

  private constructor(private readonly options: LocalSystemOptions, workerPort: number) {
    this.workerPort = workerPort;
    this.schema = `vz_exp_${options.runId}`;
    this.keyPrefix = `vzexp:${options.runId}:`;
    this.env = {
      DATABASE_URL: options.databaseUrl,
      DB_SCHEMA: this.schema,
      DB_POOL_SIZE: String(options.dbPoolSize ?? 10),
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: this.keyPrefix,
      TASKS_BACKEND: "local",
      TASKS_QUEUE_PREFIX: `vzexp-${options.runId.replace(/_/g, "-")}`,
      WORKER_URL: `http://127.0.0.1:${workerPort}`,
      // The dispatcher pushes stripped tokens for this identity and the worker checks them, as in the cloud.
      TASKS_OIDC_AUDIENCE: LOCAL_TASK_PUSH_IDENTITY.audience,
      TASKS_SERVICE_ACCOUNT: LOCAL_TASK_PUSH_IDENTITY.serviceAccount,
      TOKEN_SECRET: `experiment-token-secret-${options.runId}-0123456789abcdef`,
      // Info: start-up, shutdown and retried tasks. (With "warn" each role's log stayed empty.)
      // Request logging is off in the app, so this costs nothing on the hot path.
      LOG_LEVEL: "info",
    };
  }

  get baseUrl(): string {
    if (this.apiPort === 0) throw new Error("the api is not one of this system's roles");
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get realtimeUrl(): string {
    return this.realtimeUrls[0]!;
  }

  /** Every realtime process's WebSocket URL (one port each). */
  get realtimeUrls(): string[] {
    return this.realtimePorts.map((port) => `ws://127.0.0.1:${port}${REALTIME_PATH}`);
  }

  /** The worker's base URL (health probes). */
  get workerUrl(): string {
    return `http://127.0.0.1:${this.workerPort}`;
  }

  get apiInstances(): number {
    return this.apiInstanceCount;
  }

  get workerInstances(): number {
    return this.workerInstanceCount;
  }

  /** Migrates, then starts every role (or those in `roles`) and waits until each answers `/readyz`. */
  static async start(options: LocalSystemOptions): Promise<LocalSystem> {
    await mkdir(options.logDir, { recursive: true });
    const system = new LocalSystem(options, await freePort());
    const roles = new Set(options.roles ?? SERVED_ROLES);
    try {
      await system.migrate();
      if (roles.has("worker")) await system.startWorker(options.workerInstances ?? 1);
      if (roles.has("dispatcher")) await system.startRole("dispatcher", await freePort());
      for (let i = 0; roles.has("realtime") && i < (options.realtimeInstances ?? 1); i++) {
        const port = await freePort();
        system.realtimePorts.push(port);
        await system.startRole(i === 0 ? "realtime" : `realtime-${i + 1}`, port);
      }
      if (roles.has("api")) await system.startApi(options.apiInstances ?? 1);
      return system;
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** Starts `node args` for a role: on the role's cores, with its variables, logging to `<name>.log`. */
  private spawnRole(name: string, role: ServedRole | "migrate", args: string[], port: number | undefined, extraEnv: RuntimeEnv = {}): RunningRole {
    const log = createWriteStream(join(this.options.logDir, `${name}.log`), { flags: "a" });
    const served = role === "migrate" ? undefined : role;
    const command = onCores(served && this.options.affinity?.[served], process.execPath, args);
    const child = spawn(command.command, command.args, {
      env: { ...process.env, ...this.env, ...extraEnv, ...(served && this.options.roleEnv?.[served]), ...(port ? { PORT: String(port) } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    return { name, child, log, ...(port ? { port } : {}) };
  }

  /** node's arguments to run the bundle as `role` (the sources need tsx). */
  private bundleArgs(role: string): string[] {
    return [...(this.options.bundle.endsWith(".ts") ? ["--import", "tsx"] : []), this.options.bundle, role];
  }

  private async migrate(): Promise<void> {
    const role = this.spawnRole("migrate", "migrate", this.bundleArgs("migrate"), undefined);
    const code = await new Promise<number>((resolve) => role.child.once("exit", (c) => resolve(c ?? 1)));
    role.log.end();
    if (code !== 0) throw new ExperimentError(`migrations failed with code ${code}: see ${join(this.options.logDir, "migrate.log")}`);
  }

  private async startRole(name: "dispatcher" | "realtime" | `realtime-${number}`, port: number): Promise<void> {
    const served = name === "dispatcher" ? "dispatcher" : "realtime";
    const role = this.spawnRole(name, served, this.bundleArgs(served), port);
    this.roles.push(role);
    await waitReady(name, `http://127.0.0.1:${port}`, role.child);
  }

  /** `instances` processes of a role behind one port (api-cluster.ts). */
  private spawnCluster(role: "api" | "worker", instances: number, port: number, extraEnv: RuntimeEnv = {}): RunningRole {
    const launcher = join(__dirname, "api-cluster.ts");
    const running = this.spawnRole(`${role}-x${instances}`, role, ["--import", "tsx", launcher, String(instances), this.options.bundle, role], port, extraEnv);
    // The launcher's own lines (instance started, listening, replaced) tell when a replacement serves.
    const lines = this.clusterLines.get(role)!;
    let partial = "";
    running.child.stderr!.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split("\n");
      partial = complete.pop() ?? "";
      for (const line of complete) {
        if (!line.includes(`"${role}-cluster"`)) continue;
        try {
          lines.push({ at: Date.now(), message: (JSON.parse(line) as { message: string }).message });
        } catch {
          // not one of the launcher's JSON lines
        }
      }
    });
    return running;
  }

  /** Holds each instance of a cluster to 1 vCPU. */
  private limitInstances(role: "api" | "worker"): void {
    const quotas = this.options.cpuQuotas;
    if (!quotas) return;
    this.instancePids(role).forEach((pid, i) => quotas.limit(pid, `${role}-${i}`, 1));
  }

  private async startApi(instances: number, port?: number): Promise<void> {
    this.apiPort = port ?? (await freePort());
    // The dashboard the api serves (app/dist/web beside the bundle) opens its WebSocket here.
    this.apiRole = this.spawnCluster("api", instances, this.apiPort, this.realtimePorts.length > 0 ? { REALTIME_PUBLIC_URL: this.realtimeUrl } : {});
    this.apiInstanceCount = instances;
    await waitReady("api", this.baseUrl, this.apiRole.child);
    this.limitInstances("api");
  }

  private async startWorker(instances: number): Promise<void> {
    this.workerRole = this.spawnCluster("worker", instances, this.workerPort);
    this.workerInstanceCount = instances;
    await waitReady("worker", `http://127.0.0.1:${this.workerPort}`, this.workerRole.child);
    this.limitInstances("worker");
  }

  /** Replaces the api processes with `instances` new ones (the speedup experiment). */
  async restartApi(instances: number): Promise<void> {
    if (this.apiRole) await stopChild(this.apiRole.child);
    this.apiRole?.log.end();
    await this.startApi(instances);
  }

  /** Replaces the worker processes with `instances` new ones, on the same port (drain against worker instances). */
  async restartWorker(instances: number): Promise<void> {
    if (instances === this.workerInstanceCount) return;
    if (this.workerRole) await stopChild(this.workerRole.child);
    this.workerRole?.log.end();
    await this.startWorker(instances);
  }

  /** The running process of a role (the cluster launcher for api and worker). */
  private running(role: SystemRole): RunningRole {
    const found = role === "api" ? this.apiRole : role === "worker" ? this.workerRole : this.roles.find((r) => r.name === role);
    if (!found) throw new Error(`no ${role} process is running`);
    return found;
  }

  /**
   * Pids of a role's instances: for api and worker those behind the cluster's port (not the
   * launcher's other children, such as tsx's esbuild); for the others the role's own process.
   */
  instancePids(role: SystemRole): number[] {
    const pid = this.running(role).child.pid;
    if (!pid) return [];
    return role === "api" || role === "worker" ? childrenOf(pid).filter((child) => commandLine(child).includes(this.options.bundle)) : [pid];
  }

  /** Pids of every realtime process, in the order of `realtimeUrls`. */
  realtimePids(): number[] {
    return this.realtimePorts.flatMap((port) => this.roles.find((role) => role.port === port)?.child.pid ?? []);
  }

  /** What the api (or worker) cluster launcher logged so far. */
  clusterLog(role: "api" | "worker"): readonly ClusterLine[] {
    return this.clusterLines.get(role)!;
  }

  /**
   * Kills a role's processes at once (the cluster launcher and its instances for api and worker),
   * with SIGKILL by default: a crash, as when a machine or container dies. Resolves when they exited.
   */
  async kill(role: SystemRole, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const running = this.running(role);
    const { child } = running;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const tree = child.pid ? [child.pid, ...childrenOf(child.pid)] : [];
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    for (const pid of tree) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    await exited;
    running.log.end();
  }

  /** Starts a killed role again on the same port, as the platform would; resolves when it is ready. */
  async revive(role: SystemRole): Promise<void> {
    const old = this.running(role);
    if (old.child.exitCode === null && old.child.signalCode === null) throw new Error(`${role} is still running`);
    if (role === "api") return this.startApi(this.apiInstanceCount, this.apiPort);
    if (role === "worker") return this.startWorker(this.workerInstanceCount);
    this.roles.splice(this.roles.indexOf(old), 1);
    await this.startRole(role, old.port!);
  }

  /** Controls the categorisation queues (BullMQ's queue-wide pause; job counts), as the dispatcher reads them. */
  taskQueues(): TaskQueueControl {
    const policies = localTaskPolicies();
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    const prefix = redisKeys(this.keyPrefix).queues;
    const queues = Array.from({ length: policies.categorise.shards }, (_, shard) => new Queue(taskQueueName(this.env.TASKS_QUEUE_PREFIX!, "categorise", shard), { connection, prefix }));
    const producer = new BullTaskQueue({ connection, prefix, queuePrefix: this.env.TASKS_QUEUE_PREFIX!, policies });
    return {
      pause: async () => void (await Promise.all(queues.map((q) => q.pause()))),
      resume: async () => void (await Promise.all(queues.map((q) => q.resume()))),
      backlog: async () => {
        const counts = await Promise.all(queues.map((q) => q.getJobCounts("waiting", "delayed", "active", "paused", "prioritized")));
        return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
      },
      enqueue: (tasks) => producer.enqueueMany(tasks),
      close: async () => {
        await Promise.all([...queues.map((q) => q.close()), producer.close()]);
        connection.disconnect();
      },
    };
  }

  /**
   * Seeds this run's schema in bulk with the app's seed command (`npm run seed`: its bulk seeder,
   * tokens signed with this run's secret) and returns the seeded users, also written to `out`.
   */
  async seed(counts: { readonly users: number; readonly accountsPerUser: number; readonly txPerAccount: number }, out: string): Promise<SeededUser[]> {
    const args = ["--users", counts.users, "--accounts-per-user", counts.accountsPerUser, "--tx-per-account", counts.txPerAccount].map(String);
    await promisify(execFile)(process.execPath, ["--import", "tsx", SEED_COMMAND, ...args, "--out", out], { env: { ...process.env, ...this.env }, cwd: REPO });
    return JSON.parse(await readFile(out, "utf8")) as SeededUser[];
  }

  /** A client for this run's schema (seeding, audits). The caller ends it. */
  async database(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    await client.connect();
    await client.query(`SET search_path TO ${pg.escapeIdentifier(this.schema)}`);
    return client;
  }

  /** Stops every process, then removes the run's schema and Redis keys. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const all = [...this.roles, ...(this.apiRole ? [this.apiRole] : []), ...(this.workerRole ? [this.workerRole] : [])];
    this.roles.length = 0;
    this.apiRole = undefined;
    this.workerRole = undefined;
    await Promise.all(all.map((role) => stopChild(role.child)));
    for (const role of all) role.log.end();
    this.options.cpuQuotas?.removeAll();
    await this.removeData();
  }

  private async removeData(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    await client.connect().then(
      () => client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(this.schema)} CASCADE`),
      () => undefined,
    );
    await client.end().catch(() => undefined);
    const redis = new Redis(this.options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${this.keyPrefix}*`, "COUNT", 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
    } catch {
      // Redis gone (e.g. a throwaway server already stopped): nothing left to clean.
    } finally {
      redis.disconnect();
    }
  }
}
