/**
 * `--env dev|staging|prod`: deploys the environment (unless --no-deploy), reads the stack's
 * outputs, seeds through the public API, runs the read and mixed scenarios with k6 against the
 * load balancer and the async scenario with the Node runner, and collects Cloud Monitoring series
 * for the run window.
 */
import { execFile, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Pool } from "undici";
import { loadEnvironment, type CloudEnvironmentName } from "../../environments";
import { bundleK6Script } from "../k6/bundle";
import { runAsyncScenario } from "../node/async-runner";
import { ApiDrainProbe } from "../node/drain-probes";
import { prewarm } from "../node/prewarm";
import { registerUsers } from "../node/register-users";
import type { LoadUser } from "../requests";
import type { HttpScenarioResult, ScenarioResult, SpeedupPoint } from "../results";
import { PROFILES, scenarioFor, type AsyncScenario, type HttpScenario } from "../scenarios";
import type { ExperimentContext, ExperimentOutcome } from "./context";
import { k6Timeline } from "./k6-csv";
import { collectMonitoringSeries } from "./monitoring";

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, "..", "..");

export interface StackOutputs {
  readonly baseUrl: string;
  readonly projectId: string;
  readonly region: string;
  readonly apiServiceName: string;
}

/** Reads what the experiment needs from `terraform output -json` of a synthesized stack. */
export function parseStackOutputs(json: string): StackOutputs {
  const outputs = JSON.parse(json) as Record<string, { value: unknown }>;
  const value = (name: string) => {
    const v = outputs[name]?.value;
    if (typeof v !== "string" || v === "") throw new Error(`stack output "${name}" is missing: deploy the environment first (or drop --no-deploy)`);
    return v;
  };
  const apiUrl = value("api_url");
  return {
    baseUrl: value("base_url").replace(/\/$/, ""),
    projectId: value("project_id"),
    region: value("region"),
    // https://<service>-<hash>.<region>.run.app -> the service name is the configured one
    apiServiceName: new URL(apiUrl).hostname.split(".")[0]!.replace(/-[a-z0-9]+$/, ""),
  };
}

function runInherit(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env, cwd: REPO });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Seeds through the API: users, accounts, and each account's history as one CSV import. */
async function seedThroughApi(baseUrl: string, ctx: ExperimentContext, runTag: string): Promise<LoadUser[]> {
  const { users: count, txPerAccount } = PROFILES[ctx.options.profile].seed;
  const users = await registerUsers(baseUrl, count, `${runTag}-seed`);
  const pool = new Pool(baseUrl, { connections: 8 });
  const day = 86_400_000;
  const merchants = ["UBER *TRIP", "TESCO STORES", "Starbucks coffee", "Shell fuel station", "Netflix subscription", "ACME Corp salary"];
  try {
    await Promise.all(
      users.map(async (user) => {
        const rows = Array.from({ length: txPerAccount }, (_, i) => `${new Date(Date.now() - (i % 365) * day).toISOString().slice(0, 10)},${merchants[i % merchants.length]},-${(5 + (i % 90)).toFixed(2)}`);
        const started = await pool.request({
          path: `/api/imports?account_id=${user.accountIds[0]}`,
          method: "POST",
          headers: { authorization: `Bearer ${user.token}`, "content-type": "text/csv" },
          body: ["date,description,amount", ...rows].join("\n"),
        });
        const { id } = (await started.body.json()) as { id: string };
        for (;;) {
          const status = await pool.request({ path: `/api/imports/${id}`, method: "GET", headers: { authorization: `Bearer ${user.token}` } });
          const body = (await status.body.json()) as { status: string };
          if (body.status === "completed") break;
          if (body.status === "failed") throw new Error(`seed import ${id} failed`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }),
    );
  } finally {
    await pool.close();
  }
  ctx.log(`seeded ${users.length} users with ${txPerAccount} transactions each through the API`);
  return users;
}

/** CPU seconds a running process has used so far (Linux /proc), for the generator report. */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

async function runK6(scenario: HttpScenario, baseUrl: string, fixtures: readonly LoadUser[], ctx: ExperimentContext, tag: string): Promise<HttpScenarioResult> {
  const script = await bundleK6Script(join(ctx.outDir, "raw", "k6-script.js"));
  const fixturesFile = join(ctx.outDir, "raw", `k6-fixtures-${tag}.json`);
  const resultFile = join(ctx.outDir, "raw", `k6-${tag}.json`);
  const csvFile = join(ctx.outDir, "raw", `k6-${tag}.csv`);
  await writeFile(fixturesFile, JSON.stringify({ users: fixtures }));
  const started = performance.now();
  const child = spawn("k6", ["run", "--quiet", "--out", `csv=${csvFile}`, "-e", `SCENARIO=${scenario.name}`, "-e", `PROFILE=${ctx.options.profile}`, "-e", `BASE_URL=${baseUrl}`, "-e", `FIXTURES=${fixturesFile}`, "-e", `RESULT_FILE=${resultFile}`, script], { stdio: "inherit" });
  let cpuSeconds = 0;
  const sampler = setInterval(() => void cpuSecondsOf(child.pid!).then((s) => (cpuSeconds = s ?? cpuSeconds)), 1000);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", () => reject(new Error("k6 is not installed: see https://grafana.com/docs/k6/latest/set-up/install-k6/")));
    child.once("exit", (c) => resolve(c ?? 1));
  });
  clearInterval(sampler);
  // 99 = thresholds crossed: the SLO verdict is in the results, not a failure to run.
  if (code !== 0 && code !== 99) throw new Error(`k6 exited with ${code}`);
  const wallSeconds = (performance.now() - started) / 1000;
  const result = JSON.parse(await readFile(resultFile, "utf8")) as HttpScenarioResult;
  const timeline = await k6Timeline(csvFile, scenario);
  return {
    ...result,
    timeline,
    peakRps: Math.max(0, ...timeline.map((p) => p.requests)),
    generator: { tool: "k6", wallSeconds, cpuSeconds, cpuPercentOfOneCore: (cpuSeconds / wallSeconds) * 100, peakRssMb: 0 },
  };
}

