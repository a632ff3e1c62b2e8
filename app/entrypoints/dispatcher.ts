import type { TaskQueuePolicies } from "../../environments/task-queues";
import { createHttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import { createRedis, redisDependency } from "../adapters/redis/connection";
import { redisKeys } from "../adapters/redis/keys";
import { LocalDispatcher } from "../adapters/tasks/local-dispatcher";
import { queueDurabilityProblem } from "../adapters/tasks/queue-durability";
import type { AppConfig } from "../config";
import { closeInOrder, type RoleInstance } from "./lifecycle";
import { localTaskPolicies } from "./services";

export interface DispatcherInstance extends RoleInstance {
  readonly dispatcher: LocalDispatcher;
}

/** The local push dispatcher: needs Redis (the queues) and the worker's URL, no database. */
export async function buildDispatcher(
  config: AppConfig,
  logger: Logger,
  options: { policies?: TaskQueuePolicies } = {},
): Promise<DispatcherInstance> {
  if (config.tasks.backend !== "local") throw new Error("the dispatcher role only serves TASKS_BACKEND=local");
  const connection = createRedis(config.redis, "queue");
  connection.on("error", (error) => logger.warn({ error: error.message }, "Redis connection error"));
  const dispatcher = new LocalDispatcher({
    connection,
    prefix: redisKeys(config.redis.keyPrefix).queues,
    queuePrefix: config.tasks.queuePrefix,
    policies: options.policies ?? localTaskPolicies(),
    workerUrl: config.workerUrl,
    identity: config.taskAuth,
    logger,
  });
  dispatcher.start();
  void queueDurabilityProblem(connection).then(
    (problem) => problem && logger.warn({ setting: "appendonly" }, `task queues not durable: ${problem}`),
    () => undefined, // Redis not up yet: readiness reports it
  );
  const server = createHttpServer({
    logger,
    project: config.log.project,
    ready: async () => void (await connection.ping()),
    dependencies: [redisDependency(connection)],
  });
  return {
    server,
    dispatcher,
    close: () => closeInOrder(server, () => dispatcher.close(), () => connection.quit()),
  };
}
