/**
 * The whole system on this machine, from the app bundle: migrations, then N worker processes
 * behind one port, the task dispatcher, the realtime server and N api processes behind one port.
 * Everything the run creates is isolated (its own PostgreSQL schema, Redis key prefix and queue
 * names) and removed by `stop()`, which also runs on failure.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Queue } from "bullmq";
import Redis from "ioredis";
import pg from "pg";
import { redisKeys } from "../../app/adapters/redis/keys";
import { LOCAL_TASK_PUSH_IDENTITY, localTaskPolicies, taskQueueName } from "../../contract";
import { ExperimentError } from "../errors";
import { freePort } from "./data-services";
import { childrenOf, type CpuQuotas } from "./placement";

export interface LocalSystemOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Path of the app bundle (app/dist/main.js). */
  readonly bundle: string;
  readonly apiInstances: number;
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
}

/** The categorisation queues as the dispatcher reads them: pause and resume delivery (the async experiment times the drain alone), and the backlog. */
export interface TaskQueueControl {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Tasks waiting, delayed or running. */
  backlog(): Promise<number>;
  close(): Promise<void>;
}

const STOP_GRACE_MS = 12_000;

interface RunningRole {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: WriteStream;
}

async function waitReady(name: string, url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
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

async function stopChild(child: ChildProcess): Promise<void> {
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
  /** Environment every role runs with (and what seeding and audits need to reach the same data). */
  readonly env: Readonly<Record<string, string>>;
  private readonly roles: RunningRole[] = [];
  private apiRole?: RunningRole;
  private workerRole?: RunningRole;
  private apiPort = 0;
  private apiInstanceCount = 0;
  private workerInstanceCount = 0;
  private readonly workerPort: number;
  private realtimePort = 0;

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
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get realtimeUrl(): string {
    return `ws://127.0.0.1:${this.realtimePort}/ws`;
  }

  get apiInstances(): number {
    return this.apiInstanceCount;
  }

  get workerInstances(): number {
    return this.workerInstanceCount;
  }

  /** Migrates, then starts every role and waits until each answers `/readyz`. */
  static async start(options: LocalSystemOptions): Promise<LocalSystem> {
    await mkdir(options.logDir, { recursive: true });
    const system = new LocalSystem(options, await freePort());
    try {
      await system.migrate();
      await system.startWorker(options.workerInstances ?? 1);
      await system.startRole("dispatcher", await freePort());
      system.realtimePort = await freePort();
      await system.startRole("realtime", system.realtimePort);
      await system.startApi(options.apiInstances);
      return system;
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  private spawnRole(name: string, args: string[], port: number | undefined, extraEnv: Record<string, string> = {}): RunningRole {
    const log = createWriteStream(join(this.options.logDir, `${name}.log`), { flags: "a" });
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...this.env, ...extraEnv, ...(port ? { PORT: String(port) } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    return { name, child, log };
  }

  private async migrate(): Promise<void> {
    const role = this.spawnRole("migrate", [this.options.bundle, "migrate"], undefined);
    const code = await new Promise<number>((resolve) => role.child.once("exit", (c) => resolve(c ?? 1)));
    role.log.end();
    if (code !== 0) throw new ExperimentError(`migrations failed with code ${code}: see ${join(this.options.logDir, "migrate.log")}`);
  }

  private async startRole(name: "dispatcher" | "realtime", port: number): Promise<void> {
    const role = this.spawnRole(name, [this.options.bundle, name], port);
    this.roles.push(role);
    await waitReady(name, `http://127.0.0.1:${port}`, role.child);
  }

  /** `instances` processes of a role behind one port (api-cluster.ts). */
  private spawnCluster(role: "api" | "worker", instances: number, port: number, extraEnv: Record<string, string> = {}): RunningRole {
    const launcher = join(__dirname, "api-cluster.ts");
    return this.spawnRole(`${role}-x${instances}`, ["--import", "tsx", launcher, String(instances), this.options.bundle, role], port, extraEnv);
  }

  /** Holds each instance of a cluster (the launcher's child processes) to 1 vCPU. */
  private limitInstances(role: "api" | "worker", launcher: ChildProcess): void {
    const quotas = this.options.cpuQuotas;
    if (!quotas || launcher.pid === undefined) return;
    childrenOf(launcher.pid).forEach((pid, i) => quotas.limit(pid, `${role}-${i}`, 1));
  }

  private async startApi(instances: number): Promise<void> {
    this.apiPort = await freePort();
    // The dashboard the api serves (app/dist/web beside the bundle) opens its WebSocket here.
    this.apiRole = this.spawnCluster("api", instances, this.apiPort, { REALTIME_PUBLIC_URL: this.realtimeUrl });
    this.apiInstanceCount = instances;
    await waitReady("api", this.baseUrl, this.apiRole.child);
    this.limitInstances("api", this.apiRole.child);
  }

  private async startWorker(instances: number): Promise<void> {
    this.workerRole = this.spawnCluster("worker", instances, this.workerPort);
    this.workerInstanceCount = instances;
    await waitReady("worker", `http://127.0.0.1:${this.workerPort}`, this.workerRole.child);
    this.limitInstances("worker", this.workerRole.child);
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

  /** Controls the categorisation queues (BullMQ's queue-wide pause; job counts), as the dispatcher reads them. */
  taskQueues(): TaskQueueControl {
    const policies = localTaskPolicies();
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    const prefix = redisKeys(this.keyPrefix).queues;
    const queues = Array.from({ length: policies.categorise.shards }, (_, shard) => new Queue(taskQueueName(this.env.TASKS_QUEUE_PREFIX!, "categorise", shard), { connection, prefix }));
    return {
      pause: async () => void (await Promise.all(queues.map((q) => q.pause()))),
      resume: async () => void (await Promise.all(queues.map((q) => q.resume()))),
      backlog: async () => {
        const counts = await Promise.all(queues.map((q) => q.getJobCounts("waiting", "delayed", "active", "paused", "prioritized")));
        return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
      },
      close: async () => {
        await Promise.all(queues.map((q) => q.close()));
        connection.disconnect();
      },
    };
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
