import { registerApiRoutes } from "../adapters/http/api-routes";
import { createHttpServer } from "../adapters/http/server";
import { registerStaticSite, staticSiteProblem } from "../adapters/http/static-site";
import type { Logger } from "../adapters/logging";
import { ConfigError, type AppConfig } from "../config";
import type { TaskQueuePolicies } from "../../environments/task-queues";
import { closeInOrder, type RoleInstance } from "./lifecycle";
import { createCoreServices, createTaskQueue, type CoreServices } from "./services";

export interface ApiInstance extends RoleInstance {
  readonly core: CoreServices;
}

export async function buildApi(config: AppConfig, logger: Logger, options: { policies?: TaskQueuePolicies } = {}): Promise<ApiInstance> {
  const webProblem = config.web.root === undefined ? undefined : staticSiteProblem(config.web.root);
  if (webProblem) throw new ConfigError("api", [`WEB_ROOT = ${JSON.stringify(config.web.root)}: ${webProblem}; or leave WEB_ROOT unset`]);
  const core = await createCoreServices(config, logger);
  const tasks = createTaskQueue(core, options.policies);
  const server = createHttpServer({ logger, project: config.log.project, ready: core.ready });
  registerApiRoutes(server.app, { ...core, tasks, client: { realtimeUrl: config.web.realtimeUrl } });
  if (config.web.root) await registerStaticSite(server.app, { root: config.web.root, realtimeUrl: config.web.realtimeUrl });
  return { server, core, close: () => closeInOrder(server, () => tasks.close(), () => core.close()) };
}
