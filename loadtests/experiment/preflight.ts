/**
 * What a cloud run needs before it starts, checked up front so an operator learns everything that
 * is missing at once instead of from a stack trace halfway through a deploy.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { EnvironmentConfigError, externalSettingNames, loadEnvironment, type CloudEnvironmentName, type EnvironmentConfig } from "../../environments";
import { ExperimentError } from "../errors";
import type { ExperimentOptions } from "./options";


interface Tool {
  readonly command: string;
  readonly why: string;
  readonly install: string;
}

const TOOLS = {
  terraform: { command: "terraform", why: "reads the stack's outputs", install: "https://developer.hashicorp.com/terraform/install (>= 1.11)" },
  k6: { command: "k6", why: "generates the read and mixed load", install: "https://grafana.com/docs/k6/latest/set-up/install-k6/" },
  docker: { command: "docker", why: "builds and pushes the app image during deploy", install: "https://docs.docker.com/engine/install/" },
  gcloud: { command: "gcloud", why: "pauses the task queues while the async batch is published and changes the api's max instances for --speedup", install: "https://cloud.google.com/sdk/docs/install" },
} as const satisfies Record<string, Tool>;

/** True when `command` is an executable file in one of PATH's directories. */
export function onPath(command: string, path: string = process.env.PATH ?? ""): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, command), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The tools this run will call, given its options and the environment's config. */
export function requiredTools(options: Pick<ExperimentOptions, "deploy" | "speedup" | "scenarios">, config: Pick<EnvironmentConfig, "image">): Tool[] {
  const tools: Tool[] = [TOOLS.terraform];
  if (options.scenarios.some((s) => s !== "async") || options.speedup) tools.push(TOOLS.k6);
  if (options.deploy && !config.image.prebuiltUri) tools.push(TOOLS.docker);
  if (options.speedup || options.scenarios.includes("async")) tools.push(TOOLS.gcloud);
  return tools;
}

/**
 * Settings a non-interactive `cdktf deploy` needs that are not committed: the project, and the
 * operator secrets the stack writes write-only (Terraform asks for them on every plan).
 */
export function missingDeploySettings(env: CloudEnvironmentName, config: Pick<EnvironmentConfig, "projectId">, processEnv: NodeJS.ProcessEnv): string[] {
  const missing: string[] = [];
  if (!config.projectId && !processEnv.TF_VAR_project_id) missing.push(`set ${externalSettingNames(env).projectId} (or TF_VAR_project_id): the project to deploy into`);
  for (const variable of ["token_signing_key", "db_owner_password"]) {
    if (!processEnv[`TF_VAR_${variable}`]) missing.push(`set TF_VAR_${variable}: a secret the stack writes write-only (see the README's deploy section)`);
  }
  return missing;
}

/**
 * The environment's validated config, once every tool and setting the run needs is there. Throws an
 * ExperimentError naming each missing tool (why it is needed, where to get it) and setting, or the
 * committed setting that is wrong.
 */
export function preflightCloud(env: CloudEnvironmentName, options: ExperimentOptions, processEnv: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  let config: EnvironmentConfig;
  try {
    config = loadEnvironment(env, { env: processEnv });
  } catch (error) {
    if (error instanceof EnvironmentConfigError) throw new ExperimentError(error.message);
    throw error;
  }
  const tools = requiredTools(options, config)
    .filter((tool) => !onPath(tool.command, processEnv.PATH))
    .map((t) => `  - install ${t.command} (not on PATH): it ${t.why}; ${t.install}`);
  const settings = options.deploy ? missingDeploySettings(env, config, processEnv).map((s) => `  - ${s}`) : [];
  if (tools.length + settings.length > 0) throw new ExperimentError(`--env ${env} cannot start yet:\n${[...tools, ...settings].join("\n")}`);
  return config;
}
