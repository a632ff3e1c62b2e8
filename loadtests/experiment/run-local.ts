/**
 * `--env local`: the whole system on this machine from the app bundle, then the scenarios with
 * the Node runner. Everything started here is stopped by the caller's cleanup, also on Ctrl-C.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../app/build";
import { loadEnvironment } from "../../environments";
import { resolveDataServices } from "../local/data-services";
import { CpuQuotas, describePlacement, detectCgroupCpu } from "../local/placement";
import { LocalSystem } from "../local/system";
import { ArrivalRunner } from "../node/arrival-runner";
import { runAsyncScenario } from "../node/async-runner";
import { DatabaseDrainProbe } from "../node/drain-probes";
import { runHttpScenario } from "../node/http-runner";
import { prewarm } from "../node/prewarm";
import { registerUsers } from "../node/register-users";
import type { LoadUser } from "../requests";
import { loadCheck, mergeDrains, type AsyncDrain, type HttpScenarioResult, type ScenarioResult, type SpeedupPoint } from "../results";
import { runResilienceLocal } from "../resilience/run-local";
import { peakVus, planSummary, PROFILES, scenarioFor, speedupLoadFraction, type AsyncScenario, type HttpScenario, type ScenarioName } from "../scenarios";
import type { ExperimentContext, ExperimentOutcome } from "./context";
import { runHttpNode } from "./http-node";
import { runRemote } from "./run-remote";

const REPO = join(__dirname, "..", "..");

/** Seeds the read scenario's data in bulk with the app's seed command; returns its users and tokens. */
async function seed(system: LocalSystem, ctx: ExperimentContext): Promise<LoadUser[]> {
  const { users, accountsPerUser, txPerAccount } = PROFILES[ctx.options.profile].seed;
  const seeded = await system.seed({ users, accountsPerUser, txPerAccount }, join(ctx.outDir, "raw", "seed-users.json"));
  ctx.log(`seeded ${users} users, ${users * accountsPerUser} accounts, ${(users * accountsPerUser * txPerAccount).toLocaleString("en-US")} transactions`);
  return seeded.map((u) => ({ token: u.token, accountIds: u.accountIds }));
}

async function runScenario(name: ScenarioName, system: LocalSystem, seeded: readonly LoadUser[], ctx: ExperimentContext, runId: string, repeat: number): Promise<ScenarioResult> {
  const scenario = scenarioFor(name, ctx.options.profile);
  const runTag = `${runId}-${repeat}`;
  ctx.log(planSummary(scenario));
  ctx.eta.start(`${name}#${repeat}`);
  try {
    if (scenario.name === "async") return await runAsync(scenario, system, ctx, runTag);
    const users = scenario.ownUserPerVu ? await registerUsers(system.baseUrl, peakVus(scenario), `${runTag}-${name}`, 16) : seeded;
    if (scenario.ownUserPerVu) ctx.log(`${name}: registered ${users.length} users through the API (one per VU)`);
    const queues = system.taskQueues();
    try {
      return await runHttpNode(scenario, system.baseUrl, users, ctx, queues);
    } finally {
      await queues.close();
    }
  } finally {
    ctx.eta.finish(`${name}#${repeat}`);
  }
}

/** One batch per worker instance count: delivery paused while publishing, then the drain timed alone. */
async function runAsync(scenario: AsyncScenario, system: LocalSystem, ctx: ExperimentContext, runTag: string): Promise<ScenarioResult> {
  const drains: AsyncDrain[] = [];
  for (const workers of scenario.workerInstances) {
    await system.restartWorker(workers);
    const publishers = await registerUsers(system.baseUrl, scenario.publishers, `${runTag}-async-w${workers}`);
    const client = await system.database();
    const gate = system.taskQueues();
    try {
      const drain = await runAsyncScenario({
        baseUrl: system.baseUrl,
        realtimeUrl: system.realtimeUrl,
        scenario,
        publishers,
        probe: new DatabaseDrainProbe(client, publishers),
        gate,
        workerInstances: workers,
        onProgress: (p) => ctx.progress({ scenario: "async", published: p.published, categorised: p.categorised, backlog: p.backlog }),
      });
      ctx.log(`async (${workers} worker${workers > 1 ? "s" : ""}): published ${drain.tasks.toLocaleString("en-US")} in ${drain.publishSeconds.toFixed(1)} s, drained in ${drain.drainSeconds.toFixed(1)} s (${drain.tasksPerSecond.toFixed(0)} tasks/s), lost ${drain.lost}, duplicated ${drain.duplicated}`);
      drains.push(drain);
    } finally {
      await gate.close();
      await client.end();
    }
  }
  return mergeDrains(drains);
}

