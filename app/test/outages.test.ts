/**
 * The api while a dependency is down, on a throwaway Redis this file stops and starts (never the
 * shared one): requests are refused at once with a 503 naming the dependency and a Retry-After,
 * readiness reports not-ready while liveness stays up, and service resumes when Redis is back. A
 * write whose commit lands while Redis goes away is answered 201, and what must follow it
 * (categorisation task, cache refresh, events) runs from the outbox once Redis is back.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { throwawayRedis, type ThrowawayRedis } from "../../loadtests/local/data-services";
import { redisKeys } from "../adapters/redis/keys";
import { BullTaskQueue } from "../adapters/tasks/local-queue";
import { categoriseTask } from "../domain/tasks";
import type { ApiInstance } from "../entrypoints/api";
import { localTaskPolicies } from "../entrypoints/services";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { eventually, startApi } from "./support/roles";

let isolated: Isolated;
let dir: string;
let redis: ThrowawayRedis;
let api: ApiInstance;
let client: ApiClient;
let tenant: Tenant;

beforeAll(async () => {
  isolated = await isolate("outages");
  dir = await mkdtemp(join(tmpdir(), "valorize-outages-"));
  redis = await throwawayRedis({ dir });
  api = await startApi(isolated, { REDIS_URL: redis.url });
  client = new ApiClient(api.server.app);
  tenant = await client.tenant();
});

afterAll(async () => {
  await api?.close();
  await redis?.stop();
  await isolated?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("while Redis is down", () => {
  it("answers 503 with Retry-After naming redis, reports not-ready, stays live, and recovers", async () => {
    expect((await client.get("/api/transactions", tenant.token)).statusCode).toBe(200);
    await redis.stop();
    await eventually(async () => (await client.get("/readyz")).statusCode === 503, 5_000, "readiness to turn red");

    const started = performance.now();
    const refused = await client.get("/api/transactions", tenant.token);
    const write = await client.createTransaction(tenant, { description: "during the outage" });
    console.log(`[outage] a read and a write answered in ${(performance.now() - started).toFixed(1)} ms while Redis was down`);
    for (const response of [refused, write]) {
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("2");
      expect(response.json()).toEqual({
        error: { code: "dependency_unavailable", message: "redis is unavailable; retry in 2 s", dependency: "redis" },
      });
    }
    expect(write.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    const readiness = await client.get("/readyz");
    expect(readiness.json().error).toMatchObject({ code: "not_ready", message: expect.stringContaining("redis") });
    expect((await client.get("/healthz")).statusCode).toBe(200);
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM transactions WHERE user_id = $1", [tenant.userId]);
    expect(rows[0].n).toBe(0); // refused before anything was written

    await redis.start();
    await eventually(async () => (await client.get("/api/transactions", tenant.token)).statusCode === 200, 10_000, "reads to work again");
    expect((await client.createTransaction(tenant, { description: "after the outage" })).statusCode).toBe(201);
    expect((await client.get("/readyz")).statusCode).toBe(200);
  });
});

describe("a write committed while Redis goes away", () => {
  /** Whether the categorisation task of a transaction is in the local queue (on the throwaway Redis). */
  async function categoriseQueued(userId: string, transactionId: string): Promise<boolean> {
    const connection = new Redis(redis.url);
    const task = categoriseTask(userId, transactionId);
    const { queueName, taskName } = new BullTaskQueue({ connection, prefix: "", queuePrefix: isolated.queuePrefix, policies: localTaskPolicies() }).queueNameFor(task);
    const queue = new Queue(queueName, { connection, prefix: redisKeys(isolated.redisPrefix).queues });
    try {
      return (await queue.getJob(taskName)) !== undefined;
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }

  it("is answered 201 (follow-up deferred), and its categorisation is queued from the outbox once Redis is back", async () => {
    const locker = await isolated.pool.connect();
    try {
      // Hold the account row, so the write passes every Redis step before it and then waits to commit.
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", [tenant.accountId]);
      const lockerPid = (await locker.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const writing = client.createTransaction(tenant, { description: "UBER *TRIP committed during a blip" }, { "idempotency-key": "blip-1" });
      await eventually(
        async () => (await isolated.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", [lockerPid])).rows[0].n === 1,
        10_000,
        "the write to wait for the row",
      );
      await redis.stop();
      await locker.query("COMMIT");
      const written = await writing;

      expect(written.statusCode).toBe(201);
      expect(written.headers["follow-up"]).toBe("deferred");
      const { id } = written.json();
      const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM transactions WHERE id = $1", [id]);
      expect(rows[0].n).toBe(1);
      const pending = await isolated.pool.query("SELECT follow_up FROM outbox WHERE follow_up->>'userId' = $1", [tenant.userId]);
      expect(pending.rows.map((r) => r.follow_up.tasks)).toEqual([[expect.objectContaining({ type: "categorise", payload: { user_id: tenant.userId, transaction_id: id } })]]);

      await redis.start();
      await eventually(() => categoriseQueued(tenant.userId, id), 20_000, "the categorisation task to be enqueued from the outbox");
      await eventually(
        async () => (await isolated.pool.query("SELECT count(*)::int AS n FROM outbox WHERE follow_up->>'userId' = $1", [tenant.userId])).rows[0].n === 0,
        10_000,
        "the outbox row to be removed",
      );
      // The client's retry (same key) gets the same answer and creates nothing.
      const retried = await client.createTransaction(tenant, { description: "UBER *TRIP committed during a blip" }, { "idempotency-key": "blip-1" });
      expect(retried.statusCode).toBe(201);
      expect(retried.json().id).toBe(id);
      expect((await isolated.pool.query("SELECT count(*)::int AS n FROM transactions WHERE user_id = $1 AND description LIKE 'UBER%'", [tenant.userId])).rows[0].n).toBe(1);
      const listed = await client.get("/api/transactions", tenant.token);
      expect(listed.json().data.map((t: { id: string }) => t.id)).toContain(id);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      locker.release();
    }
  });
});
