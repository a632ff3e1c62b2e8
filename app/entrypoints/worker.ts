import { createHttpServer } from "../adapters/http/server";
import { registerWorkerRoutes, type TaskHandlers } from "../adapters/http/worker-routes";
import type { Logger } from "../adapters/logging";
import { InProcessTaskQueue } from "../adapters/tasks/in-process-queue";
import { taskPushAuthenticator } from "../adapters/tasks/oidc";
import type { AppConfig } from "../config";
import { categoriseTransaction } from "../domain/actions/categorise";
import { runImport } from "../domain/actions/imports";
import { deliverNotification } from "../domain/actions/notify";
import type { TaskRequest } from "../domain/tasks";
import { closeInOrder, type RoleInstance } from "./lifecycle";
import { createCoreServices, type CoreServices } from "./services";

export interface WorkerInstance extends RoleInstance {
  readonly core: CoreServices;
}

export async function buildWorker(config: AppConfig, logger: Logger): Promise<WorkerInstance> {
  const core = await createCoreServices(config, logger);
  // Follow-up work the worker would enqueue for itself runs right here (see InProcessTaskQueue).
  const tasks = new InProcessTaskQueue((task: TaskRequest) => (handlers[task.type] as (payload: unknown) => Promise<object>)(task.payload));
  const handlers: TaskHandlers = {
    categorise: (payload) => categoriseTransaction({ ...core, tasks }, payload),
    import: (payload) => runImport(core, payload),
    notify: (payload) => deliverNotification(core, payload),
  };
  const server = createHttpServer({ logger, project: config.log.project, ready: core.ready, dependencies: core.dependencies });
  registerWorkerRoutes(server.app, {
    handlers,
    authenticate: taskPushAuthenticator(config.taskAuth),
    project: config.log.project,
  });
  return { server, core, close: () => closeInOrder(server, () => core.close()) };
}
