/**
 * The single entry point of the bundle: `node app/dist/main.js api|worker|realtime|dispatcher|migrate`.
 * The role comes from argv (the container's `args`); everything else from the environment.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "./adapters/logging";
import { ConfigError, isRole, loadConfig, type Role } from "./config";
import { buildApi } from "./entrypoints/api";
import { buildDispatcher } from "./entrypoints/dispatcher";
import { serveUntilStopped, type RoleInstance } from "./entrypoints/lifecycle";
import { runMigrations } from "./entrypoints/migrate";
import { buildRealtime } from "./entrypoints/realtime";
import { buildWorker } from "./entrypoints/worker";

const SERVED_ROLES = {
  api: buildApi,
  worker: buildWorker,
  realtime: buildRealtime,
  dispatcher: buildDispatcher,
} as const;
/**
 * The bundle is app/dist/main.js and `npm run build:app` puts the dashboard beside it in
 * app/dist/web (the image copies both): the api serves it unless WEB_ROOT says otherwise.
 */
const BUNDLED_WEB_ROOT = __filename.endsWith(join("dist", "main.js")) ? join(__dirname, "web") : undefined;

const USAGE = `usage: main.js <${[...Object.keys(SERVED_ROLES), "migrate"].join("|")}>`;

async function main(argv: readonly string[]): Promise<void> {
  const roleName = argv[0];
  if (!isRole(roleName) || roleName === "seed") {
    console.error(`${roleName ? `unknown role "${roleName}". ` : ""}${USAGE}`);
    process.exit(2);
  }
  const role: Role = roleName;
  let config;
  try {
    config = loadConfig(role);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger({ level: config.log.level, role });
  if (role === "api" && !config.web.root) {
    if (BUNDLED_WEB_ROOT && existsSync(join(BUNDLED_WEB_ROOT, "index.html"))) config = { ...config, web: { ...config.web, root: BUNDLED_WEB_ROOT } };
    else logger.warn("no web dashboard to serve: app/dist/web is missing (npm run build:app builds it) and WEB_ROOT is unset");
  }
  process.on("unhandledRejection", (error) => logger.error({ error }, "unhandled rejection"));
  if (role === "migrate") {
    await runMigrations(config, logger);
    return;
  }
  let instance: RoleInstance;
  try {
    instance = await SERVED_ROLES[role](config, logger);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78);
  }
  await serveUntilStopped(instance, config, logger);
  logger.info({ port: config.port }, `${role} listening`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
