/**
 * The client retries as a real one does, against a real HTTP server that answers what the test
 * tells it to (503 with Retry-After, a dropped connection, a 4xx, a 5xx with a stack trace).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_RETRY, hasStackTrace, isConnectionReset, isRetryable, retryDelayMs, RetryingClient, type Attempt } from "./client";

type Step = (request: IncomingMessage, response: ServerResponse, body: string) => void;
let steps: Step[] = [];
const seen: Array<{ key: string | undefined; body: string }> = [];
let server: Server;
let client: RetryingClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      seen.push({ key: request.headers["idempotency-key"] as string | undefined, body });
      (steps.shift() ?? ((_q, r) => r.writeHead(200).end("{}")))(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = new RetryingClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 4);
});

afterAll(async () => {
  await client.close();
  await new Promise((resolve) => server.close(resolve));
});

const post = { method: "POST" as const, path: "/api/transactions", headers: { "content-type": "application/json", "idempotency-key": "k-1" }, body: '{"amount":"1.00"}' };

describe("retrying as a client does", () => {
  it("retries a 503 after its Retry-After, and a dropped connection, with the same key and body", async () => {
    seen.length = 0;
    steps = [
      (_q, r) => r.writeHead(503, { "retry-after": "0", "content-type": "application/json" }).end('{"error":{"code":"dependency_unavailable"}}'),
      (q) => q.socket.destroy(), // the connection dies with the request on it
      (_q, r) => r.writeHead(201, { "content-type": "application/json" }).end('{"id":"t1"}'),
    ];
    const attempts: Attempt[] = [];
    const outcome = await client.send(post, (a) => attempts.push(a));
    expect(outcome).toMatchObject({ status: 201, body: '{"id":"t1"}', attempts: 3 });
    expect(attempts.map((a) => a.status)).toEqual([503, null, 201]);
    expect(isConnectionReset(attempts[1]!.errorCode)).toBe(true);
    expect(attempts[0]!.errorBody).toContain("dependency_unavailable");
    expect(seen.map((s) => s.key)).toEqual(["k-1", "k-1", "k-1"]);
    expect(new Set(seen.map((s) => s.body))).toEqual(new Set([post.body]));
  });

  it("does not retry a 4xx, and gives up after its attempts", async () => {
    steps = [(_q, r) => r.writeHead(422).end('{"error":{}}')];
    expect((await client.send(post)).status).toBe(422);
    steps = Array.from({ length: 3 }, () => (_q: IncomingMessage, r: ServerResponse) => void r.writeHead(500, { "retry-after": "0" }).end("{}"));
    expect(await client.send(post, undefined, 3)).toMatchObject({ status: 500, attempts: 3 });
  });

  it("waits what the server asks (capped), else backs off exponentially with jitter", () => {
    expect(retryDelayMs(2, "2")).toBe(2000);
    expect(retryDelayMs(2, "120")).toBe(CLIENT_RETRY.maxRetryAfterMs);
    expect(retryDelayMs(2, undefined, 0)).toBe(CLIENT_RETRY.baseDelayMs / 2);
    expect(retryDelayMs(2, undefined, 1)).toBe(CLIENT_RETRY.baseDelayMs);
    expect(retryDelayMs(3, "soon", 1)).toBe(CLIENT_RETRY.baseDelayMs * 2);
    expect(retryDelayMs(20, undefined, 1)).toBe(CLIENT_RETRY.maxDelayMs);
    expect([null, 500, 502, 503, 429].every((status) => isRetryable({ status }))).toBe(true);
    expect([200, 201, 400, 401, 404, 409, 422].some((status) => isRetryable({ status }))).toBe(false);
  });

  it("recognises a stack trace in a body, and not the app's error shape", () => {
    expect(hasStackTrace("Error: boom\n    at handler (/app/dist/main.js:10:5)")).toBe(true);
    expect(hasStackTrace('{"message":"x","stack":"at Object.<anonymous> (node:internal/modules/cjs/loader:1)"}')).toBe(true);
    expect(hasStackTrace('{"error":{"code":"dependency_unavailable","message":"redis is unavailable; retry in 2 s","dependency":"redis"}}')).toBe(false);
    expect(hasStackTrace('{"error":{"code":"internal","message":"something went wrong"}}')).toBe(false);
  });
});
