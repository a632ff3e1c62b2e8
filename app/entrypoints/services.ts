/**
 * The composition root shared by the roles: builds the adapters from the configuration and knows
 * how to check and close them.
 */
import { CloudTasksClient } from "@google-cloud/tasks";
import type { Redis } from "ioredis";
import { LOCAL_WORKER, local } from "../../environments/local";
import { DEFAULT_TASK_QUEUE_POLICIES, resolveTaskQueuePolicies, type TaskQueuePolicies } from "../../environments/task-queues";
import { CsvStatementParser } from "../adapters/csv/statement-parser";
import type { Logger } from "../adapters/logging";
import { PostgresDatabase } from "../adapters/postgres/database";
import type { Dependency } from "../adapters/http/dependencies";
import { createPostgresPool, postgresDependency, type PostgresPool } from "../adapters/postgres/pool";
import { tokenRepository } from "../adapters/postgres/repositories/tokens";
import { createRedis, redisDependency } from "../adapters/redis/connection";
import { RedisEventPublisher } from "../adapters/redis/events";
import { redisKeys, type RedisKeys } from "../adapters/redis/keys";
import { VersionedReadCache } from "../adapters/redis/read-cache";
import { ScryptPasswordHasher } from "../adapters/security/password-hasher";
import { HashedTokenStore } from "../adapters/security/token-store";
import { CloudTasksQueue } from "../adapters/tasks/cloud-tasks-queue";
import { BullTaskQueue } from "../adapters/tasks/local-queue";
import type { AppConfig } from "../config";
import type { TaskQueue } from "../domain/ports";

export interface CoreServices {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly postgres: PostgresPool;
  readonly db: PostgresDatabase;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly cache: VersionedReadCache;
  readonly events: RedisEventPublisher;
  readonly tokens: HashedTokenStore;
  readonly hasher: ScryptPasswordHasher;
  readonly parser: CsvStatementParser;
  /** PostgreSQL and Redis, for the fast 503 while one is down. */
  readonly dependencies: readonly Dependency[];
  /** PostgreSQL and Redis both answer. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function createCoreServices(config: AppConfig, logger: Logger): Promise<CoreServices> {
  const postgres = await createPostgresPool(config.database, `valorize-${config.role}`);
  postgres.pool.on("error", (error) => logger.error({ error }, "idle PostgreSQL client failed"));
  // The worker takes many small tasks at once: batch their statements (see batching.ts).
  const db = new PostgresDatabase(postgres.pool, { ruleCacheMs: 60_000, batchHotCalls: config.role === "worker" });
  const redis = createRedis(config.redis, "commands");
  redis.on("error", (error) => logger.warn({ error: error.message }, "Redis connection error"));
  const keys = redisKeys(config.redis.keyPrefix);
  const dependencies = [postgresDependency, redisDependency(redis)];
  return {
    config,
    logger,
    postgres,
    db,
    redis,
    keys,
    cache: new VersionedReadCache(redis, keys, config.cacheTtlSeconds),
    events: new RedisEventPublisher(redis, keys),
    tokens: new HashedTokenStore({ repository: tokenRepository(postgres.pool), redis, keys, secret: config.tokenSecret }),
    hasher: new ScryptPasswordHasher(),
    parser: new CsvStatementParser(),
    dependencies,
    async ready() {
      await Promise.all([db.ping(), redis.ping()]);
    },
    async close() {
      await Promise.allSettled([postgres.close(), redis.quit()]);
    },
  };
}

/**
 * The queue policies the local backend enforces: the `local` environment's, from the shared
 * definition. Read from the data and the pure merge only, so the bundle does not carry the
 * environments' validation (zod schemas, the policy pack's rule ids).
 */
export function localTaskPolicies(): TaskQueuePolicies {
  return resolveTaskQueuePolicies(local.taskQueues ?? {}, LOCAL_WORKER);
}

export type ClosableTaskQueue = TaskQueue & { close(): Promise<void> };

/** The api's task backend: Cloud Tasks in the cloud, BullMQ queues (pushed by the dispatcher) locally. */
export function createTaskQueue(core: CoreServices, policies: TaskQueuePolicies = localTaskPolicies()): ClosableTaskQueue {
  const { tasks } = core.config;
  if (tasks.backend === "cloud-tasks") {
    const client = new CloudTasksClient();
    // The deadline is per task; the cloud queues' other settings live on the queues themselves.
    const queue = new CloudTasksQueue(client, tasks, DEFAULT_TASK_QUEUE_POLICIES);
    return { enqueue: (task) => queue.enqueue(task), close: () => client.close() };
  }
  // A connection of its own: BullMQ defines its Lua scripts (dozens) on the connection it is given,
  // and ioredis copies every defined script into each auto-pipeline it builds, so on the shared
  // connection every cached read would pay for them.
  const connection = createRedis(core.config.redis, "queue");
  connection.on("error", (error) => core.logger.warn({ error: error.message }, "Redis connection error (task queue)"));
  const queue = new BullTaskQueue({ connection, prefix: core.keys.queues, queuePrefix: tasks.queuePrefix, policies });
  return {
    enqueue: (task) => queue.enqueue(task),
    close: async () => {
      await queue.close();
      await connection.quit();
    },
  };
}
