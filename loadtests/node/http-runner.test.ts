import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpScenario } from "../scenarios";
import { runHttpScenario, type Progress } from "./http-runner";

/** A real HTTP server with known behaviour: 20 ms per request, 500 for one account, 401 without a token. */
let server: Server;
let baseUrl = "";
const seen: Array<{ method: string; url: string; auth: string | undefined; key: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, key: req.headers["idempotency-key"] as string | undefined });
    req.resume();
    setTimeout(() => {
      if (!req.headers.authorization) res.writeHead(401).end();
      else if (req.url?.includes("account_id=bad")) res.writeHead(500).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("[]");
    }, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const scenario = (overrides: Partial<HttpScenario>): HttpScenario => ({
  name: "mixed",
  description: "test",
  stages: [
    { vus: 2, durationSeconds: 1 },
    { vus: 6, durationSeconds: 1 },
  ],
  thinkTimeSeconds: 0.05,
  mix: { listTransactions: 65, createTransaction: 20, listAccounts: 15 },
  ownUserPerVu: true,
  ...overrides,
});

describe("Node HTTP runner", () => {
  it("runs each stage at its VU count, and measures latency per stage", async () => {
    seen.length = 0;
    const progress: Progress[] = [];
    const users = [0, 1, 2, 3, 4, 5].map((i) => ({ token: `u${i}`, accountIds: [`acc${i}`] }));
    const result = await runHttpScenario({ baseUrl, scenario: scenario({}), fixtures: { users }, onProgress: (p) => progress.push(p) });
    // Stage 1 has 2 VUs (users u0, u1); stage 2 adds four more. VUs join only when their stage starts.
    const order = seen.map((r) => r.auth!.replace("Bearer ", ""));
    const firstNewcomer = order.findIndex((token) => !["u0", "u1"].includes(token));
    expect(firstNewcomer).toBeGreaterThan(0);
    expect(new Set(order.slice(0, firstNewcomer))).toEqual(new Set(["u0", "u1"]));
    expect(new Set(order)).toEqual(new Set(users.map((u) => u.token)));
    const [low, high] = result.stages;
    expect(low!.vus).toBe(2);
    expect(high!.vus).toBe(6);
    // Requests still in flight when the last stage ends are not counted (at most one per VU).
    expect(low!.requests + high!.requests).toBeLessThanOrEqual(seen.length);
    expect(low!.requests + high!.requests).toBeGreaterThanOrEqual(seen.length - 6);
    // The server answers after 20 ms: no request can be faster, and percentiles are ordered.
    expect(low!.p50).toBeGreaterThanOrEqual(19);
    expect(low!.p95).toBeGreaterThanOrEqual(low!.p50);
    expect(high!.p99).toBeGreaterThanOrEqual(high!.p95);
    expect(result.errorRate).toBe(0);
    expect(result.sloBrokeAtVus).toBeNull();
    expect(progress.at(-1)!.vus).toBe(6);
    expect(result.generator?.cpuSeconds).toBeGreaterThan(0);
  });

  it("sends the scenario's request mix as each VU's own user", async () => {
    seen.length = 0;
    await runHttpScenario({ baseUrl, scenario: scenario({ stages: [{ vus: 3, durationSeconds: 2 }] }), fixtures: { users: [{ token: "u0", accountIds: ["x"] }, { token: "u1", accountIds: ["y"] }, { token: "u2", accountIds: ["z"] }] } });
    const lists = seen.filter((r) => r.method === "GET" && r.url.startsWith("/api/transactions")).length;
    const writes = seen.filter((r) => r.method === "POST").length;
    const accounts = seen.filter((r) => r.url === "/api/accounts").length;
    expect(lists).toBeGreaterThan(writes);
    expect(writes).toBeGreaterThan(0);
    expect(accounts).toBeGreaterThan(0);
    // Each VU keeps its identity: a user only ever queries its own account.
    for (const r of seen.filter((x) => x.url.includes("account_id="))) {
      const token = r.auth!.replace("Bearer ", "");
      expect(r.url).toContain(`account_id=${{ u0: "x", u1: "y", u2: "z" }[token]}`);
    }
    // Every write carries its own idempotency key.
    const keys = seen.filter((r) => r.method === "POST").map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("counts non-2xx responses as errors and reports where the SLO broke", async () => {
    const result = await runHttpScenario({
      baseUrl,
      scenario: scenario({ name: "read", mix: { listTransactions: 100, createTransaction: 0, listAccounts: 0 }, stages: [{ vus: 2, durationSeconds: 1 }] }),
      fixtures: { users: [{ token: "t", accountIds: ["bad", "good"] }] },
    });
    expect(result.errorRate).toBeGreaterThan(0.3);
    expect(result.errorRate).toBeLessThan(0.7);
    expect(result.stages[0]!.slo.errorsOk).toBe(false);
    expect(result.sloBrokeAtVus).toBe(2);
  });

  it("refuses to run without users", async () => {
    await expect(runHttpScenario({ baseUrl, scenario: scenario({}), fixtures: { users: [] } })).rejects.toThrow(/no users/);
  });
});
