/**
 * The realtime role when its Redis subscription is interrupted, on a throwaway Redis this file
 * kills and starts again (never the shared one). Pub/sub delivers only to subscribers connected at
 * the moment of publishing: whatever is published while a realtime instance's subscriber is away
 * (Redis restarting, a Memorystore failover, an api instance that reconnects first) never reaches
 * its sockets. A client that is not told would show a stale view with no reason to refetch, so the
 * instance closes its sockets (1012, reconnect and refetch) as soon as the subscription drops,
 * refuses new ones with a 503 and Retry-After until it is back, and a client that reconnects then
 * gets its events again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { throwawayRedis, type ThrowawayRedis } from "../../loadtests/local/data-services";
import type { ApiInstance } from "../entrypoints/api";
import type { RealtimeInstance } from "../entrypoints/realtime";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { eventually, redisReady, startApi, startRealtime } from "./support/roles";

let isolated: Isolated;
let dir: string;
let redis: ThrowawayRedis;
let api: ApiInstance;
let realtime: RealtimeInstance & { url: string };
let client: ApiClient;
let tenant: Tenant;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  isolated = await isolate("rtoutage");
  dir = await mkdtemp(join(tmpdir(), "valorize-rtoutage-"));
  redis = await throwawayRedis({ dir, durable: false });
  api = await startApi(isolated, { REDIS_URL: redis.url });
  realtime = await startRealtime(isolated, { REDIS_URL: redis.url });
  client = new ApiClient(api.server.app);
  tenant = await client.tenant();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await realtime?.close();
  await api?.close();
  await redis?.stop();
  await isolated?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Client {
  readonly socket: WebSocket;
  readonly messages: Array<{ type: string } & Record<string, unknown>>;
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
}

function connect(): Promise<Client> {
  const socket = new WebSocket(`${realtime.url}/ws`, { headers: { authorization: `Bearer ${tenant.token}` } });
  sockets.push(socket);
  const messages: Client["messages"] = [];
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString(), at: performance.now() })));
  return new Promise((resolve, reject) => {
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "ready") resolve({ socket, messages, closed });
      else messages.push(message);
    });
    socket.on("error", reject);
    socket.on("unexpected-response", (_request, response) => reject(new Error(`upgrade answered ${response.statusCode}`)));
  });
}

/** The status, Retry-After and JSON body of a refused upgrade. */
function refusal(): Promise<{ status: number; retryAfter: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${realtime.url}/ws`, { headers: { authorization: `Bearer ${tenant.token}` } });
    socket.on("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"] as string | undefined, body: JSON.parse(text) });
        socket.terminate();
      });
    });
    socket.on("open", () => reject(new Error("the upgrade was accepted")));
    socket.on("error", (error) => reject(error));
  });
}

describe("realtime while its Redis subscription is interrupted", () => {
  it("closes its sockets at once (1012: reconnect and refetch), refuses new ones with a 503 until Redis is back, then delivers again", { timeout: 60_000 }, async () => {
    const before = await connect();
    await redis.stop("SIGKILL");
    const killedAt = performance.now();

    const closed = await Promise.race([before.closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3_000))]);
    expect(closed, "the socket was left open while its events could not arrive").toBeDefined();
    expect(closed!.code).toBe(1012);
    expect(closed!.reason).toMatch(/reconnect/);
    console.log(`[realtime-outage] socket closed ${(closed!.at - killedAt).toFixed(0)} ms after Redis was killed`);
    expect(closed!.at - killedAt).toBeLessThan(1_000);

    const refused = await refusal();
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("2");
    expect(refused.body).toEqual({ error: { code: "dependency_unavailable", message: "redis is unavailable; retry in 2 s", dependency: "redis" } });
    expect(realtime.gateway.connectionCount).toBe(0);

    await redis.start();
    await redisReady(api.core.redis);
    const after = await eventually(() => connect().catch(() => undefined), 15_000, "a reconnection once Redis is back");
    const created = await eventually(async () => {
      const response = await client.createTransaction(tenant, { description: "after the outage" });
      return response.statusCode === 201 ? (response.json() as { id: string }) : undefined;
    }, 15_000, "a write once Redis is back");
    await eventually(async () => after.messages.some((m) => m.type === "transaction.created" && (m.transaction as { id: string }).id === created.id), 5_000, "the event on the new socket");
  });
});
