/**
 * The experiment command's options, validated with a message that names the flag and the rule:
 *
 *   npm run experiment -- [--env local|dev|staging|prod] [--profile smoke|quick|paper|capacity]
 *     [--scenarios read,mixed,async,resilience] [--repeat N] [--out DIR] [--speedup 1,2,4]
 *     [--api-instances N] [--base-url URL] [--no-deploy] [--no-cpu-quota] [--baseline DIR]
 */
import { z } from "zod";
import { PROFILE_NAMES, PROFILES, SCENARIO_NAMES, type ProfileName, type ScenarioName } from "../scenarios";

/** What --scenarios takes: the study's three load scenarios, and the resilience scenario (loadtests/resilience/). */
export const EXPERIMENT_SCENARIOS = [...SCENARIO_NAMES, "resilience"] as const;
export type ExperimentScenario = (typeof EXPERIMENT_SCENARIOS)[number];

export const EXPERIMENT_ENVIRONMENTS = ["local", "dev", "staging", "prod"] as const;
export type ExperimentEnvironment = (typeof EXPERIMENT_ENVIRONMENTS)[number];

const list = <T extends string>(values: readonly T[], flag: string) =>
  z
    .string()
    .transform((value) => value.split(",").map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values as [T, ...T[]], `--${flag} takes a comma-separated list of ${values.join(", ")}`)).min(1, `--${flag} needs at least one value`));

const positiveInt = (flag: string, max: number) =>
  z.coerce.number(`--${flag} must be a number`).int(`--${flag} must be a whole number`).min(1, `--${flag} must be at least 1`).max(max, `--${flag} must be at most ${max}`);

const schema = z.strictObject({
  env: z.enum(EXPERIMENT_ENVIRONMENTS, `--env must be one of ${EXPERIMENT_ENVIRONMENTS.join(", ")}`).default("local"),
  profile: z.enum(PROFILE_NAMES, `--profile must be one of ${PROFILE_NAMES.join(", ")}`).default("quick"),
  scenarios: list(EXPERIMENT_SCENARIOS, "scenarios").optional(),
  repeat: positiveInt("repeat", 50).default(1),
  out: z.string().min(1, "--out must be a directory").optional(),
  speedup: z
    .string()
    .transform((value) => value.split(",").map(Number))
    .pipe(z.array(z.number().int().min(1).max(64), "--speedup takes api instance counts such as 1,2,4").min(2, "--speedup needs at least two instance counts"))
    .optional(),
  apiInstances: positiveInt("api-instances", 64).optional(),
  baseUrl: z.url("--base-url must be a URL such as http://127.0.0.1:8000").optional(),
  deploy: z.boolean("--no-deploy takes no value").default(true),
  cpuQuota: z.boolean("--no-cpu-quota takes no value").default(true),
  baseline: z.string().min(1, "--baseline needs the directory of an earlier run").optional(),
});

export interface ExperimentOptions {
  readonly env: ExperimentEnvironment;
  readonly profile: ProfileName;
  /** The load scenarios (read, mixed, async). */
  readonly scenarios: readonly ScenarioName[];
  /**
   * Run the resilience scenario too (after the others, once whatever --repeat says): stop and
   * start each component under load. Without --scenarios, when the profile includes it (smoke).
   */
  readonly resilience?: boolean;
  readonly repeat: number;
  readonly out?: string;
  readonly speedup?: readonly number[];
  readonly apiInstances?: number;
  readonly baseUrl?: string;
  readonly deploy: boolean;
  /** Local: hold each api and worker instance to 1 vCPU with a CPU quota (see loadtests/local/placement.ts). */
  readonly cpuQuota: boolean;
  /** An earlier run's report directory to compare with. */
  readonly baseline?: string;
}

