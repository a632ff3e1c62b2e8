/**
 * Builds the cdktf app: one stack per cloud environment, each from its validated config, and the
 * `local` stack on Docker.
 *
 * A shared environment (staging, prod) whose uncommitted deploy settings are not given here
 * (state bucket, domains, alert recipients) is left out and reported, instead of failing the
 * whole app: `cdktf deploy dev` must not need prod's settings. A committed setting that is wrong
 * still fails everything.
 */
import { CLOUD_ENVIRONMENT_NAMES, EnvironmentConfigError, loadEnvironment, type CloudEnvironmentName, type ExternalSettings } from "../environments";
import { App } from "../lib/cdktf";
import { EnvironmentStack } from "./environment-stack";
import { LocalStack } from "./local-stack";

export interface BuiltApp {
  readonly app: App;
  /** Environments not synthesized because deploy settings are missing, with what is missing. */
  readonly unavailable: ReadonlyArray<{ readonly name: CloudEnvironmentName; readonly error: EnvironmentConfigError }>;
}

export function buildApp(app: App, sources: ExternalSettings = { env: process.env, context: (key) => app.node.tryGetContext(key) }): BuiltApp {
  const unavailable: Array<BuiltApp["unavailable"][number]> = [];
  for (const name of CLOUD_ENVIRONMENT_NAMES) {
    try {
      new EnvironmentStack(app, name, { config: loadEnvironment(name, sources) });
    } catch (error) {
      if (!(error instanceof EnvironmentConfigError && error.onlyMissingSettings)) throw error;
      unavailable.push({ name, error });
    }
  }
  new LocalStack(app, "local", { config: loadEnvironment("local", { env: sources.env }) });
  return { app, unavailable };
}

/** One line per left-out environment, then its missing settings, for the synth output. */
export function formatUnavailable(unavailable: BuiltApp["unavailable"]): string {
  return unavailable
    .map(({ name, error }) => [`${name}: not synthesized until its deploy settings are given:`, ...error.violations.map((v) => `  - ${v.setting}: ${v.rule}`)].join("\n"))
    .join("\n");
}
