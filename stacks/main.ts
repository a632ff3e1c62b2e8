/**
 * Entry point of the cdktf app. `npm run synth` runs this file directly (no cdktf CLI) and prints
 * the synth warnings and one line per stack; `npx cdktf synth|deploy <env>` runs it through
 * cdktf.json, and for a deploy (or diff) it first runs the deploy preflight for the named stacks,
 * so that nothing reaches Terraform without what it needs.
 */
import { CLOUD_ENVIRONMENT_NAMES, type CloudEnvironmentName } from "../environments";
import { deployPreflight, formatPreflight } from "../environments/deploy-preflight";
import { environmentOf, findCdktfInvocation } from "../lib/cdktf-invocation";
import { App } from "../lib/cdktf";
import { synthWithoutTokenTraces } from "../lib/fast-synth";
import { formatSynthSummary, summarizeSynth } from "../lib/synth-summary";
import { buildApp, formatUnavailable } from "./app";

/** `cdktf deploy|diff` commands that end in Terraform touching the project. */
const TERRAFORM_COMMANDS = new Set(["deploy", "diff", "plan", "apply"]);

/** Under the cdktf CLI for a deploy: the preflight of every cloud stack it names, exit 2 on problems. */
async function preflightForCli(): Promise<void> {
  if (process.env.VALORIZE_PREFLIGHT_DONE === "1") return; // npm run deploy ran it already
  const invocation = findCdktfInvocation();
  if (!invocation || !TERRAFORM_COMMANDS.has(invocation.command)) return;
  const targets = invocation.stacks.filter((name): name is CloudEnvironmentName => (CLOUD_ENVIRONMENT_NAMES as readonly string[]).includes(name));
  // The CLI hides TF_VAR_* from the app; read them off the CLI's own environment where possible.
  const cliEnv = environmentOf(invocation.pid);
  const env = { ...process.env, ...cliEnv };
  const reports = await Promise.all(
    targets.map(async (name) => ({ name, ...(await deployPreflight(name, { env, checkSecrets: cliEnv !== undefined })) })),
  );
  const failed = reports.filter((r) => r.problems.length > 0);
  if (failed.length === 0) return;
  // stdout: the CLI shows it under "Command output on stdout" when the app fails.
  console.log(failed.map((r) => formatPreflight(`${invocation.command} ${r.name}`, r.problems)).join("\n"));
  process.exit(2);
}

async function main(): Promise<void> {
  const underCli = process.env.CDKTF_CONTEXT_JSON !== undefined;
  if (underCli) await preflightForCli();
  const app = new App({ stackTraces: false });
  let built!: ReturnType<typeof buildApp>;
  synthWithoutTokenTraces(() => {
    built = buildApp(app);
    return built.app;
  });
  const unavailable = formatUnavailable(built.unavailable);
  if (unavailable) console.log(unavailable);
  // The CLI prints the annotations and its own summary.
  if (!underCli) console.log(formatSynthSummary(summarizeSynth(app.outdir)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && !process.env.DEBUG ? error.message : error);
  process.exit(1);
});
