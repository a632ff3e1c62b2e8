/**
 * The realtime role: two instances behind one Redis, real WebSocket clients. Token auth on the
 * upgrade, per-tenant delivery across instances, heartbeats, backpressure and a clean close.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { REALTIME_SUBPROTOCOL, subprotocolToken } from "../adapters/realtime/gateway";
import { redisKeys } from "../adapters/redis/keys";
import type { ApiInstance } from "../entrypoints/api";
import type { RealtimeInstance } from "../entrypoints/realtime";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { eventually, startApi, startRealtime } from "./support/roles";

type Instance = RealtimeInstance & { url: string };

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;
let first: Instance;
let second: Instance;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  isolated = await isolate("realtime");
  api = await startApi(isolated);
  client = new ApiClient(api.server.app);
  [first, second] = await Promise.all([startRealtime(isolated), startRealtime(isolated)]);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await Promise.all([first?.close(), second?.close()]);
  await api?.close();
  await isolated?.cleanup();
});

interface Client {
  readonly socket: WebSocket;
  readonly messages: Array<{ type: string } & Record<string, unknown>>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Connects and waits for the server's "ready" (the subscription is live from then on). */
async function connect(instance: Instance, tenant: Tenant, via: "subprotocol" | "header" = "header"): Promise<Client> {
  const socket =
    via === "subprotocol"
      ? new WebSocket(`${instance.url}/ws`, [REALTIME_SUBPROTOCOL, `bearer.${tenant.token}`])
      : new WebSocket(`${instance.url}/ws`, { headers: { authorization: `Bearer ${tenant.token}` } });
  sockets.push(socket);
  const messages: Client["messages"] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const ready = new Promise<void>((resolve, reject) => {
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "ready") resolve();
      else messages.push(message);
    });
    socket.on("error", reject);
  });
  await ready;
  return { socket, messages, closed };
}

/** The HTTP status (and JSON body) of a refused upgrade. */
function refusal(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<number> {
  return refusalWithBody(url, headers, protocols).then((r) => r.status);
}

function refusalWithBody(url: string, headers: Record<string, string> = {}, protocols: string[] = []): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { headers });
    socket.on("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        socket.terminate();
      });
    });
    socket.on("open", () => reject(new Error("the upgrade was accepted")));
    socket.on("error", () => undefined);
  });
}

describe("realtime", () => {
  it("refuses a missing, unknown or malformed token, and other paths", async () => {
    expect(await refusal(`${first.url}/ws`)).toBe(401);
    expect(await refusal(`${first.url}/ws`, { authorization: `Bearer vz_${"x".repeat(43)}` })).toBe(401);
    expect(await refusal(`${first.url}/ws`, { authorization: "Bearer nonsense" })).toBe(401);
    expect(await refusal(`${first.url}/ws`, {}, [REALTIME_SUBPROTOCOL, `bearer.vz_${"x".repeat(43)}`])).toBe(401);
    const tenant = await client.tenant();
    expect(await refusal(`${first.url}/elsewhere`, { authorization: `Bearer ${tenant.token}` })).toBe(404);
    expect(first.gateway.connectionCount).toBe(0);
  });

  it("refuses a token in the URL, even a valid one, with a 400 naming the field and the alternatives", async () => {
    const tenant = await client.tenant();
    const { status, body } = await refusalWithBody(`${first.url}/ws?token=${tenant.token}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "validation_failed", fields: { token: expect.stringContaining("Authorization: Bearer") } });
    expect(body.error.fields.token).toContain("bearer.<token>");
    expect(first.gateway.connectionCount).toBe(0);
  });

  it("accepts a browser's subprotocol token and answers with its own protocol, never echoing the token", async () => {
    const tenant = await client.tenant();
    const view = await connect(first, tenant, "subprotocol");
    expect(view.socket.protocol).toBe(REALTIME_SUBPROTOCOL);
    view.socket.close();
    await view.closed;
    expect(subprotocolToken(`${REALTIME_SUBPROTOCOL}, bearer.vz_abc`)).toBe("vz_abc");
    expect(subprotocolToken(REALTIME_SUBPROTOCOL)).toBeUndefined();
    expect(subprotocolToken("bearer.")).toBeUndefined();
  });

  it("delivers a tenant's events to its clients on every instance, and to no one else", async () => {
    const alice = await client.tenant("Alice");
    const bob = await client.tenant("Bob");
    const aliceOnFirst = await connect(first, alice, "subprotocol");
    const aliceOnSecond = await connect(second, alice, "header");
    const bobOnSecond = await connect(second, bob);

    const created = (await client.createTransaction(alice, { amount: "-4.20", description: "Coffee" })).json();
    for (const view of [aliceOnFirst, aliceOnSecond]) {
      await eventually(async () => view.messages.length >= 2, 5_000, "alice's events");
      expect(view.messages).toEqual([
        { type: "transaction.created", transaction: expect.objectContaining({ id: created.id, amount: "-4.20", description: "Coffee" }) },
        { type: "account.balance_changed", account_id: alice.accountId, balance: "-4.20" },
      ]);
    }

    // Redis delivers in publish order: had Bob received Alice's events, they would precede his own.
    const bobs = (await client.createTransaction(bob, { amount: "-1.00" })).json();
    await eventually(async () => bobOnSecond.messages.length >= 2, 5_000, "bob's events");
    expect(bobOnSecond.messages[0]).toMatchObject({ type: "transaction.created", transaction: { id: bobs.id } });
    expect(JSON.stringify(bobOnSecond.messages)).not.toContain(created.id);
  });

  it("drops a client that stops answering heartbeats", async () => {
    const quick = await startRealtime(isolated, { WS_HEARTBEAT_MS: "150" });
    try {
      const tenant = await client.tenant();
      const silent = await connect(quick, tenant);
      expect(quick.gateway.connectionCount).toBe(1);
      // A paused socket reads nothing, so it never sees (or answers) the pings.
      (silent.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      await eventually(async () => quick.gateway.connectionCount === 0, 5_000, "the silent client to be dropped");
    } finally {
      await quick.close();
    }
  });

  it("closes a client that does not keep up instead of buffering without bound", async () => {
    const strict = await startRealtime(isolated, { WS_MAX_BUFFERED_BYTES: "65536" });
    try {
      const tenant = await client.tenant();
      const slow = await connect(strict, tenant);
      const fast = await connect(strict, tenant);
      (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const publisher = new Redis(isolated.env.REDIS_URL!);
      const event = JSON.stringify({ type: "notification", notification_id: "n", kind: "bulk", data: { padding: "x".repeat(20_000) } });
      try {
        // ~20 MB: far more than the socket buffers can absorb for a client that reads nothing.
        for (let i = 0; i < 1000; i++) await publisher.publish(redisKeys(isolated.redisPrefix).events(tenant.userId), event);
      } finally {
        await publisher.quit();
      }
      await eventually(async () => strict.gateway.connectionCount === 1, 10_000, "the slow client to be closed");
      await eventually(async () => fast.messages.length === 1000, 10_000, "the fast client to get everything");
      (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      // 1013 if our close frame got through, 1006 if the connection had to be cut.
      expect([1013, 1006]).toContain((await slow.closed).code);
    } finally {
      await strict.close();
    }
  });

  it("says goodbye (1001) to its clients when shutting down", async () => {
    const leaving = await startRealtime(isolated);
    const tenant = await client.tenant();
    const connected = await connect(leaving, tenant);
    await leaving.close();
    expect(await connected.closed).toEqual({ code: 1001, reason: "server shutting down; reconnect" });
  });
});
