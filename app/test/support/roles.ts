/** Starting roles in-process against an isolated corner, and stopping them again. */
import { once } from "node:events";
import type { Redis } from "ioredis";
import { createLogger } from "../../adapters/logging";
import { buildApi, type ApiInstance } from "../../entrypoints/api";
import { buildDispatcher, type DispatcherInstance } from "../../entrypoints/dispatcher";
import { buildRealtime, type RealtimeInstance } from "../../entrypoints/realtime";
import { buildWorker, type WorkerInstance } from "../../entrypoints/worker";
import type { TaskQueuePolicies } from "../../../environments/task-queues";
import type { OutboxRelayOptions } from "../../domain/outbox-relay";
import type { Isolated } from "./isolation";

const logger = () => createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent", role: "test" });

/** An in-process api whose read cache is ready (reads before that go straight to the database). */
export async function startApi(
  isolated: Isolated,
  env: Record<string, string> = {},
  policies?: TaskQueuePolicies,
  outbox?: OutboxRelayOptions,
): Promise<ApiInstance> {
  const api = await buildApi(isolated.config("api", env), logger(), { policies, outbox });
  await api.core.cache.ready();
  return api;
}

/** Resolves once the connection is ready: until then the role refuses requests (Redis is "down"). */
export async function redisReady(redis: Redis): Promise<void> {
  if (redis.status !== "ready") await once(redis, "ready");
}

/** A worker listening on a free port (the dispatcher and tests call it over real HTTP). */
export async function startWorker(isolated: Isolated, env: Record<string, string> = {}): Promise<WorkerInstance & { url: string }> {
  const worker = await buildWorker(isolated.config("worker", env), logger());
  await redisReady(worker.core.redis);
  const address = await worker.server.app.listen({ host: "127.0.0.1", port: 0 });
  return Object.assign(worker, { url: address });
}

export async function startRealtime(isolated: Isolated, env: Record<string, string> = {}): Promise<RealtimeInstance & { url: string }> {
  const realtime = await buildRealtime(isolated.config("realtime", env), logger());
  const address = await realtime.server.app.listen({ host: "127.0.0.1", port: 0 });
  return Object.assign(realtime, { url: address.replace(/^http/, "ws") });
}

export async function startDispatcher(isolated: Isolated, workerUrl: string, policies?: TaskQueuePolicies, env: Record<string, string> = {}): Promise<DispatcherInstance> {
  const dispatcher = await buildDispatcher(isolated.config("dispatcher", { ...env, WORKER_URL: workerUrl }), logger(), { policies });
  await dispatcher.dispatcher.waitUntilReady();
  return dispatcher;
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
