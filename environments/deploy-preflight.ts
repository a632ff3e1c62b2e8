/**
 * What `cdktf deploy <env>` needs before Terraform runs, checked up front so an operator learns
 * everything that is missing at once (each thing, why, how to fix) instead of from a stack trace
 * halfway through `terraform init`. Used by `npm run deploy`, by the app itself when the cdktf CLI
 * runs it for a deploy (stacks/main.ts), and by cloud experiments.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { externalSettingNames, howToSet, type ExternalSettings } from "./external";
import { EnvironmentConfigError, loadEnvironment } from "./index";
import type { CloudEnvironmentName, EnvironmentConfig } from "./schema";

const execFileAsync = promisify(execFile);

/** Write-only arguments (secrets that never reach state) need Terraform 1.11. */
export const MIN_TERRAFORM = [1, 11] as const;
/** Where `terraform init` downloads the providers from, unless a mirror or plugin cache is set up. */
export const TERRAFORM_REGISTRY = "registry.terraform.io";

export interface Tool {
  readonly command: string;
  readonly why: string;
  readonly install: string;
}

export const TOOLS = {
  terraform: { command: "terraform", why: "plans and applies the stack", install: `https://developer.hashicorp.com/terraform/install (>= ${MIN_TERRAFORM.join(".")})` },
  docker: { command: "docker", why: "builds and pushes the app image during deploy", install: "https://docs.docker.com/engine/install/" },
  k6: { command: "k6", why: "generates the read and mixed load", install: "https://grafana.com/docs/k6/latest/set-up/install-k6/" },
  gcloud: { command: "gcloud", why: "changes the api's max instances for --speedup", install: "https://cloud.google.com/sdk/docs/install" },
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

/** What the checks ask of the machine; replaceable in tests. */
export interface PreflightProbes {
  /** `terraform version -json`'s version, or undefined when it does not run. */
  terraformVersion(env: NodeJS.ProcessEnv): Promise<string | undefined>;
  /** Undefined when the Docker daemon answers, else why not. */
  dockerDaemonProblem(env: NodeJS.ProcessEnv): Promise<string | undefined>;
  /** Whether a TCP connection to host:443 opens within a few seconds. */
  reachable(host: string): Promise<boolean>;
  fileExists(path: string): boolean;
  /** A text file's content, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
}

export const MACHINE_PROBES: PreflightProbes = {
  async terraformVersion(env) {
    try {
      const { stdout } = await execFileAsync("terraform", ["version", "-json"], { env, timeout: 15_000 });
      return (JSON.parse(stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      return undefined;
    }
  },
  async dockerDaemonProblem(env) {
    try {
      await execFileAsync("docker", ["version", "--format", "{{.Server.Version}}"], { env, timeout: 10_000 });
      return undefined;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? "").trim().split("\n").at(-1);
      return stderr || String((error as Error).message);
    }
  },
  reachable(host) {
    return new Promise((resolve) => {
      const socket = connect({ host, port: 443, timeout: 4000 });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once("connect", () => done(true));
      socket.once("timeout", () => done(false));
      socket.once("error", () => done(false));
    });
  },
  fileExists: existsSync,
  readText(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

export function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

/** Operator secrets the stack writes write-only; Terraform asks for them on every plan. */
export const DEPLOY_SECRETS = ["token_signing_key", "db_owner_password"] as const;

export interface DeployPreflightOptions {
  /** The environment the deploy runs with (PATH, credentials, TF_VAR_*). */
  readonly env: NodeJS.ProcessEnv;
  readonly context?: ExternalSettings["context"];
  /** False where the caller cannot see TF_VAR_* (the cdktf CLI hides them from the app). */
  readonly checkSecrets?: boolean;
  readonly probes?: PreflightProbes;
}

export interface DeployPreflightResult {
  /** The validated config, when it loads. */
  readonly config?: EnvironmentConfig;
  /** Each a line: what is missing or wrong, why it matters, how to fix it. */
  readonly problems: readonly string[];
}

export async function deployPreflight(name: CloudEnvironmentName, options: DeployPreflightOptions): Promise<DeployPreflightResult> {
  const { env } = options;
  const probes = options.probes ?? MACHINE_PROBES;
  const problems: string[] = [];
  let config: EnvironmentConfig | undefined;
  try {
    config = loadEnvironment(name, { env, context: options.context });
  } catch (error) {
    if (!(error instanceof EnvironmentConfigError)) throw error;
    problems.push(...error.violations.map((v) => `${v.setting} = ${v.value === undefined ? "(unset)" : JSON.stringify(v.value)}: ${v.rule}`));
  }
  const projectGiven = config?.projectId ?? env[externalSettingNames(name).projectId] ?? options.context?.(`${name}.projectId`) ?? env.TF_VAR_project_id;
  if (!projectGiven) {
    problems.push(`projectId = (unset): the project to deploy into; set ${howToSet(name, "projectId")} or TF_VAR_project_id`);
  }
  if (options.checkSecrets !== false) {
    for (const secret of DEPLOY_SECRETS) {
      if (!env[`TF_VAR_${secret}`]) problems.push(`TF_VAR_${secret} = (unset): a secret the stack writes write-only on every plan; export it from your secret store (README, "Deploying an environment")`);
    }
  }

  if (!onPath("terraform", env.PATH)) {
    problems.push(`terraform is not on PATH: it ${TOOLS.terraform.why}; install it from ${TOOLS.terraform.install}`);
  } else {
    const version = await probes.terraformVersion(env);
    if (!version) problems.push("terraform does not run (`terraform version -json` failed): reinstall it");
    else if (!versionAtLeast(version, MIN_TERRAFORM)) {
      problems.push(`terraform ${version} is too old: the stacks use write-only arguments (secrets never reach state), which need >= ${MIN_TERRAFORM.join(".")}; upgrade it (${TOOLS.terraform.install})`);
    }
  }
  if (!config?.image.prebuiltUri) {
    if (!onPath("docker", env.PATH)) {
      problems.push(`docker is not on PATH: it ${TOOLS.docker.why}; install it (${TOOLS.docker.install}) or deploy a prebuilt image with ${howToSet(name, "image")}`);
    } else {
      const daemon = await probes.dockerDaemonProblem(env);
      if (daemon) problems.push(`the Docker daemon does not answer (${daemon}): the deploy builds the image with it; start Docker, or deploy a prebuilt image with ${howToSet(name, "image")}`);
    }
  }
  if (!hasGoogleCredentials(env, probes)) {
    problems.push(
      "no Google credentials: the Google provider needs them to plan; run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS " +
        "(a credentials file) or GOOGLE_OAUTH_ACCESS_TOKEN (on Google Cloud runners the metadata server provides them: set GOOGLE_CLOUD_PROJECT to skip this check)",
    );
  }
  if (!hasProviderSource(env, probes) && !(await probes.reachable(TERRAFORM_REGISTRY))) {
    problems.push(
      `${TERRAFORM_REGISTRY}:443 does not answer: terraform init downloads the providers from it; connect to the network, ` +
        "or point TF_CLI_CONFIG_FILE at a CLI configuration with a provider_installation mirror (or set TF_PLUGIN_CACHE_DIR to a filled plugin cache)",
    );
  }
  return { config, problems };
}

/** Application-default credentials in any of the places the Google provider looks. */
function hasGoogleCredentials(env: NodeJS.ProcessEnv, probes: PreflightProbes): boolean {
  if (env.GOOGLE_OAUTH_ACCESS_TOKEN || env.GOOGLE_CREDENTIALS || env.GOOGLE_CLOUD_PROJECT) return true;
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return probes.fileExists(env.GOOGLE_APPLICATION_CREDENTIALS);
  const gcloudConfig = env.CLOUDSDK_CONFIG ?? join(env.HOME ?? homedir(), ".config", "gcloud");
  return probes.fileExists(join(gcloudConfig, "application_default_credentials.json"));
}

/** A provider mirror or plugin cache that exists: init may then need no registry. */
function hasProviderSource(env: NodeJS.ProcessEnv, probes: PreflightProbes): boolean {
  if (env.TF_PLUGIN_CACHE_DIR && probes.fileExists(env.TF_PLUGIN_CACHE_DIR)) return true;
  const cliConfig = env.TF_CLI_CONFIG_FILE ? probes.readText(env.TF_CLI_CONFIG_FILE) : undefined;
  return cliConfig !== undefined && /\b(provider_installation|plugin_cache_dir)\b/.test(cliConfig);
}

/** The one message: what cannot start (e.g. `deploy prod`), then every problem on its own line. */
export function formatPreflight(subject: string, problems: readonly string[]): string {
  return [`${subject} cannot start yet:`, ...problems.map((p) => `  - ${p}`)].join("\n");
}
