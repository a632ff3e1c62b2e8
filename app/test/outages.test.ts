/**
 * The api while a dependency is down, on a throwaway Redis this file stops and starts (never the
 * shared one): requests are refused at once with a 503 naming the dependency and a Retry-After,
 * readiness reports not-ready while liveness stays up, and service resumes when Redis is back.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { throwawayRedis, type ThrowawayRedis } from "../../loadtests/local/data-services";
import type { ApiInstance } from "../entrypoints/api";
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
