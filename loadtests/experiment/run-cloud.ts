/**
 * `--env dev|staging|prod`: deploys the environment (unless --no-deploy), reads the stack's
 * outputs, seeds through the public API, runs the read and mixed scenarios with k6 against the
 * load balancer and the async scenario with the Node runner, and collects Cloud Monitoring series
 * for the run window.
 */
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { taskQueueName, type CloudEnvironmentName, type EnvironmentConfig } from "../../environments";
import type { DeliveryGate } from "../node/async-runner";
import { loadCheck, type SpeedupPoint } from "../results";
import { scenarioFor, speedupLoadFraction, type HttpScenario } from "../scenarios";
import type { ExperimentContext, ExperimentOutcome } from "./context";
import { runK6Step } from "./k6-run";
import { collectMonitoringSeries } from "./monitoring";
import { ExperimentError } from "../errors";
import { preflightCloud } from "./preflight";
import { runHttpRemote, runRemote } from "./run-remote";
import { preflightResilienceCloud, runResilienceCloud } from "../resilience/run-cloud";

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, "..", "..");

export interface StackOutputs {
  readonly baseUrl: string;
  readonly projectId: string;
  readonly region: string;
}

/** Reads what the experiment needs from `terraform output -json` of a synthesized stack. */
export function parseStackOutputs(json: string): StackOutputs {
  const outputs = JSON.parse(json) as Record<string, { value: unknown }>;
  const value = (name: string) => {
    const v = outputs[name]?.value;
    if (typeof v !== "string" || v === "") throw new ExperimentError(`stack output "${name}" is missing: deploy the environment first (or drop --no-deploy)`);
    return v;
  };
  return { baseUrl: value("base_url").replace(/\/$/, ""), projectId: value("project_id"), region: value("region") };
}

/** The "Error: ..." line of Terraform's stderr (it also prints warnings and boxes). */
export function terraformError(stderr = ""): string {
  return /^Error: (.+)$/m.exec(stderr)?.[1]?.trim() ?? (stderr.trim().split("\n").at(-1) || "no error output");
}

function runInherit(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env, cwd: REPO });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new ExperimentError(`${command} ${args.join(" ")} exited with ${code} (its output is above)`))));
  });
}

/**
 * `gcloud tasks queues pause|resume` for every categorisation queue shard (named as the stack
 * names them). Cloud Tasks: "If a queue is paused then the system will stop dispatching tasks
 * until the queue is resumed [...] Tasks can still be added when the queue is paused."
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues/pause), which
 * is what lets the async experiment publish the whole batch first and time the drain alone.
 */
export function queueGateCommands(action: "pause" | "resume", config: Pick<EnvironmentConfig, "namePrefix" | "taskQueues">, outputs: Pick<StackOutputs, "projectId" | "region">): string[][] {
  return Array.from({ length: config.taskQueues.categorise.shards }, (_, shard) => [
    "tasks",
    "queues",
    action,
    taskQueueName(config.namePrefix, "categorise", shard),
    `--location=${outputs.region}`,
    `--project=${outputs.projectId}`,
    "--quiet",
  ]);
}

function cloudQueueGate(config: EnvironmentConfig, outputs: StackOutputs, ctx: ExperimentContext): DeliveryGate {
  const run = async (action: "pause" | "resume") => {
    for (const args of queueGateCommands(action, config, outputs)) await runInherit("gcloud", args);
  };
  let paused = false;
  // A paused queue must not outlive the run, however it ends.
  ctx.cleanup(async () => {
    if (paused) await run("resume");
  });
  return {
    pause: async () => {
      paused = true;
      await run("pause");
    },
    resume: async () => {
      await run("resume");
      paused = false;
    },
  };
}

