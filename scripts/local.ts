/**
 * `npm run local`: the whole system natively on this machine, to use the web dashboard by hand.
 * Builds the bundle and the dashboard, finds PostgreSQL and Redis (DATABASE_URL / REDIS_URL, the
 * local servers, or throwaway ones), migrates a schema of its own and starts the worker, the task
 * dispatcher, realtime and the api (which serves the dashboard), then prints the URL and runs
 * until Ctrl-C, when it stops everything and removes the schema and keys it created: the data
 * is for trying things out, not for keeping.
 */
import { join } from "node:path";
import { buildApp } from "../app/build";
import { resolveDataServices } from "../loadtests/local/data-services";
import { LocalSystem } from "../loadtests/local/system";

const REPO = join(__dirname, "..");

async function main(): Promise<void> {
  console.log("building the app bundle and the dashboard");
  const bundle = join(REPO, "app", "dist", "main.js");
  await buildApp(undefined, bundle);
  const services = await resolveDataServices();
  console.log(`PostgreSQL: ${services.origin.postgres}, Redis: ${services.origin.redis}`);
  const runId = `local${Math.random().toString(16).slice(2, 8)}`;
  let system: LocalSystem | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("stopping (removing this run's schema and keys)");
    await system?.stop();
    await services.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  try {
    system = await LocalSystem.start({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, bundle, apiInstances: 1, runId, logDir: join(REPO, "results", "local", runId) });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
    return;
  }
  console.log(`dashboard: ${system.baseUrl}/   (realtime ${system.realtimeUrl}; logs in results/local/${runId}/)`);
  console.log("Ctrl-C stops it");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
