/**
 * The cdktf app: one stack per cloud environment. `npm run synth` runs this file directly (no
 * cdktf CLI); `npx cdktf synth|deploy <env>` runs it through cdktf.json.
 */
import { CLOUD_ENVIRONMENT_NAMES, loadEnvironment } from "../environments";
import { App } from "../lib/cdktf";
import { EnvironmentStack } from "./environment-stack";

export function buildApp(app: App): App {
  for (const name of CLOUD_ENVIRONMENT_NAMES) {
    const config = loadEnvironment(name, { env: process.env, context: (key) => app.node.tryGetContext(key) });
    new EnvironmentStack(app, name, { config });
  }
  return app;
}

// cdktf records a creation stack trace for every token; mapping those through source maps is
// most of synth time and buys nothing here (errors carry their own messages).
process.setSourceMapsEnabled(false);
buildApp(new App({ stackTraces: false })).synth();
