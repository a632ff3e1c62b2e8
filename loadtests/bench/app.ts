/**
 * `npm run bench:app` — the app's performance figures on this machine, against the issue's targets:
 *
 *  1. a bare node:http hello-world on core 0 (the baseline for this run);
 *  2. cached `GET /api/transactions` (api on core 0, autocannon on core 1): req/s, P95, ratio;
 *  3. `POST /api/transactions`: req/s, P95;
 *  4. categorisation tasks/s through the local dispatcher into the worker.
 *
 * The api runs from the bundle (app/dist/main.js, built by the npm script) as in production. The
 * run seeds its own schema, Redis prefix and queues, and removes them at the end.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import autocannon from "autocannon";
import { sloText, sloVerdict } from "../slo";
import { seedDatabase, type SeededUser } from "../../app/adapters/postgres/seeder";
import { redisKeys } from "../../app/adapters/redis/keys";
import { BullTaskQueue } from "../../app/adapters/tasks/local-queue";
import { loadConfig } from "../../app/config";
import { categoriseTask } from "../../app/domain/tasks";
import { localTaskPolicies } from "../../contract";
import { isolate, type Isolated } from "../../app/test/support/isolation";

const BUNDLE = join(__dirname, "..", "..", "app", "dist", "main.js");
const API_CORE = "0";
const LOAD_CORE = "1";
const CONNECTIONS = 100;
const WARMUP_SECONDS = 4;
const MEASURE_SECONDS = 10;
/** Baseline and cached reads alternate this many times (the machine is shared: load comes and goes). */
const READ_ROUNDS = 3;
const ROUND_SECONDS = 6;
const PORTS = { hello: 18190, api: 18180, worker: 18181, dispatcher: 18183 } as const;
const WORKER_TASKS = 10_000;

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p95Ms: number;
  readonly p50Ms: number;
  readonly total: number;
  readonly failures: number;
}

const log = (message: string) => console.log(`[bench] ${message}`);

/** The study's SLO on a measurement, as the experiment judges it (loadtests/slo.ts). */
function sloLine(result: LoadResult): string {
  const slo = sloVerdict(result.p95Ms, result.total === 0 ? 0 : result.failures / result.total);
  return `SLO (${sloText()}) ${slo.ok ? "held" : `BROKEN: ${slo.reason}`}`;
}

/** The load generator gets core 1 to itself (children started later choose their own cores). */
function pinSelfToLoadCore(): void {
  execFileSync("taskset", ["-a", "-p", "-c", LOAD_CORE, String(process.pid)], { stdio: "ignore" });
}

function startProcess(name: string, cores: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn("taskset", ["-c", cores, process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function waitFor(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

/** Runs autocannon and computes exact percentiles from every response time. */
async function load(options: autocannon.Options, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, duration: seconds, ...options }, (error, finished) =>
      error ? reject(error) : resolve(finished),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode >= 400) failures++;
    });
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return {
    requestsPerSecond: result.requests.total / seconds,
    p95Ms: at(0.95),
    p50Ms: at(0.5),
    total: result.requests.total,
    failures: failures + result.errors + result.timeouts,
  };
}

/** Warm the JIT first, then measure: both servers get the same treatment. */
async function warmAndMeasure(options: autocannon.Options): Promise<LoadResult> {
  await load(options, WARMUP_SECONDS);
  return load(options, MEASURE_SECONDS);
}

