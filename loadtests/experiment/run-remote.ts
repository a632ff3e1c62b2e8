/**
 * The scenarios against a system that is already running somewhere (a deployed environment, or
 * the local Docker stack): data goes in through the public API, the async audit reads through it.
 */
import { Pool } from "undici";
import { runAsyncScenario, type DeliveryGate } from "../node/async-runner";
import { ApiDrainProbe } from "../node/drain-probes";
import { prewarm } from "../node/prewarm";
import { registerUsers } from "../node/register-users";
import type { LoadUser } from "../requests";
import { combineHttpResults, type HttpScenarioResult, type ScenarioResult } from "../results";
import { peakVus, planSummary, PROFILES, scenarioFor, type AsyncScenario, type HttpScenario } from "../scenarios";
import type { ExperimentContext } from "./context";
import { runK6, runK6KneeSearch } from "./k6-run";
import { runHttpNode } from "./http-node";

export type LoadTool = "k6" | "node";

export interface RemoteTarget {
  readonly baseUrl: string;
  readonly loadTool: LoadTool;
  /** How often the async audit pages through the API. */
  readonly drainPollMs: number;
  /** Pauses task delivery while the async batch is published (cloud: the Cloud Tasks queues); without it they overlap. */
  readonly gate?: DeliveryGate;
}

export interface RemoteRuns {
  readonly runs: ScenarioResult[][];
  /** The seeded users, for the speedup experiment. */
  readonly seeded: readonly LoadUser[];
}

/** Seeds through the API: users, accounts, and each account's history as one CSV import. */
export async function seedThroughApi(baseUrl: string, ctx: ExperimentContext, runTag: string): Promise<LoadUser[]> {
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

/** One HTTP scenario with the target's load tool: the closed stages and/or the knee search. */
export async function runHttpRemote(scenario: HttpScenario, target: RemoteTarget, seeded: readonly LoadUser[], ctx: ExperimentContext, tag: string): Promise<HttpScenarioResult> {
  // Mixed: one user per VU, registered once here for every k6 run of the search.
  const users = scenario.ownUserPerVu ? await registerUsers(target.baseUrl, peakVus(scenario), `${tag}-${Date.now().toString(36)}`, 16) : seeded;
  if (target.loadTool === "node") return runHttpNode(scenario, target.baseUrl, users, ctx);
  const closed = scenario.stages.length > 0 ? await runK6(scenario, target.baseUrl, users, ctx, tag) : undefined;
  const open = scenario.open ? await runK6KneeSearch(scenario, target.baseUrl, users, ctx, `${tag}-knee`) : undefined;
  return combineHttpResults(scenario.name, closed, open);
}

async function runAsyncRemote(scenario: AsyncScenario, target: RemoteTarget, ctx: ExperimentContext, runTag: string): Promise<ScenarioResult> {
  const publishers = await registerUsers(target.baseUrl, scenario.publishers, `${runTag}-async`);
  const probe = new ApiDrainProbe(target.baseUrl, publishers);
  try {
    return await runAsyncScenario({
      baseUrl: target.baseUrl,
      realtimeUrl: `${target.baseUrl.replace(/^http/, "ws")}/ws`,
      scenario,
      publishers,
      probe,
      pollMs: target.drainPollMs,
      ...(target.gate ? { gate: target.gate } : {}),
      onProgress: (p) => ctx.progress({ scenario: "async", ...p }),
    });
  } finally {
    await probe.close();
  }
}

/** Seeds, pre-warms and runs every selected scenario `--repeat` times. */
export async function runRemote(target: RemoteTarget, ctx: ExperimentContext): Promise<RemoteRuns> {
  const runTag = Math.random().toString(16).slice(2, 10);
  const needsSeed = ctx.options.scenarios.includes("read") || ctx.options.speedup !== undefined;
  const seeded = needsSeed ? await seedThroughApi(target.baseUrl, ctx, runTag) : [];
  ctx.eta.finish("setup");
  if (seeded.length > 0) ctx.log(`pre-warmed ${await prewarm(target.baseUrl, seeded)} cached pages`);
  const runs: ScenarioResult[][] = [];
  for (let repeat = 1; repeat <= ctx.options.repeat; repeat++) {
    const results: ScenarioResult[] = [];
    for (const name of ctx.options.scenarios) {
      const scenario = scenarioFor(name, ctx.options.profile);
      ctx.log(planSummary(scenario));
      ctx.eta.start(`${name}#${repeat}`);
      results.push(scenario.name === "async" ? await runAsyncRemote(scenario, target, ctx, `${runTag}-${repeat}`) : await runHttpRemote(scenario, target, seeded, ctx, `${name}-${repeat}`));
      ctx.eta.finish(`${name}#${repeat}`);
    }
    runs.push(results);
  }
  return { runs, seeded };
}
