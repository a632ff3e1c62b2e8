/**
 * The local api cluster replaces instances as Cloud Run does: a killed one and one that stopped
 * cleanly (a rolling restart) are replaced while the others keep serving, a crash loop stops the
 * cluster with exit code 1 and a message, and SIGTERM to the cluster stops it with exit code 0.
 * Real processes over the real PostgreSQL and Redis of an isolated corner.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, resolveDataServices, type DataServices } from "./data-services";
import { LocalSystem } from "./system";

const LAUNCHER = join(__dirname, "api-cluster.ts");
const MAIN = join(__dirname, "..", "..", "app", "main.ts");

let services: DataServices;
let logDir: string;
/** A migrated schema and key prefix of this file's own (the system with no roles started), removed at the end. */
let system: LocalSystem;

beforeAll(async () => {
  services = await resolveDataServices();
  logDir = await mkdtemp(join(tmpdir(), "api-cluster-test-"));
  system = await LocalSystem.start({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, bundle: MAIN, runId: `apicluster${randomBytes(4).toString("hex")}`, logDir, roles: [] });
});

afterAll(async () => {
  await system?.stop();
  await services?.stop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

/** Polls `check` every 50 ms until it holds (vitest's expect.poll), failing with `what` after `timeoutMs`. */
const eventually = (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => expect.poll(check, { timeout: timeoutMs, interval: 50, message: `waiting for ${what}` }).toBe(true);

interface Cluster {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  /** Pids of the instances that reported starting, in order. */
  started(): number[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startCluster(instances: number, env: Record<string, string> = {}): Promise<Cluster> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", LAUNCHER, String(instances), MAIN, "api"], {
    env: { ...process.env, ...system.env, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    port,
    output: () => output,
    started: () => [...output.matchAll(/api instance (\d+) started/g)].map((m) => Number(m[1])),
    exit,
  };
}

/** A connection handed to an instance at the moment it is killed is lost: never wait long for one. */
const ready = (port: number) => fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);

describe("api cluster", () => {
  it("replaces a killed instance and one that stopped cleanly, keeps serving, and stops with 0 on SIGTERM", { timeout: 90_000 }, async () => {
    const cluster = await startCluster(2);
    try {
      await eventually(async () => cluster.started().length === 2 && (await ready(cluster.port)), 30_000, "two instances");
      const [first, second] = cluster.started();

      process.kill(first!, "SIGKILL"); // a crash
      await eventually(() => ready(cluster.port), 10_000, "the other instance to serve meanwhile");
      await eventually(async () => cluster.started().length === 3, 30_000, "a replacement for the killed instance");
      expect(cluster.output()).toContain(`api instance ${first} was killed by SIGKILL; starting a replacement (crash 1 of 5`);
      // The replacement says when it serves (the resilience experiment waits for this line).
      await eventually(async () => cluster.output().includes(`api instance ${cluster.started()[2]} listening`), 30_000, "the replacement listening");

      process.kill(second!, "SIGTERM"); // a rolling restart
      await eventually(async () => cluster.started().length === 4, 30_000, "a replacement for the stopped instance");
      expect(cluster.output()).toContain(`api instance ${second} exited with code 0 (stopped cleanly); starting a replacement`);
      await eventually(() => ready(cluster.port), 30_000, "the cluster to serve");
      expect(cluster.child.exitCode).toBeNull();

      cluster.child.kill("SIGTERM");
      expect(await cluster.exit).toEqual({ code: 0, signal: null });
    } finally {
      if (cluster.child.exitCode === null) cluster.child.kill("SIGKILL");
    }
  });

  it("fails loudly, with exit code 1, when instances crash in a loop", { timeout: 90_000 }, async () => {
    const cluster = await startCluster(1, { DB_POOL_SIZE: "lots" }); // every instance exits 78 at start
    try {
      expect(await cluster.exit).toEqual({ code: 1, signal: null });
      expect(cluster.output()).toMatch(/exited with code 78: 6 crashes within 60 s, a crash loop; stopping the cluster/);
      expect(cluster.output()).toContain('DB_POOL_SIZE = "lots"');
    } finally {
      if (cluster.child.exitCode === null) cluster.child.kill("SIGKILL");
    }
  });
});
