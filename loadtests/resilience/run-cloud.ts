/**
 * The resilience scenario against a deployed environment: run.ts's load, clients and audit through
 * the public endpoints (PostgreSQL and Redis are private), and cloud-plan.ts's managed faults. The
 * load balancer is the only way in, so there is one realtime URL, and a new realtime revision cuts
 * every client off; categorisations announced as new are counted from sockets of every user.
 */
import { execFile } from "node:child_process";
import type { EnvironmentConfig } from "../../environments";
import { ExperimentError } from "../errors";
import type { ExperimentContext } from "../experiment/context";
import { registerUsers } from "../node/register-users";
import { PROFILES } from "../scenarios";
import { ApiAudit, listAllTransactions } from "./audit";
import { CategorisationCounter } from "../categorisation-events";
import { RetryingClient } from "./client";
import { cloudFaultPlan, cloudSettings, describeCommand, machineProbes, resiliencePreflight, type CloudLocation } from "./cloud-plan";
import { CLOUD_FAULTS, type CloudFaultName } from "./faults";
import { RealtimeClient } from "./realtime-clients";
import { runResilience, type Gate, type ResilienceTarget } from "./run";
import type { ResilienceResult } from "./types";

/** Runs a command, capturing its output (gcloud prints progress on stderr). */
export function runCapture(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function gcloud(args: readonly string[], ctx: ExperimentContext): Promise<void> {
  ctx.log(`resilience: ${describeCommand(args)}`);
  const { code, stderr } = await runCapture("gcloud", args);
  if (code !== 0) throw new ExperimentError(`${describeCommand(args)} exited with ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}`);
}

/** Checks what can be checked before the run deploys or stops anything (throws one message naming every problem). */
export async function preflightResilienceCloud(env: string, config: EnvironmentConfig): Promise<void> {
  const problem = await resiliencePreflight(env, config, machineProbes(runCapture));
  if (problem) throw new ExperimentError(problem);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runResilienceCloud(ctx: ExperimentContext, config: EnvironmentConfig, where: CloudLocation, baseUrl: string): Promise<ResilienceResult> {
  const settings = cloudSettings(PROFILES[ctx.options.profile].resilience);
  const runTag = Math.random().toString(16).slice(2, 10);
  const plan = cloudFaultPlan(config, where, runTag);
  // Whatever happens, the environment is left as it was: workers scaled back, queues resumed, no rollout variable.
  for (const step of plan) for (const args of step.cleanup) ctx.cleanup(() => gcloud(args, ctx));
  const api = new RetryingClient(baseUrl);
  const realtimeUrl = `${baseUrl.replace(/^http/, "ws")}/ws`;
  const auditSockets: RealtimeClient[] = [];
  ctx.eta.start("resilience");
  try {
    const target: ResilienceTarget = {
      environment: ctx.options.env,
      faults: CLOUD_FAULTS,
      baseUrl,
      realtimeUrls: [realtimeUrl],
      probeTargets: { api: baseUrl },
      dataServices: `the environment's Cloud SQL (${config.database.availabilityType}) and Memorystore (${config.cache.tier})`,
      api,
      registerUsers: (count) => registerUsers(baseUrl, count, `res-${runTag}`, 8),
      gate: (): Gate => {
        const step = plan.find((s) => s.fault === "task-queues-paused")!;
        return { pause: async () => void (await Promise.all(step.inject.map((a) => gcloud(a, ctx)))), resume: async () => void (await Promise.all(step.restore.map((a) => gcloud(a, ctx)))), close: async () => {} };
      },
      categorised: async (ids, drainUsers) => {
        const wanted = new Set(ids);
        let done = 0;
        for (const user of drainUsers) for (const row of await listAllTransactions(api, user)) if (wanted.has(row.id) && row.category_id) done++;
        return done;
      },
      inject: async (spec, s, now) => {
        const step = plan.find((p) => p.fault === (spec.name as CloudFaultName))!;
        const injectedAt = now();
        for (const args of step.inject) await gcloud(args, ctx);
        const downFrom = now();
        if (spec.heldDown) {
          await sleep(s.downSeconds * 1000);
          for (const args of step.restore) await gcloud(args, ctx);
        }
        return { injectedAt, downFrom, backAt: now(), detail: [...step.inject, ...(spec.heldDown ? step.restore : [])].map(describeCommand).join("; ") };
      },
      // A new revision replaces every instance of the old one: every client is cut off.
      stoppedClients: (clients) => clients.map((_, i) => i),
      audit: (users, prefix) => new ApiAudit(api, users, prefix),
      countEffects: async (users, recorder) => {
        const counter = new CategorisationCounter();
        for (const [i, user] of users.entries()) auditSockets.push(new RealtimeClient(i, user, 0, [realtimeUrl], api, recorder, (raw) => counter.observe(raw)));
        await Promise.all(auditSockets.map((s) => s.connect()));
        return { duplicatesOf: (id) => counter.duplicatesOf(id), close: () => auditSockets.forEach((s) => s.close()) };
      },
    };
    return await runResilience(ctx, target, settings, runTag);
  } finally {
    for (const socket of auditSockets) socket.close();
    await api.close().catch(() => undefined);
    ctx.eta.finish("resilience");
  }
}