/** What `npm run experiment -- --help` prints. */
export const EXPERIMENT_USAGE = [
  "usage: npm run experiment -- [options]",
  "",
  "Reproduces the reference study's experiments (read-heavy, mixed read/write, async pipeline) and",
  "writes a report with figures and SLO verdicts. Exit code: 0 all SLOs held, 1 an SLO broke, a",
  "task was lost or duplicated, or a resilience verdict failed, 2 the run could not start or finish",
  "(bad options, a missing tool or setting, a failed deploy; the message says which).",
  "",
  "  --env local|dev|staging|prod   where to run (default local: the whole system on this machine)",
  `${`  --profile ${PROFILE_NAMES.join("|")}`.padEnd(33)} how much load (default quick)`,
  ...PROFILE_NAMES.map((name) => `      ${name.padEnd(9)} ${PROFILES[name].description}`),
  `  --scenarios ${EXPERIMENT_SCENARIOS.join(",")}`,
  `                                 which experiments, comma-separated (default: ${SCENARIO_NAMES.join(", ")}; the smoke`,
  "                                 profile adds resilience). resilience stops and restarts each component",
  "                                 under load (worker, dispatcher, api, Redis, PostgreSQL, realtime) on",
  "                                 servers of its own, and checks that nothing is lost; it runs once,",
  "                                 after the others",
  "  --repeat N                     run everything N times and report confidence intervals",
  "  --out DIR                      report directory (default results/<time>-<env>-<profile>)",
  "  --speedup 1,2,4                rerun the read scenario at these api instance counts (speedup figure;",
  "                                 capacity profile locally: 1,2 by default)",
  "  --api-instances N              local: api processes behind the port (default 2; capacity profile: 1)",
  "  --base-url URL                 test a system already running there (e.g. the local Docker stack)",
  "  --no-deploy                    cloud: test the deployed stack as it is, without cdktf deploy",
  "  --no-cpu-quota                 local: run api and worker instances without their 1-vCPU CPU quota",
  "  --baseline DIR                 compare with an earlier run's report directory (ratios, overlaid curves)",
  "  --help                         this text",
].join("\n");

export class OptionsError extends Error {}

/** True when the command line asks for the usage text. */
export function wantsHelp(argv: Record<string, unknown>): boolean {
  return argv.help === true || argv.h === true;
}

/** From minimist-style parsed arguments (zx's `argv`): kebab-case flags, `--no-x` as `x: false`. */
export function parseOptions(argv: Record<string, unknown>): ExperimentOptions {
  const { _: positional = [], ...flags } = argv as { _?: unknown[] } & Record<string, unknown>;
  if (Array.isArray(positional) && positional.length > 0) throw new OptionsError(`unexpected argument "${positional[0]}" (flags start with --)`);
  const camel = Object.fromEntries(
    Object.entries(flags).map(([key, value]) => [key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), typeof value === "number" ? String(value) : value]),
  );
  // minimist turns `--speedup 1,2` into a string but `--repeat 3` into a number; normalise numbers to strings above.
  const parsed = schema.safeParse(camel);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path[0] !== undefined ? String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : "";
    const message = issue.code === "unrecognized_keys" ? `unknown option --${issue.keys[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : issue.message.startsWith("--") ? issue.message : `--${flag}: ${issue.message}`;
    throw new OptionsError(message);
  }
  const { scenarios: chosen, ...rest } = parsed.data;
  const resilience = chosen ? chosen.includes("resilience") : PROFILES[rest.profile].resilienceByDefault;
  const options: ExperimentOptions = {
    ...rest,
    scenarios: chosen ? chosen.filter((s): s is ScenarioName => s !== "resilience") : [...SCENARIO_NAMES],
    ...(resilience ? { resilience: true } : {}),
  };
  if (resilience && options.baseUrl) throw new OptionsError("--scenarios resilience stops and starts the system's parts, so it needs the system this command starts (or a cloud --env): leave out --base-url");
  if (options.env !== "local" && options.apiInstances !== undefined) throw new OptionsError("--api-instances applies to --env local; in the cloud the stack's max instances decide");
  if (options.env !== "local" && flags["cpu-quota"] === false) throw new OptionsError("--no-cpu-quota applies to --env local; in the cloud Cloud Run sets each instance's vCPUs");
  return options;
}