export async function runCloud(ctx: ExperimentContext): Promise<ExperimentOutcome> {
  const env = ctx.options.env as CloudEnvironmentName;
  const config = await preflightCloud(env, ctx.options);
  // Before anything is deployed or stopped: HA tiers, gcloud, its account and permissions.
  if (ctx.options.resilience) await preflightResilienceCloud(env, config);
  if (ctx.options.deploy) {
    ctx.log(`deploying ${env} (npx cdktf deploy ${env})`);
    await runInherit("npx", ["cdktf", "deploy", env, "--auto-approve"], { ...process.env, CHECKPOINT_DISABLE: "1" });
  }
  const stackDir = join(REPO, "cdktf.out", "stacks", env);
  const { stdout } = await execFileAsync("terraform", [`-chdir=${stackDir}`, "output", "-json", "-no-color"]).catch((error: { stderr?: string }) => {
    throw new ExperimentError(`terraform output in ${stackDir} failed: ${terraformError(error.stderr)} (deploy the environment first, without --no-deploy)`);
  });
  const outputs = parseStackOutputs(stdout);
  const baseUrl = ctx.options.baseUrl ?? outputs.baseUrl;
  const windowStart = new Date();
  const target = { baseUrl, loadTool: "k6" as const, drainPollMs: 10_000, gate: cloudQueueGate(config, outputs, ctx) };
  const { runs, seeded } = await runRemote(target, ctx);

  let speedup: SpeedupPoint[] | undefined;
  if (ctx.options.speedup) {
    speedup = [];
    const read = scenarioFor("read", ctx.options.profile) as HttpScenario;
    // The api service is named <namePrefix>-api by the stacks (constructs/app-service.ts).
    const setMax = (n: number) => runInherit("gcloud", ["run", "services", "update", `${config.namePrefix}-api`, `--max-instances=${n}`, `--region=${outputs.region}`, `--project=${outputs.projectId}`, "--quiet"]);
    ctx.cleanup(() => setMax(config.services.api.maxInstances));
    const counts = [...ctx.options.speedup].sort((a, b) => a - b);
    let baseLoad: number | undefined;
    for (const instances of counts) {
      ctx.eta.start(`speedup:${instances}`);
      await setMax(instances);
      const result = await runHttpRemote(read, target, seeded, ctx, `speedup-${instances}`);
      if (result.knee && read.open) {
        // Knee at this cap, then a fixed load (speedup) and a load scaled with the cap (aggregate performance).
        baseLoad ??= Math.max(1, Math.round(result.knee.heldRps * speedupLoadFraction));
        const scaled = Math.round((baseLoad * instances) / counts[0]!);
        const fixed = loadCheck(await runK6Step(read, baseUrl, seeded, ctx, `speedup-${instances}-fixed`, baseLoad));
        const scaledStep = scaled === baseLoad ? fixed : loadCheck(await runK6Step(read, baseUrl, seeded, ctx, `speedup-${instances}-scaled`, scaled));
        speedup.push({ instances, scenario: "read", knee: result.knee, fixedLoad: fixed, scaledLoad: scaledStep });
      } else {
        speedup.push({ instances, scenario: "read", meanRps: result.meanRps, peakRps: result.peakRps, p95: result.p95 });
      }
      ctx.eta.finish(`speedup:${instances}`);
    }
  }

  const resilience = ctx.options.resilience ? await runResilienceCloud(ctx, config, outputs, baseUrl) : undefined;

  const monitoring = await collectMonitoringSeries({ projectId: outputs.projectId, namePrefix: config.namePrefix, start: windowStart, end: new Date(), file: join(ctx.outDir, "raw", "monitoring.json") }).then(
    (series) => {
      ctx.log(`collected ${series.length} Cloud Monitoring series`);
      return series;
    },
    (error: unknown) => {
      ctx.log(`could not collect Cloud Monitoring series: ${String(error)}`);
      return undefined;
    },
  );

  return {
    baseUrl,
    capacity: { apiInstances: config.services.api.maxInstances, vcpusPerInstance: Number(config.services.api.cpu) || 1, workerInstances: [config.services.worker.maxInstances] },
    runs,
    speedup,
    ...(resilience ? { resilience } : {}),
    ...(monitoring ? { monitoring } : {}),
    versions: { k6: (await execFileAsync("k6", ["version"]).catch(() => ({ stdout: "unknown" }))).stdout.trim() },
  };
}

