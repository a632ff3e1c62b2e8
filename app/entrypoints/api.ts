import { registerApiRoutes } from "../adapters/http/api-routes";
import { createHttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";
import { OutboxRelay, type OutboxRelayOptions } from "../domain/outbox-relay";
import type { TaskQueuePolicies } from "../../environments/task-queues";
import { closeInOrder, type RoleInstance } from "./lifecycle";
import { createCoreServices, createTaskQueue, type CoreServices } from "./services";

export interface ApiInstance extends RoleInstance {
  readonly core: CoreServices;
  /** Runs the follow-ups of committed writes (and sweeps those left in the outbox). */
  readonly outbox: OutboxRelay;
}

export async function buildApi(
  config: AppConfig,
  logger: Logger,
  options: { policies?: TaskQueuePolicies; outbox?: OutboxRelayOptions } = {},
): Promise<ApiInstance> {
  const core = await createCoreServices(config, logger);
  const tasks = createTaskQueue(core, options.policies);
  const outbox = new OutboxRelay(
    {
      db: core.db,
      cache: core.cache,
      events: core.events,
      tasks,
      ready: () => core.redis.status === "ready",
      onError: (error, context) => logger.warn({ error, ...context }, "follow-up not run yet; it stays in the outbox"),
    },
    options.outbox,
  );
  outbox.start();
  const server = createHttpServer({ logger, project: config.log.project, ready: core.ready, dependencies: core.dependencies });
  registerApiRoutes(server.app, { ...core, followUps: outbox });
  return {
    server,
    core,
    outbox,
    close: () => closeInOrder(server, () => outbox.close(), () => tasks.close(), () => core.close()),
  };
}
