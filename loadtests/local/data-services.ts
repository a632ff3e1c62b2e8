/**
 * PostgreSQL and Redis for a local experiment, in this order of preference:
 * 1. `DATABASE_URL` / `REDIS_URL` when set;
 * 2. the servers on 127.0.0.1 (5432 / 6379) when they answer;
 * 3. throwaway servers started from the locally installed binaries, on free ports, in a
 *    temporary directory that is removed afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { ExperimentError } from "../errors";

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface DataServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Where each came from, for the report. */
  readonly origin: { readonly postgres: "env" | "local" | "throwaway"; readonly redis: "env" | "local" | "throwaway" };
  stop(): Promise<void>;
}

/** Resolves when something accepts TCP connections at host:port within the timeout. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** `url` when its server accepts connections; otherwise an error naming the variable and the fix. */
export async function answering(variable: string, url: string, defaultPort: number): Promise<string> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
    port = Number(parsed.port) || defaultPort;
  } catch {
    throw new ExperimentError(`${variable} is not a URL (${url})`);
  }
  if (await canConnect(host, port, 2_000)) return url;
  throw new ExperimentError(`${variable} points at ${host}:${port}, where nothing answers: start the server there, or unset ${variable} to use the local one (or a throwaway server)`);
}

/** The newest installed PostgreSQL's bin directory (Debian layout), if any. */
function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

function run(command: string, args: string[], asUser?: string): ChildProcess {
  // PostgreSQL refuses to run as root; drop to its own account when we are root.
  return asUser ? spawn("runuser", ["-u", asUser, "--", command, ...args], { stdio: "ignore" }) : spawn(command, args, { stdio: "ignore" });
}

async function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

/** A PostgreSQL server this process started (initdb + pg_ctl), on its own port and data directory. */
export interface ThrowawayPostgres {
  readonly url: string;
  readonly port: number;
  /** `pg_ctl restart -m fast`: disconnects every client, checkpoints, and starts again on the same port. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`. */
  stop(): Promise<void>;
}

/** pg_ctl, as the server's own account when we are root (PostgreSQL refuses to run as root). */
async function pgCtl(bin: string, asUser: string | undefined, args: string[]): Promise<void> {
  const child = run(join(bin, "pg_ctl"), args, asUser);
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`pg_ctl ${args.join(" ")} exited with code ${code}`);
}

/**
 * A throwaway PostgreSQL in `dir`, started with pg_ctl (so that it can be restarted as an operator
 * would, which the resilience experiment does under load). fsync is off: the data is thrown away,
 * and a fast shutdown still checkpoints, so a restart loses nothing committed.
 */
export async function throwawayPostgres(dir: string): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("No PostgreSQL server found: set DATABASE_URL, start one on 127.0.0.1:5432, or install PostgreSQL (apt-get install postgresql)");
  const asUser = userInfo().uid === 0 ? "postgres" : undefined;
  const data = join(dir, "pgdata");
  if (asUser) await chmod(dir, 0o777);
  if ((await exitOf(run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], asUser))) !== 0) {
    throw new Error(`initdb failed in ${data}`);
  }
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
  await pgCtl(bin, asUser, ["-D", data, "-o", options, "-l", join(dir, "postgres.log"), "-w", "-t", "60", "start"]);
  await waitFor("throwaway PostgreSQL", () => canConnect("127.0.0.1", port));
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async () => {
      // -w: returns once the server accepts connections again (postmaster.opts keeps the options).
      await pgCtl(bin, asUser, ["-D", data, "-m", "fast", "-l", join(dir, "postgres.log"), "-w", "-t", "60", "restart"]);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pgCtl(bin, asUser, ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
    },
  };
}

/** A redis-server this process started, on its own port and data directory. */
export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** Where it keeps its append-only file (and an RDB snapshot after SAVE). */
  readonly dir: string;
  /** Stops it (SIGTERM: a clean shutdown that fsyncs the AOF; SIGKILL: a crash). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts it again on the same port and directory, as a restarted Memorystore node would be. */
  start(): Promise<void>;
}

/**
 * A throwaway Redis for local runs and tests. `durable` (the default) turns on the append-only
 * file, fsynced every second: the local queues then survive a restart of Redis as Cloud Tasks
 * queues survive anything (a crash of Redis itself loses nothing acknowledged, since the AOF is
 * written before replies go out; a crash of the whole machine can lose up to about a second of
 * writes). `durable: false` is a Memorystore Basic instance: a restart empties it.
 */
export async function throwawayRedis(options: { readonly dir: string; readonly durable?: boolean }): Promise<ThrowawayRedis> {
  const port = await freePort();
  const persistence = options.durable === false ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "everysec"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", options.dir];
  let server: ChildProcess | undefined;
  const start = async () => {
    const child = spawn("redis-server", args, { stdio: "ignore" });
    server = child;
    const failed = new Promise<never>((_, reject) => child.once("error", () => reject(new Error("No Redis server found: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server"))));
    await Promise.race([waitFor("throwaway Redis", () => canConnect("127.0.0.1", port)), failed]);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: options.dir,
    start,
    stop: async (signal = "SIGTERM") => {
      const child = server;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = exitOf(child);
      child.kill(signal);
      await exited;
    },
  };
}

export async function resolveDataServices(env: NodeJS.ProcessEnv = process.env): Promise<DataServices> {
  const stops: Array<() => Promise<void>> = [];
  let dir: string | undefined;
  const scratch = async () => (dir ??= await mkdtemp(join(tmpdir(), "valorize-experiment-")));
  try {
    let postgres: { url: string; origin: DataServices["origin"]["postgres"] };
    if (env.DATABASE_URL) postgres = { url: await answering("DATABASE_URL", env.DATABASE_URL, 5432), origin: "env" };
    else if (await canConnect("127.0.0.1", 5432)) postgres = { url: DEFAULT_DATABASE_URL, origin: "local" };
    else {
      const started = await throwawayPostgres(await scratch());
      stops.push(started.stop);
      postgres = { url: started.url, origin: "throwaway" };
    }
    let redis: { url: string; origin: DataServices["origin"]["redis"] };
    if (env.REDIS_URL) redis = { url: await answering("REDIS_URL", env.REDIS_URL, 6379), origin: "env" };
    else if (await canConnect("127.0.0.1", 6379)) redis = { url: DEFAULT_REDIS_URL, origin: "local" };
    else {
      const started = await throwawayRedis({ dir: await scratch() });
      stops.push(() => started.stop());
      redis = { url: started.url, origin: "throwaway" };
    }
    return {
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      origin: { postgres: postgres.origin, redis: redis.origin },
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        if (dir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