/** `--base-url`: a system already running on this machine (e.g. the local Docker stack). */
async function runAgainstRunningSystem(baseUrl: string, ctx: ExperimentContext): Promise<ExperimentOutcome> {
  ctx.log(`targeting the running system at ${baseUrl} (seeding through its API)`);
  const { runs } = await runRemote({ baseUrl, loadTool: "node", drainPollMs: 2000 }, ctx);
  const config = loadEnvironment("local");
  return { baseUrl, capacity: { apiInstances: config.localDocker.apiReplicas, vcpusPerInstance: 1 }, runs };
}

/**
 * Knee against api instances (speedup), and load scaled with them (aggregate performance): at
 * each count a knee search, then one step at a fixed load (a share of the smallest count's knee)
 * and one at that load times the instance ratio.
 */
async function runSpeedup(
  instanceCounts: readonly number[],
  system: LocalSystem,
  seeded: readonly LoadUser[],
  ctx: ExperimentContext,
  mainRead: HttpScenarioResult | undefined,
): Promise<SpeedupPoint[]> {
  const read = scenarioFor("read", ctx.options.profile) as HttpScenario;
  const points: SpeedupPoint[] = [];
  const counts = [...instanceCounts].sort((a, b) => a - b);
  let baseLoad: number | undefined;
  for (const instances of counts) {
    ctx.eta.start(`speedup:${instances}`);
    if (system.apiInstances !== instances) await system.restartApi(instances);
    // Every count starts from a warm cache: the async drain before it re-categorised the seeded
    // users' transactions, so their pages were stale (the count kept from the main search was
    // measured on cold pages, the restarted ones on warm).
    await prewarm(system.baseUrl, seeded);
    ctx.log(`speedup: read on ${instances} api process(es)`);
    if (!read.open) {
      const result = await runHttpScenario({ baseUrl: system.baseUrl, scenario: read, fixtures: { users: seeded }, onProgress: ctx.progress });
      points.push({ instances, scenario: "read", meanRps: result.meanRps, peakRps: result.peakRps, p95: result.p95 });
      ctx.eta.finish(`speedup:${instances}`);
      continue;
    }
    const reuse = mainRead?.knee && system.apiInstances === instances && instances === (ctx.options.apiInstances ?? defaultApiInstances(ctx));
    const knee = reuse ? mainRead!.knee! : (await runHttpNode(read, system.baseUrl, seeded, ctx)).knee!;
    baseLoad ??= Math.max(1, Math.round(knee.heldRps * speedupLoadFraction));
    const scaled = Math.round((baseLoad * instances) / counts[0]!);
    const runner = new ArrivalRunner({ baseUrl: system.baseUrl, scenario: read, search: read.open, fixtures: { users: seeded }, onSecond: (p) => ctx.progress({ scenario: "read", targetRps: p.targetRps, achievedRps: p.achieved, p95: p.p95, errors: p.errors, inFlight: p.inFlight, step: 0, secondsLeftBound: 0 }) });
    try {
      // An unmeasured warm-up, as before a knee search: a fresh runner opens its connections.
      if (read.open.warmupSeconds > 0) await runner.runStep(read.open.startRps, read.open.warmupSeconds);
      const fixed = loadCheck(await runner.runStep(baseLoad, read.open.stepSeconds));
      const scaledStep = scaled === baseLoad ? fixed : loadCheck(await runner.runStep(scaled, read.open.stepSeconds));
      points.push({ instances, scenario: "read", knee, fixedLoad: fixed, scaledLoad: scaledStep });
    } finally {
      await runner.close();
    }
    ctx.eta.finish(`speedup:${instances}`);
  }
  return points;
}

/** Api processes when --api-instances is not given: one 1-vCPU instance for the knee search (the speedup adds more), two otherwise. */
export function defaultApiInstances(ctx: Pick<ExperimentContext, "options">): number {
  return PROFILES[ctx.options.profile].open && !PROFILES[ctx.options.profile].closed ? 1 : 2;
}

