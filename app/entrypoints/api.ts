import { registerApiRoutes } from "../adapters/http/api-routes";
import { createHttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";
import type { TaskQueuePolicies } from "../../environments/task-queues";
import { closeInOrder, type RoleInstance } from "./lifecycle";
import { createCoreServices, createTaskQueue, type CoreServices } from "./services";

export interface ApiInstance extends RoleInstance {
  readonly core: CoreServices;
}

export async function buildApi(config: AppConfig, logger: Logger, options: { policies?: TaskQueuePolicies } = {}): Promise<ApiInstance> {
  const core = await createCoreServices(config, logger);
  const tasks = createTaskQueue(core, options.policies);
  const server = createHttpServer({ logger, project: config.log.project, ready: core.ready, dependencies: core.dependencies });
  registerApiRoutes(server.app, { ...core, tasks });
  return { server, core, close: () => closeInOrder(server, () => tasks.close(), () => core.close()) };
}
