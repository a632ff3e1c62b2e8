/**
 * What a cloud run needs before it starts, checked up front so an operator learns everything that
 * is missing at once instead of from a stack trace halfway through a deploy: the deploy's own
 * preflight (environments/deploy-preflight.ts) when it deploys, plus the tools the run calls.
 */
import { EnvironmentConfigError, loadEnvironment, type CloudEnvironmentName, type EnvironmentConfig } from "../../environments";
import { deployPreflight, formatPreflight, onPath, TOOLS, type PreflightProbes, type Tool } from "../../environments/deploy-preflight";
import { ExperimentError } from "../errors";
import type { ExperimentOptions } from "./options";

export { onPath };

/** The tools this run calls besides what the deploy needs (the deploy checks its own). */
export function requiredTools(options: Pick<ExperimentOptions, "deploy" | "speedup" | "scenarios" | "resilience">, config: Pick<EnvironmentConfig, "image">): Tool[] {
  const tools: Tool[] = [{ ...TOOLS.terraform, why: "reads the stack's outputs" }];
  if (options.scenarios.some((s) => s !== "async") || options.speedup) tools.push(TOOLS.k6);
  if (options.deploy && !config.image.prebuiltUri) tools.push(TOOLS.docker);
  // gcloud pauses the categorisation queues while the async batch is published, and sets max instances for --speedup.
  if (options.speedup || options.scenarios.includes("async") || options.resilience) {
    tools.push({ ...TOOLS.gcloud, why: "pauses the task queues while the async batch is published, changes the api's max instances for --speedup, and performs the resilience scenario's faults" });
  }
  return tools;
}

/**
 * The environment's validated config, once every tool and setting the run needs is there. Throws an
 * ExperimentError naming each missing tool (why it is needed, where to get it) and setting, or the
 * setting that is wrong.
 */
export async function preflightCloud(
  env: CloudEnvironmentName,
  options: ExperimentOptions,
  processEnv: NodeJS.ProcessEnv = process.env,
  probes?: PreflightProbes,
): Promise<EnvironmentConfig> {
  const problems: string[] = [];
  let config: EnvironmentConfig | undefined;
  if (options.deploy) {
    const result = await deployPreflight(env, { env: processEnv, probes });
    config = result.config;
    problems.push(...result.problems);
  } else {
    try {
      config = loadEnvironment(env, { env: processEnv });
    } catch (error) {
      if (!(error instanceof EnvironmentConfigError)) throw error;
      throw new ExperimentError(error.message);
    }
  }
  const reported = new Set(problems.map((p) => p.split(" ")[0]));
  const tools = config ? requiredTools(options, config) : [];
  for (const tool of tools) {
    if (!onPath(tool.command, processEnv.PATH) && !reported.has(tool.command)) problems.push(`${tool.command} is not on PATH: it ${tool.why}; install it from ${tool.install}`);
  }
  if (problems.length > 0 || !config) throw new ExperimentError(formatPreflight(`--env ${env}`, problems));
  return config;
}