/** The api instance counts of the speedup experiment, if any: --speedup, or the profile's default bounded by the cores. */
export function speedupCounts(ctx: Pick<ExperimentContext, "options">, cores = cpus().length): number[] | undefined {
  if (ctx.options.speedup) return [...ctx.options.speedup];
  const counts = PROFILES[ctx.options.profile].speedupInstances?.filter((n) => n <= cores);
  return counts && counts.length > 1 ? counts : undefined;
}

export async function runLocal(ctx: ExperimentContext): Promise<ExperimentOutcome> {
  const { options } = ctx;
  if (options.baseUrl) return runAgainstRunningSystem(options.baseUrl.replace(/\/$/, ""), ctx);
  ctx.log("building the app bundle");
  const bundle = join(REPO, "app", "dist", "main.js");
  await buildApp(undefined, bundle);
  if (options.scenarios.length === 0 && options.resilience) {
    // Resilience alone: it starts a system of its own, on servers of its own.
    ctx.eta.finish("setup");
    const resilience = await runResilienceLocal(ctx, bundle);
    return {
      baseUrl: "the resilience run's own system (127.0.0.1)",
      capacity: { apiInstances: 2, vcpusPerInstance: 1, workerInstances: [1] },
      placement: describePlacement(undefined, { api: 2, worker: 1 }),
      runs: [[]],
      resilience,
    };
  }
  const services = await resolveDataServices();
  ctx.cleanup(() => services.stop());
  ctx.log(`PostgreSQL: ${services.origin.postgres}, Redis: ${services.origin.redis}`);

  const apiInstances = options.apiInstances ?? defaultApiInstances(ctx);
  const asyncScenario = scenarioFor("async", options.profile) as AsyncScenario;
  const workerInstances = options.scenarios.includes("async") ? asyncScenario.workerInstances[0]! : 1;
  const runId = Math.random().toString(16).slice(2, 10);
  const cgroup = options.cpuQuota ? detectCgroupCpu() : undefined;
  if (options.cpuQuota && !cgroup) ctx.log("no writable cgroup cpu controller here: api and worker instances run without a 1-vCPU quota (see the report's placement)");
  const cpuQuotas = cgroup ? new CpuQuotas(cgroup, runId) : undefined;
  const system = await LocalSystem.start({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, bundle, apiInstances, workerInstances, runId, logDir: join(ctx.outDir, "logs"), cpuQuotas });
  ctx.cleanup(() => system.stop());
  ctx.log(`system up: ${apiInstances} api process(es) at ${system.baseUrl}, ${workerInstances} worker(s), dispatcher, realtime`);
  ctx.eta.finish("setup");

  const speedupInstances = speedupCounts(ctx);
  const needsSeed = options.scenarios.includes("read") || speedupInstances !== undefined;
  const seeded = needsSeed ? await seed(system, ctx) : [];
  if (seeded.length > 0) ctx.log(`pre-warmed ${await prewarm(system.baseUrl, seeded)} cached pages`);
  const placementText = describePlacement(cgroup, { api: apiInstances, worker: workerInstances });
  ctx.log(`placement: ${placementText}`);

  const runs: ScenarioResult[][] = [];
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    if (options.repeat > 1) ctx.log(`run ${repeat} of ${options.repeat}`);
    const results: ScenarioResult[] = [];
    for (const name of options.scenarios) results.push(await runScenario(name, system, seeded, ctx, runId, repeat));
    runs.push(results);
  }

  const mainRead = runs[0]?.find((r): r is HttpScenarioResult => r.name === "read");
  const speedup = speedupInstances ? await runSpeedup(speedupInstances, system, seeded, ctx, mainRead) : undefined;
  let resilience: ExperimentOutcome["resilience"];
  if (options.resilience) {
    // Its own system on its own servers: this one stops first, so that both never share the cores.
    await system.stop();
    resilience = await runResilienceLocal(ctx, bundle);
  }

  return {
    baseUrl: system.baseUrl,
    capacity: { apiInstances, vcpusPerInstance: 1, workerInstances: asyncScenario.workerInstances },
    placement: placementText,
    runs,
    speedup,
    ...(resilience ? { resilience } : {}),
    versions: { dataServices: `postgres: ${services.origin.postgres}, redis: ${services.origin.redis}` },
  };
}
