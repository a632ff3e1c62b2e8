import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpScenario } from "../scenarios";
import { GENERATOR_LATE_MS } from "../slo";
import { ArrivalRunner, runKneeSearch } from "./arrival-runner";

/**
 * A real HTTP server whose behaviour each test sets: it records when each request arrived (on the
 * same clock as the generator), how many were in flight, and answers through `handle`.
 */
let server: Server;
let baseUrl = "";
let arrivals: Array<{ at: number; auth: string | undefined; url: string }> = [];
let inFlight = 0;
let peakInFlight = 0;
let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("[]");

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push({ at: performance.now(), auth: req.headers.authorization, url: req.url! });
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.once("finish", () => inFlight--);
    req.resume();
    handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const read: Pick<HttpScenario, "name" | "mix"> = { name: "read", mix: { listTransactions: 100, createTransaction: 0, listAccounts: 0 } };
const users = Array.from({ length: 5 }, (_, i) => ({ token: `u${i}`, accountIds: [`acc${i}`] }));

function reset(handler: typeof handle): void {
  arrivals = [];
  peakInFlight = 0;
  handle = handler;
}

describe("open-model runner (arrival rate)", () => {
  it("starts every arrival on schedule and never before its intended time, spread round-robin over the users", async () => {
    reset((_req, res) => res.end("[]"));
    const runner = new ArrivalRunner({ baseUrl, scenario: read, search: { preAllocatedVus: 5, maxVus: 5 }, fixtures: { users } });
    const step = await runner.runStep(200, 1);
    await runner.close();
    expect(step.offered).toBe(200);
    // Every arrival was either sent or (all five VUs busy: only on a starved machine) dropped.
    expect(step.completed + step.dropped).toBe(200);
    expect(arrivals).toHaveLength(step.completed);
    expect(step.errors).toBe(step.dropped);
    // Arrival k is due at t0 + k/200 s: by any moment x after t0, at most floor(200 x) + 1 can have reached the server.
    const t0 = runner.started + step.startedAt * 1000;
    for (const x of [0.1, 0.25, 0.5, 0.75]) expect(arrivals.filter((a) => a.at < t0 + x * 1000).length).toBeLessThanOrEqual(Math.floor(200 * x) + 1);
    expect(arrivals.at(-1)!.at - t0).toBeGreaterThanOrEqual(995);
    // Arrival n acts as user n mod 5: each user sends a fifth of the requests, each for its own account.
    const perUser = users.map((u) => arrivals.filter((a) => a.auth === `Bearer ${u.token}`).length);
    if (step.dropped === 0) expect(perUser).toEqual([40, 40, 40, 40, 40]);
    expect(new Set(arrivals.map((a) => a.auth))).toEqual(new Set(users.map((u) => `Bearer ${u.token}`)));
    for (const a of arrivals) expect(a.url).toContain(`account_id=acc${a.auth!.slice("Bearer u".length)}`);
  });

  it("measures latency from the intended start: a generator that stalls cannot hide the wait (coordinated omission)", async () => {
    reset((_req, res) => res.end("[]"));
    const runner = new ArrivalRunner({ baseUrl, scenario: read, search: { preAllocatedVus: 100, maxVus: 100 }, fixtures: { users } });
    // 300 ms into the step the generator's event loop is blocked for 300 ms: arrivals due meanwhile go out late.
    const stall = setTimeout(() => {
      const until = performance.now() + 300;
      while (performance.now() < until);
    }, 300);
    const step = await runner.runStep(200, 1);
    clearTimeout(stall);
    await runner.close();
    // Arrivals due in the first 200 ms of the stall started more than GENERATOR_LATE_MS late: about 40 of them.
    expect(GENERATOR_LATE_MS).toBe(100);
    expect(step.late).toBeGreaterThanOrEqual(30);
    // Their latency counts the wait: the slowest 1 % waited at least ~250 ms, though the server answers at once.
    expect(step.p99).toBeGreaterThanOrEqual(200);
    expect(step.notOnTimeRate).toBeGreaterThanOrEqual(0.15);
    expect(step.slo.onTimeOk).toBe(false);
    expect(step.slo.reason).toMatch(/% of requests not started on time/);
  });

  it("drops arrivals that find every VU busy and counts them as failures (k6's dropped iterations)", async () => {
    reset((_req, res) => setTimeout(() => res.end("[]"), 200));
    const runner = new ArrivalRunner({ baseUrl, scenario: read, search: { preAllocatedVus: 1, maxVus: 2 }, fixtures: { users } });
    const step = await runner.runStep(50, 1);
    await runner.close();
    // Two VUs, 200 ms per answer: at most about ten of the 50 arrivals can be served.
    expect(peakInFlight).toBeLessThanOrEqual(2);
    expect(step.peakInFlight).toBe(2);
    expect(step.offered).toBe(50);
    expect(step.dropped).toBeGreaterThanOrEqual(30);
    expect(step.dropped + step.completed).toBe(50);
    expect(step.errors).toBe(step.dropped);
    expect(step.errorRate).toBeCloseTo(step.dropped / 50, 10);
    expect(step.slo.ok).toBe(false);
    // Answers take 200 ms at least, from the send and therefore from the intended start.
    expect(step.p50).toBeGreaterThanOrEqual(199);
  });

  it("counts non-2xx answers as errors", async () => {
    reset((req, res) => res.writeHead(req.headers.authorization === "Bearer u0" ? 500 : 200).end("[]"));
    const runner = new ArrivalRunner({ baseUrl, scenario: read, search: { preAllocatedVus: 5, maxVus: 5 }, fixtures: { users } });
    const step = await runner.runStep(100, 1);
    await runner.close();
    const failed = arrivals.filter((a) => a.auth === "Bearer u0").length;
    expect(failed).toBeGreaterThan(0);
    expect(step.errors).toBe(failed + step.dropped);
    expect(step.achievedRps).toBeLessThanOrEqual((100 - failed) / 1);
  });

  it("runs a whole knee search: ascending ladders that stop at their first broken step, and the knee between", async () => {
    // One request at a time, 10 ms each: about 100 req/s, then a growing queue.
    let busyUntil = 0;
    reset((_req, res) => {
      busyUntil = Math.max(busyUntil, performance.now()) + 10;
      setTimeout(() => res.end("[]"), busyUntil - performance.now());
    });
    let settled = 0;
    const result = await runKneeSearch({
      baseUrl,
      scenario: read,
      search: { startRps: 25, growth: 2, maxRps: 800, refineSplits: [2], stepSeconds: 1, warmupSeconds: 0.5, preAllocatedVus: 10, maxVus: 200 },
      fixtures: { users },
      recoverySeconds: 0.5,
      settle: async () => void settled++,
      taskBacklog: async () => 7,
    });
    const { steps, knee } = result;
    // Before every ladder the search waited for the work earlier steps left behind, and it plotted the backlog.
    expect(settled).toBe(new Set(steps.map((s) => s.ladder)).size);
    expect(result.timeline.some((p) => p.taskBacklog === 7)).toBe(true);
    // The warm-up at the start rate ran first and is not one of the measured steps.
    expect(steps[0]!.rps).toBe(25);
    expect(steps[0]!.startedAt).toBeGreaterThanOrEqual(0.5);
    const broken = steps.filter((s) => !s.slo.ok);
    expect(broken.length).toBeGreaterThanOrEqual(1);
    // Within a ladder rates ascend and nothing runs after a broken step.
    for (const ladder of new Set(steps.map((s) => s.ladder))) {
      const rates = steps.filter((s) => s.ladder === ladder);
      expect(rates.map((s) => s.rps)).toEqual([...rates.map((s) => s.rps)].sort((a, b) => a - b));
      expect(rates.slice(0, -1).every((s) => s.slo.ok)).toBe(true);
    }
    expect(knee.brokeAtRps).not.toBeNull();
    expect(knee.heldRps).toBeLessThan(knee.brokeAtRps!);
    expect(steps.some((s) => s.rps === knee.brokeAtRps && !s.slo.ok)).toBe(true);
    if (knee.heldRps > 0) expect(steps.find((s) => s.rps === knee.heldRps && s.slo.ok)!.p95).toBe(knee.p95);
    // The per-second series covers the search, with its offered rates.
    expect(result.timeline.length).toBeGreaterThanOrEqual(steps.length);
    expect(new Set(result.timeline.map((p) => p.targetRps))).toContain(steps[0]!.rps);
    expect(result.generator!.cpuSeconds).toBeGreaterThan(0);
  });
});
