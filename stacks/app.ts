/**
 * Builds the cdktf app: one stack per cloud environment, each from its validated config, and the
 * `local` stack on Docker.
 */
import { CLOUD_ENVIRONMENT_NAMES, loadEnvironment } from "../environments";
import { App } from "../lib/cdktf";
import { EnvironmentStack } from "./environment-stack";
import { LocalStack } from "./local-stack";

export function buildApp(app: App): App {
  for (const name of CLOUD_ENVIRONMENT_NAMES) {
    const config = loadEnvironment(name, { env: process.env, context: (key) => app.node.tryGetContext(key) });
    new EnvironmentStack(app, name, { config });
  }
  new LocalStack(app, "local", { config: loadEnvironment("local", { env: process.env }) });
  return app;
}