export async function runCloud(ctx: ExperimentContext): Promise<ExperimentOutcome> {
  const env = ctx.options.env as CloudEnvironmentName;
  if (ctx.options.deploy) {
    ctx.log(`deploying ${env} (npx cdktf deploy ${env})`);
    await runInherit("npx", ["cdktf", "deploy", env, "--auto-approve"], { ...process.env, CHECKPOINT_DISABLE: "1" });
  }
  const { stdout } = await execFileAsync("terraform", [`-chdir=${join(REPO, "cdktf.out", "stacks", env)}`, "output", "-json"]);
  const outputs = parseStackOutputs(stdout);
  const baseUrl = ctx.options.baseUrl ?? outputs.baseUrl;
  const realtimeUrl = `${baseUrl.replace(/^http/, "ws")}/ws`;
  const config = loadEnvironment(env, { env: process.env });
  const windowStart = new Date();
  const runTag = Math.random().toString(16).slice(2, 10);

  const needsSeed = ctx.options.scenarios.includes("read") || ctx.options.speedup !== undefined;
  const seeded = needsSeed ? await seedThroughApi(baseUrl, ctx, runTag) : [];
  if (seeded.length > 0) ctx.log(`pre-warmed ${await prewarm(baseUrl, seeded)} cached pages`);

  const runs: ScenarioResult[][] = [];
  for (let repeat = 1; repeat <= ctx.options.repeat; repeat++) {
    const results: ScenarioResult[] = [];
    for (const name of ctx.options.scenarios) {
      const scenario = scenarioFor(name, ctx.options.profile);
      ctx.log(`${name}: ${scenario.description}`);
      if (scenario.name === "async") results.push(await runCloudAsync(scenario, baseUrl, realtimeUrl, ctx, `${runTag}-${repeat}`));
      else results.push(await runK6(scenario, baseUrl, scenario.ownUserPerVu ? [] : seeded, ctx, `${name}-${repeat}`));
    }
    runs.push(results);
  }

  let speedup: SpeedupPoint[] | undefined;
  if (ctx.options.speedup) {
    speedup = [];
    const read = scenarioFor("read", ctx.options.profile) as HttpScenario;
    const setMax = (n: number) => runInherit("gcloud", ["run", "services", "update", outputs.apiServiceName, `--max-instances=${n}`, `--region=${outputs.region}`, `--project=${outputs.projectId}`, "--quiet"]);
    ctx.cleanup(() => setMax(config.services.api.maxInstances));
    for (const instances of ctx.options.speedup) {
      await setMax(instances);
      const result = await runK6(read, baseUrl, seeded, ctx, `speedup-${instances}`);
      speedup.push({ instances, scenario: "read", meanRps: result.meanRps, peakRps: result.peakRps, p95: result.p95 });
    }
  }

  await collectMonitoringSeries({ projectId: outputs.projectId, namePrefix: config.namePrefix, start: windowStart, end: new Date(), file: join(ctx.outDir, "raw", "monitoring.json") }).then(
    (series) => ctx.log(`collected ${series} Cloud Monitoring series`),
    (error: unknown) => ctx.log(`could not collect Cloud Monitoring series: ${String(error)}`),
  );

  return {
    baseUrl,
    capacity: { apiInstances: config.services.api.maxInstances, vcpusPerInstance: Number(config.services.api.cpu) || 1 },
    runs,
    speedup,
    versions: { k6: (await execFileAsync("k6", ["version"]).catch(() => ({ stdout: "unknown" }))).stdout.trim() },
  };
}

async function runCloudAsync(scenario: AsyncScenario, baseUrl: string, realtimeUrl: string, ctx: ExperimentContext, runTag: string): Promise<ScenarioResult> {
  const publishers = await registerUsers(baseUrl, scenario.publishers, `${runTag}-async`);
  const probe = new ApiDrainProbe(baseUrl, publishers);
  try {
    // Paging through the API is heavier than a database count: poll every 10 s.
    return await runAsyncScenario({ baseUrl, realtimeUrl, scenario, publishers, probe, pollMs: 10_000, onProgress: (p) => ctx.progress({ scenario: "async", ...p }) });
  } finally {
    await probe.close();
  }
}

