/**
 * `--env local`: the whole system on this machine from the app bundle, then the scenarios with
 * the Node runner. Everything started here is stopped by the caller's cleanup, also on Ctrl-C.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildApp } from "../../app/build";
import { resolveDataServices } from "../local/data-services";
import { LocalSystem } from "../local/system";
import { runAsyncScenario } from "../node/async-runner";
import { DatabaseDrainProbe } from "../node/drain-probes";
import { runHttpScenario } from "../node/http-runner";
import { prewarm } from "../node/prewarm";
import { registerUsers } from "../node/register-users";
import type { LoadUser } from "../requests";
import type { ScenarioResult, SpeedupPoint } from "../results";
import { peakVus, planSummary, PROFILES, scenarioFor, type AsyncScenario, type HttpScenario, type ScenarioName } from "../scenarios";
import { loadEnvironment } from "../../environments";
import type { ExperimentContext, ExperimentOutcome } from "./context";
import { runRemote } from "./run-remote";

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, "..", "..");

/** Seeds the read scenario's data in bulk with the app's seed command; returns its users and tokens. */
async function seed(system: LocalSystem, ctx: ExperimentContext): Promise<LoadUser[]> {
  const { users, accountsPerUser, txPerAccount } = PROFILES[ctx.options.profile].seed;
  const out = join(ctx.outDir, "raw", "seed-users.json");
  await execFileAsync(
    process.execPath,
    ["--import", "tsx", join(REPO, "app", "entrypoints", "seed.ts"), "--users", String(users), "--accounts-per-user", String(accountsPerUser), "--tx-per-account", String(txPerAccount), "--out", out],
    { env: { ...process.env, ...system.env }, cwd: REPO },
  );
  const seeded = JSON.parse(await readFile(out, "utf8")) as Array<{ token: string; accountIds: string[] }>;
  ctx.log(`seeded ${users} users, ${users * accountsPerUser} accounts, ${(users * accountsPerUser * txPerAccount).toLocaleString("en-US")} transactions`);
  return seeded.map((u) => ({ token: u.token, accountIds: u.accountIds }));
}

async function runScenario(name: ScenarioName, system: LocalSystem, seeded: readonly LoadUser[], ctx: ExperimentContext, runTag: string): Promise<ScenarioResult> {
  const scenario = scenarioFor(name, ctx.options.profile);
  ctx.log(planSummary(scenario));
  if (scenario.name === "async") return runAsync(scenario, system, ctx, runTag);
  const users = scenario.ownUserPerVu ? await registerUsers(system.baseUrl, peakVus(scenario), `${runTag}-${name}`) : seeded;
  if (scenario.ownUserPerVu) ctx.log(`${name}: registered ${users.length} users through the API (one per VU)`);
  return runHttpScenario({ baseUrl: system.baseUrl, scenario, fixtures: { users }, onProgress: ctx.progress });
}

async function runAsync(scenario: AsyncScenario, system: LocalSystem, ctx: ExperimentContext, runTag: string): Promise<ScenarioResult> {
  const publishers = await registerUsers(system.baseUrl, scenario.publishers, `${runTag}-async`);
  const client = await system.database();
  try {
    return await runAsyncScenario({
      baseUrl: system.baseUrl,
      realtimeUrl: system.realtimeUrl,
      scenario,
      publishers,
      probe: new DatabaseDrainProbe(client, publishers),
      onProgress: (p) => ctx.progress({ scenario: "async", published: p.published, categorised: p.categorised, backlog: p.backlog }),
    });
  } finally {
    await client.end();
  }
}

/** `--base-url`: a system already running on this machine (e.g. the local Docker stack). */
async function runAgainstRunningSystem(baseUrl: string, ctx: ExperimentContext): Promise<ExperimentOutcome> {
  ctx.log(`targeting the running system at ${baseUrl} (seeding through its API)`);
  const { runs } = await runRemote({ baseUrl, loadTool: "node", drainPollMs: 2000 }, ctx);
  const config = loadEnvironment("local");
  return { baseUrl, capacity: { apiInstances: config.localDocker.apiReplicas, vcpusPerInstance: 1 }, runs };
}

export async function runLocal(ctx: ExperimentContext): Promise<ExperimentOutcome> {
  const { options } = ctx;
  if (options.baseUrl) return runAgainstRunningSystem(options.baseUrl.replace(/\/$/, ""), ctx);
  ctx.log("building the app bundle");
  const bundle = join(REPO, "app", "dist", "main.js");
  await buildApp(undefined, bundle);
  const services = await resolveDataServices();
  ctx.cleanup(() => services.stop());
  ctx.log(`PostgreSQL: ${services.origin.postgres}, Redis: ${services.origin.redis}`);

  const apiInstances = options.apiInstances ?? 2;
  const runId = Math.random().toString(16).slice(2, 10);
  const system = await LocalSystem.start({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, bundle, apiInstances, runId, logDir: join(ctx.outDir, "logs") });
  ctx.cleanup(() => system.stop());
  ctx.log(`system up: ${apiInstances} api process(es) at ${system.baseUrl}, worker, dispatcher, realtime`);

  const needsSeed = options.scenarios.includes("read") || options.speedup !== undefined;
  const seeded = needsSeed ? await seed(system, ctx) : [];
  if (seeded.length > 0) ctx.log(`pre-warmed ${await prewarm(system.baseUrl, seeded)} cached pages`);

  const runs: ScenarioResult[][] = [];
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    if (options.repeat > 1) ctx.log(`run ${repeat} of ${options.repeat}`);
    const results: ScenarioResult[] = [];
    for (const name of options.scenarios) results.push(await runScenario(name, system, seeded, ctx, `${runId}-${repeat}`));
    runs.push(results);
  }

  let speedup: SpeedupPoint[] | undefined;
  if (options.speedup) {
    speedup = [];
    const read = scenarioFor("read", options.profile) as HttpScenario;
    for (const instances of options.speedup) {
      await system.restartApi(instances);
      await prewarm(system.baseUrl, seeded);
      ctx.log(`speedup: read scenario on ${instances} api process(es)`);
      const result = await runHttpScenario({ baseUrl: system.baseUrl, scenario: read, fixtures: { users: seeded }, onProgress: ctx.progress });
      speedup.push({ instances, scenario: "read", meanRps: result.meanRps, peakRps: result.peakRps, p95: result.p95 });
    }
  }

  return {
    baseUrl: system.baseUrl,
    capacity: { apiInstances, vcpusPerInstance: 1 },
    runs,
    speedup,
    versions: { dataServices: `postgres: ${services.origin.postgres}, redis: ${services.origin.redis}` },
  };
}
