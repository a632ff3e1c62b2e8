/**
 * `npm run bench:app` — the app's performance figures on this machine, against the issue's targets:
 *
 *  1. a bare node:http hello-world on core 0 (the baseline for this run);
 *  2. cached `GET /api/transactions` (api on core 0, autocannon on core 1): req/s, P95, ratio;
 *  3. `POST /api/transactions`: req/s, P95;
 *  4. categorisation tasks/s through the local dispatcher into the worker.
 *
 * The system runs from the bundle (app/dist/main.js, built by the npm script) as in production,
 * started by the load tests' LocalSystem (loadtests/local/system.ts): its own schema, Redis key
 * prefix and queues, removed at the end. Latency percentiles come from the load tests' HDR
 * histogram (loadtests/stats.ts), the SLO verdict from loadtests/slo.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import type { SeededUser } from "../../app/adapters/postgres/seeder";
import { categoriseTask } from "../../app/domain/tasks";
import { freePort, resolveDataServices } from "../local/data-services";
import { onCores, pinProcess } from "../local/placement";
import { LocalSystem, stopChild, waitReady, type TaskQueueControl } from "../local/system";
import { sloText, sloVerdict } from "../slo";
import { LatencyHistogram, median } from "../stats";

const BUNDLE = join(__dirname, "..", "..", "app", "dist", "main.js");
const API_CORE = "0";
const LOAD_CORE = "1";
const CONNECTIONS = 100;
const WARMUP_SECONDS = 4;
const MEASURE_SECONDS = 10;
/** Baseline and cached reads alternate this many times (the machine is shared: load comes and goes). */
const READ_ROUNDS = 3;
const ROUND_SECONDS = 6;
const SEED = { users: 200, accountsPerUser: 2, txPerAccount: 100 } as const;
/** Connections per process; the api gets more (it serves 100 connections at once). */
const POOL_SIZE = { api: 20, others: 8 } as const;
const WORKER_TASKS = 10_000;
const DRAIN_TIMEOUT_MS = 120_000;

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p95Ms: number;
  readonly p50Ms: number;
  readonly total: number;
  readonly failures: number;
}

const log = (message: string) => console.log(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The study's SLO on a measurement, as the experiment judges it (loadtests/slo.ts). */
function sloLine(result: LoadResult): string {
  const slo = sloVerdict(result.p95Ms, result.total === 0 ? 0 : result.failures / result.total);
  return `SLO (${sloText()}) ${slo.ok ? "held" : `BROKEN: ${slo.reason}`}`;
}

/** Runs autocannon; percentiles from every response time, in the load tests' HDR histogram. */
async function load(options: autocannon.Options, seconds: number): Promise<LoadResult> {
  const latency = new LatencyHistogram();
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, duration: seconds, ...options }, (error, finished) =>
      error ? reject(error) : resolve(finished),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      latency.recordMs(responseTime);
      if (statusCode >= 400) failures++;
    });
  });
  return {
    requestsPerSecond: result.requests.total / seconds,
    p95Ms: latency.percentileMs(95),
    p50Ms: latency.percentileMs(50),
    total: result.requests.total,
    failures: failures + result.errors + result.timeouts,
  };
}

/** Warm the JIT first, then measure: both servers get the same treatment. */
async function warmAndMeasure(options: autocannon.Options): Promise<LoadResult> {
  await load(options, WARMUP_SECONDS);
  return load(options, MEASURE_SECONDS);
}

