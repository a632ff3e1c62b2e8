import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, resolveDataServices, throwawayRedis } from "../local/data-services";
import { postgresServes, readinessDuring, redisServes, watchOutage, type ProbeSample } from "./probes";

const sample = (t: number, answeredAt: number, ready: number | null, live: number | null = 200): ProbeSample => ({ target: "api", t, answeredAt, ready, live });

describe("readiness while a dependency is down", () => {
  it("judges only probes sent after the outage began and answered before it ended", () => {
    const samples = [
      sample(9.9, 10.0, 200), // before the outage
      sample(10.01, 10.02, 200), // within the grace: the driver had not noticed yet
      sample(10.2, 10.21, 503),
      sample(10.5, 10.52, 200), // answered ready while down: the failure
      sample(11.9, 12.1, 200), // answered after it was back
      sample(12.5, 12.51, 200),
    ];
    expect(readinessDuring(samples, 10, 12, { from: 9, to: 20 })).toEqual({ probesWhileDown: 2, readyWhileDown: 1, livenessFailures: 0 });
  });

  it("counts liveness answers other than 200 in the phase, not probes that got no answer", () => {
    const samples = [sample(10.2, 10.3, 503, 503), sample(10.4, 10.5, 503, null), sample(30, 30.1, 200, 500)];
    expect(readinessDuring(samples, 10, 12, { from: 9, to: 20 }).livenessFailures).toBe(1);
  });
});

describe("watching a server from outside", () => {
  it("times an outage from the answer of the first failed check to that of the last one", async () => {
    let clock = 0;
    const answers = [true, true, false, false, false, true];
    // Each check takes one tick: the n-th check (0-based) is answered at n + 1.
    const outage = await watchOutage(async () => answers[clock++] ?? true, () => clock);
    expect(outage).toEqual({ from: 3, to: 5 });
    expect(await watchOutage(async () => true, () => 0, 50)).toBeUndefined();
  });

  it("asks real servers: PostgreSQL runs SELECT 1, Redis answers PING", async () => {
    const services = await resolveDataServices();
    try {
      expect(await postgresServes(services.databaseUrl)).toBe(true);
    } finally {
      await services.stop();
    }
    expect(await postgresServes(`postgres://postgres@127.0.0.1:${await freePort()}/test`)).toBe(false);
    const dir = await mkdtemp(join(tmpdir(), "probes-"));
    const redis = await throwawayRedis({ dir, durable: false });
    try {
      expect(await redisServes(redis.port)).toBe(true);
      await redis.stop("SIGKILL");
      expect(await redisServes(redis.port)).toBe(false);
    } finally {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