function startHelloWorld(): ChildProcess {
  return startProcess("hello", API_CORE, ["-e", `require("node:http").createServer((q, s) => { s.setHeader("content-type", "text/plain"); s.end("hello world"); }).listen(${PORTS.hello})`], {});
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface ReadComparison {
  readonly baseline: LoadResult;
  readonly reads: LoadResult;
  readonly ratios: number[];
}

/**
 * Baseline and cached reads measured in alternating rounds on the same core, each after its own
 * warm-up; the medians and the per-round ratios are reported, so a neighbour's burst of load
 * skews one round rather than the comparison.
 */
async function compareReadsWithBaseline(base: string, users: readonly SeededUser[]): Promise<ReadComparison> {
  const hello = startHelloWorld();
  try {
    await waitFor(`http://127.0.0.1:${PORTS.hello}/`);
    const helloOptions = { url: `http://127.0.0.1:${PORTS.hello}/` };
    const readOptions = await cachedReadOptions(base, users);
    await load(helloOptions, WARMUP_SECONDS);
    await load(readOptions, WARMUP_SECONDS);
    const baselines: LoadResult[] = [];
    const reads: LoadResult[] = [];
    for (let round = 1; round <= READ_ROUNDS; round++) {
      baselines.push(await load(helloOptions, ROUND_SECONDS));
      reads.push(await load(readOptions, ROUND_SECONDS));
      log(`  round ${round}: baseline ${fmt(baselines.at(-1)!.requestsPerSecond)} req/s, cached reads ${fmt(reads.at(-1)!.requestsPerSecond)} req/s (P95 ${fmt(reads.at(-1)!.p95Ms, 1)} ms)`);
    }
    const summary = (results: LoadResult[]): LoadResult => ({
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      p95Ms: median(results.map((r) => r.p95Ms)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      total: results.reduce((sum, r) => sum + r.total, 0),
      failures: results.reduce((sum, r) => sum + r.failures, 0),
    });
    return { baseline: summary(baselines), reads: summary(reads), ratios: reads.map((r, i) => r.requestsPerSecond / baselines[i]!.requestsPerSecond) };
  } finally {
    await stopProcess(hello);
  }
}

/** Alternating tenants, accounts, filters and pages, like the read-heavy load test. */
function readRequests(users: readonly SeededUser[]): Array<{ path: string; token: string }> {
  return users.slice(0, 50).flatMap((user) => {
    const account = user.accountIds[0]!;
    return [
      `/api/transactions?account_id=${account}&page=1&per_page=20`,
      `/api/transactions?account_id=${account}&page=2&per_page=20`,
      `/api/transactions?account_id=${user.accountIds[1] ?? account}&per_page=50`,
      `/api/transactions?page=1&per_page=20`,
      `/api/transactions?from=2020-01-01&to=2099-12-31&per_page=10`,
    ].map((path) => ({ path, token: user.token }));
  });
}

/** Pre-warms the cache (as the study did before its runs) and returns the load for cached reads. */
async function cachedReadOptions(base: string, users: readonly SeededUser[]): Promise<autocannon.Options> {
  const requests = readRequests(users);
  for (const request of requests) {
    const response = await fetch(base + request.path, { headers: { authorization: `Bearer ${request.token}` } });
    if (!response.ok) throw new Error(`warm-up ${request.path} answered ${response.status}: ${await response.text()}`);
  }
  // Each connection walks the whole list in turn: tenants, accounts, filters and pages alternate.
  return {
    url: base,
    requests: requests.map((request) => ({ method: "GET", path: request.path, headers: { authorization: `Bearer ${request.token}` } })),
  };
}

async function measureWrites(base: string, users: readonly SeededUser[]): Promise<LoadResult> {
  const targets = users.flatMap((user) => user.accountIds.map((accountId) => ({ accountId, token: user.token })));
  const merchants = ["Starbucks coffee", "TESCO STORES", "UBER *TRIP", "Amazon Marketplace", "Corner shop"];
  let next = 0;
  return warmAndMeasure({
    url: base,
    connections: 50,
    requests: [
      {
        setupRequest: (request) => {
          const n = next++;
          const target = targets[n % targets.length]!;
          return {
            ...request,
            method: "POST",
            path: "/api/transactions",
            headers: {
              authorization: `Bearer ${target.token}`,
              "content-type": "application/json",
              "idempotency-key": randomUUID(),
            },
            // No category: the api enqueues a categorisation task for each, as in production.
            body: JSON.stringify({
              account_id: target.accountId,
              amount: -((n % 5000) + 1) / 100,
              description: merchants[n % merchants.length],
              occurred_at: new Date(Date.UTC(2025, n % 12, (n % 28) + 1)).toISOString(),
            }),
          };
        },
      },
    ],
  });
}

/** Uncategorises WORKER_TASKS rows, enqueues their tasks, then times dispatcher + worker draining them. */
async function measureWorker(isolated: Isolated, env: Record<string, string>): Promise<{ tasksPerSecond: number; seconds: number; tasks: number }> {
  const { rows } = await isolated.pool.query<{ id: string; user_id: string }>(
    `UPDATE transactions SET category_id = NULL WHERE id IN (SELECT id FROM transactions ORDER BY id LIMIT $1) RETURNING id, user_id`,
    [WORKER_TASKS],
  );
  const config = loadConfig("api", env);
  const queue = new BullTaskQueue({
    connection: isolated.redis,
    prefix: redisKeys(config.redis.keyPrefix).queues,
    queuePrefix: env.TASKS_QUEUE_PREFIX!,
    policies: localTaskPolicies(),
  });
  await queue.enqueueMany(rows.map((row) => categoriseTask(row.user_id, row.id)));
  await queue.close();

  const workerEnv = { ...env, PORT: String(PORTS.worker), DB_POOL_SIZE: "8" };
  const worker = startProcess("worker", "0-1", [BUNDLE, "worker"], workerEnv);
  await waitFor(`http://127.0.0.1:${PORTS.worker}/readyz`);
  const dispatcher = startProcess("dispatcher", "0-1", [BUNDLE, "dispatcher"], {
    ...env,
    PORT: String(PORTS.dispatcher),
    WORKER_URL: `http://127.0.0.1:${PORTS.worker}`,
  });
  // The clock starts once the dispatcher is up (process start-up is not dispatch throughput).
  await waitFor(`http://127.0.0.1:${PORTS.dispatcher}/readyz`);
  const started = performance.now();
  try {
    for (;;) {
      const { rows: left } = await isolated.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM transactions WHERE id = ANY($1::uuid[]) AND category_id IS NULL",
        [rows.map((row) => row.id)],
      );
      if (left[0]!.n === 0) break;
      if (performance.now() - started > 120_000) throw new Error(`${left[0]!.n} tasks still pending after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    return { tasksPerSecond: rows.length / seconds, seconds, tasks: rows.length };
  } finally {
    await stopProcess(dispatcher);
    await stopProcess(worker);
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

async function main(): Promise<void> {
  pinSelfToLoadCore();
  const isolated = await isolate("bench");
  const runPrefix = isolated.queuePrefix;
  const apiEnv = { ...isolated.env, PORT: String(PORTS.api), LOG_LEVEL: "warn", DB_POOL_SIZE: "20", TASKS_QUEUE_PREFIX: `${runPrefix}-api` };
  const workerPhaseEnv = { ...isolated.env, LOG_LEVEL: "warn" };
  let api: ChildProcess | undefined;
  try {
    log("seeding 200 tenants x 2 accounts x 100 transactions");
    const users = await seedDatabase(isolated.pool, {
      users: 200,
      accountsPerUser: 2,
      txPerAccount: 100,
      tokenSecret: loadConfig("api", apiEnv).tokenSecret,
      passwordHash: "not-used-by-the-benchmark",
      runId: isolated.id,
    });

    api = startProcess("api", API_CORE, [BUNDLE, "api"], apiEnv);
    const base = `http://127.0.0.1:${PORTS.api}`;
    await waitFor(`${base}/readyz`);
    log(`node:http hello-world vs cached GET /api/transactions, both on core ${API_CORE}, ${CONNECTIONS} connections, ${READ_ROUNDS} alternating rounds`);
    const { baseline, reads, ratios } = await compareReadsWithBaseline(base, users);
    log("POST /api/transactions, 50 connections");
    const writes = await measureWrites(base, users);
    log(`  ${fmt(writes.requestsPerSecond)} req/s, P95 ${fmt(writes.p95Ms, 1)} ms, ${writes.failures} errors`);
    await stopProcess(api);
    api = undefined;

    log(`categorisation: ${WORKER_TASKS} tasks through the local dispatcher into the worker (both free to use both cores)`);
    const worker = await measureWorker(isolated, workerPhaseEnv);

    const ratio = median(ratios);
    const lines = [
      "",
      "valorize app benchmark (this machine: 2 cores; api and baseline on core 0, autocannon on core 1)",
      "-----------------------------------------------------------------------------------------------",
      `(read figures: medians of ${READ_ROUNDS} alternating ${ROUND_SECONDS} s rounds; ratio = median of the per-round ratios ${ratios.map((r) => fmt(r, 2)).join(", ")})`,
      `1. node:http hello-world baseline   ${fmt(baseline.requestsPerSecond).padStart(8)} req/s   P95 ${fmt(baseline.p95Ms, 1)} ms`,
      `2. cached GET /api/transactions      ${fmt(reads.requestsPerSecond).padStart(8)} req/s   P95 ${fmt(reads.p95Ms, 1)} ms   ratio ${fmt(ratio, 2)}x   errors ${reads.failures}`,
      `      targets: >= 5,000 req/s ${verdict(reads.requestsPerSecond >= 5000)}, P95 <= 50 ms ${verdict(reads.p95Ms <= 50)}, ratio >= 0.30 ${verdict(ratio >= 0.3)}; ${sloLine(reads)}`,
      `3. POST /api/transactions            ${fmt(writes.requestsPerSecond).padStart(8)} req/s   P95 ${fmt(writes.p95Ms, 1)} ms   errors ${writes.failures}`,
      `      targets: >= 1,000 req/s ${verdict(writes.requestsPerSecond >= 1000)}, P95 <= 100 ms ${verdict(writes.p95Ms <= 100)}; ${sloLine(writes)}`,
      `4. categorisation via dispatcher     ${fmt(worker.tasksPerSecond).padStart(8)} tasks/s (${worker.tasks} tasks in ${fmt(worker.seconds, 2)} s)`,
      `      target: >= 1,000 tasks/s ${verdict(worker.tasksPerSecond >= 1000)}`,
      "",
    ];
    console.log(lines.join("\n"));
  } finally {
    if (api) await stopProcess(api);
    // Queues, cache and tokens all live under the run's Redis prefix.
    await isolated.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