/** The baseline: node:http answering "hello world" to every path (its readiness probe included), on the api's core. */
async function startHelloWorld(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const source = `require("node:http").createServer((q, s) => { s.setHeader("content-type", "text/plain"); s.end("hello world"); }).listen(${port}, "127.0.0.1")`;
  const command = onCores(API_CORE, process.execPath, ["-e", source]);
  const child = spawn(command.command, command.args, { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  await waitReady("hello world", url, child);
  return { url, child };
}

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
  const hello = await startHelloWorld();
  try {
    const helloOptions = { url: `${hello.url}/` };
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
    await stopChild(hello.child);
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

/** Resumes delivery and resolves with the seconds until `done` holds (polled every 50 ms). */
async function timeDrain(queues: TaskQueueControl, what: string, done: () => Promise<boolean>): Promise<number> {
  await queues.resume();
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`${what}: not done after ${DRAIN_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
  return (performance.now() - started) / 1000;
}

/**
 * WORKER_TASKS of the seeded transactions, chosen before the writes: no task was ever queued for
 * them, while a transaction the writes created had its task queued already, and the queue drops a
 * task it completed within its dedupe window (the task's id comes from the transaction's).
 */
async function seededTransactionIds(system: LocalSystem): Promise<string[]> {
  const client = await system.database();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM transactions ORDER BY id LIMIT $1", [WORKER_TASKS]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/**
 * Categorisation throughput: with delivery paused, uncategorises the chosen rows and enqueues
 * their tasks as the api would; then times the dispatcher and worker draining them, from the
 * moment delivery resumes (process start-up is not dispatch throughput).
 */
async function measureWorker(system: LocalSystem, queues: TaskQueueControl, chosen: readonly string[]): Promise<{ tasksPerSecond: number; seconds: number; tasks: number }> {
  // The writes' own tasks first (they waited while the api was measured), so the figure counts exactly ours.
  const left = await queues.backlog();
  const writesSeconds = await timeDrain(queues, `the writes' ${left} tasks`, async () => (await queues.backlog()) === 0);
  log(`  (the ${fmt(left)} tasks the writes enqueued drained first, in ${fmt(writesSeconds, 1)} s)`);
  await queues.pause();
  const client = await system.database();
  try {
    const { rows } = await client.query<{ id: string; user_id: string }>("UPDATE transactions SET category_id = NULL WHERE id = ANY($1::uuid[]) RETURNING id, user_id", [chosen]);
    await queues.enqueue(rows.map((row) => categoriseTask(row.user_id, row.id)));
    const ids = rows.map((row) => row.id);
    const seconds = await timeDrain(queues, `${rows.length} categorisation tasks`, async () => {
      const { rows: pending } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM transactions WHERE id = ANY($1::uuid[]) AND category_id IS NULL", [ids]);
      return pending[0]!.n === 0;
    });
    return { tasksPerSecond: rows.length / seconds, seconds, tasks: rows.length };
  } finally {
    await client.end();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

async function main(): Promise<void> {
  const services = await resolveDataServices();
  const logDir = await mkdtemp(join(tmpdir(), "valorize-bench-app-"));
  let system: LocalSystem | undefined;
  let queues: TaskQueueControl | undefined;
  let finished = false;
  try {
    log(`PostgreSQL: ${services.origin.postgres}, Redis: ${services.origin.redis}; the roles' logs in ${logDir}`);
    system = await LocalSystem.start({
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      bundle: BUNDLE,
      runId: `bench${randomBytes(4).toString("hex")}`,
      logDir,
      apiInstances: 1,
      dbPoolSize: POOL_SIZE.others,
      roleEnv: { api: { DB_POOL_SIZE: String(POOL_SIZE.api) } },
      affinity: { api: API_CORE },
    });
    // Delivery waits until the categorisation phase: meanwhile the dispatcher and worker idle.
    queues = system.taskQueues();
    await queues.pause();
    log(`seeding ${SEED.users} tenants x ${SEED.accountsPerUser} accounts x ${SEED.txPerAccount} transactions`);
    const users = await system.seed(SEED, join(logDir, "seed-users.json"));
    const toCategorise = await seededTransactionIds(system);
    // The load generator (this process, autocannon's) gets core 1 to itself. Pinned only now: the
    // roles started above that LocalSystem did not pin keep both cores (a child inherits its parent's).
    pinProcess(process.pid, LOAD_CORE);

    const base = system.baseUrl;
    log(`node:http hello-world vs cached GET /api/transactions, both on core ${API_CORE}, ${CONNECTIONS} connections, ${READ_ROUNDS} alternating rounds`);
    const { baseline, reads, ratios } = await compareReadsWithBaseline(base, users);
    log("POST /api/transactions, 50 connections");
    const writes = await measureWrites(base, users);
    log(`  ${fmt(writes.requestsPerSecond)} req/s, P95 ${fmt(writes.p95Ms, 1)} ms, ${writes.failures} errors`);

    log(`categorisation: ${WORKER_TASKS} tasks through the local dispatcher into the worker (both free to use both cores; the api idles)`);
    const worker = await measureWorker(system, queues, toCategorise);

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
    finished = true;
  } finally {
    await queues?.close();
    // Processes, schema, queues, cache and tokens: everything the run created.
    await system?.stop();
    await services.stop();
    if (finished) await rm(logDir, { recursive: true, force: true });
    else console.error(`[bench] the roles' logs are kept in ${logDir}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
