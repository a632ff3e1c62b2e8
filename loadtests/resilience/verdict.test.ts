import { describe, expect, it } from "vitest";
import type { SecondStats } from "./load";
import type { FaultResult } from "./types";
import { faultVerdict, p95, recovery, resilienceFailures, resilienceVerdict, secondHolds, toTimeline, windowStats, type FaultMeasurements } from "./verdict";

function second(t: number, over: Partial<SecondStats> = {}): SecondStats {
  return { t, requests: 100, ok: 100, errors: 0, serverErrors: 0, unavailable: 0, resets: 0, transportErrors: 0, failedAfterRetries: 0, stackTraces: 0, latencies: Array.from({ length: 100 }, () => 5), ...over };
}

/** A fault where every promise held: the starting point each test breaks one promise of. */
const held: FaultMeasurements = {
  name: "api-kill",
  component: "api",
  action: "kill",
  promise: "nothing lost",
  injectedAt: 10,
  backAt: 11,
  recoveredAt: 11,
  recoverySeconds: 0,
  windowSeconds: 1,
  requests: 100,
  errors: 2,
  errorRate: 0.02,
  serverErrors: 0,
  unavailable: 0,
  connectionResets: 2,
  failedAfterRetries: 0,
  stackTraces: 0,
  writesCommitted: 20,
  tasks: 20,
  lost: 0,
  duplicated: 0,
  missingWrites: 0,
  duplicateWrites: 0,
  realtime: { clients: 4, reconnected: 0, eventsExpected: 8, eventsMissed: 0, caughtUp: 0, unrecovered: 0, missedWhileConnected: 0 },
  detail: "",
};
const plain = { graceful: false, realtimeInstance: false } as const;

describe("seconds and recovery", () => {
  it("takes the nearest-rank P95 and holds a second only within the SLO", () => {
    expect(p95([])).toBe(0);
    expect(p95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95);
    expect(secondHolds(second(0))).toBe(true);
    expect(secondHolds(second(0, { latencies: [...Array(90).fill(5), ...Array(10).fill(400)] }))).toBe(false); // P95 400 ms
    expect(secondHolds(second(0, { errors: 1, requests: 100 }))).toBe(false); // 1 % >= 0.5 %
    expect(secondHolds(second(0, { errors: 1, requests: 300, latencies: Array(300).fill(5) }))).toBe(true); // 0.33 %
    expect(secondHolds(second(0, { requests: 0, latencies: [] }))).toBe(false); // nothing answered is not "within the SLO"
  });

  it("measures recovery from the component being back to the start of the first second within the SLO", () => {
    const timeline = toTimeline([second(10), second(11, { errors: 50 }), second(12, { errors: 50 }), second(13), second(14)]);
    expect(recovery(timeline, 11.4, 20)).toEqual({ recoveredAt: 13, recoverySeconds: 13 - 11.4 });
    // Back in a second that already held: 0.
    expect(recovery(toTimeline([second(10), second(11)]), 11.4, 20)).toEqual({ recoveredAt: 11, recoverySeconds: 0 });
    // Never within the SLO before the phase ended.
    expect(recovery(timeline, 11.4, 13)).toEqual({ recoveredAt: null, recoverySeconds: null });
  });

  it("sums the seconds a fault's window overlaps", () => {
    const seconds = [second(9), second(10, { errors: 10, serverErrors: 10, unavailable: 10 }), second(11, { errors: 5, resets: 5 }), second(12)];
    expect(windowStats(seconds, 10.5, 12)).toMatchObject({ requests: 200, errors: 15, errorRate: 0.075, serverErrors: 10, unavailable: 10, connectionResets: 5 });
  });
});

describe("a fault's verdict", () => {
  it("holds when every promise held", () => {
    expect(faultVerdict(held, plain)).toEqual({ ok: true, failures: [] });
  });

  it.each<[string, Partial<FaultMeasurements>, object, RegExp]>([
    ["a lost task", { lost: 1 }, plain, /1 task lost/],
    ["a task applied twice", { duplicated: 2 }, plain, /2 task effects applied twice/],
    ["a committed write missing", { missingWrites: 1 }, plain, /1 committed write \(answered 201\) missing/],
    ["a duplicate from a retried key", { duplicateWrites: 1 }, plain, /1 extra row from retried Idempotency-Keys/],
    ["no recovery", { recoveredAt: null, recoverySeconds: null }, plain, /no second within the SLO/],
    ["a slow recovery", { recoverySeconds: 12.5 }, plain, /recovered 12.5 s after the component was back \(target <= 10 s\)/],
    ["a stack trace", { stackTraces: 1 }, plain, /1 5xx answer with a stack trace/],
    ["a request cut in a graceful restart", { connectionResets: 1 }, { graceful: true, realtimeInstance: false }, /requests in flight cut during a graceful restart: 1 connection reset, 0 5xx answers/],
    ["a 5xx in a graceful restart", { connectionResets: 0, serverErrors: 3 }, { graceful: true, realtimeInstance: false }, /0 connection resets, 3 5xx answers/],
    ["an event never recovered", { realtime: { ...held.realtime, eventsMissed: 3, caughtUp: 2, unrecovered: 1 } }, plain, /1 realtime event missed and not found through the API/],
    ["an event missed on an open socket", { realtime: { ...held.realtime, eventsMissed: 1, unrecovered: 1, missedWhileConnected: 1 } }, plain, /missed by clients whose socket stayed open/],
    ["readiness saying ready while Redis was down", { readiness: { probesWhileDown: 10, readyWhileDown: 2, livenessFailures: 0 } }, { ...plain, dependency: "redis" }, /readiness answered ready 2 times while redis was down/],
    ["liveness failing", { readiness: { probesWhileDown: 10, readyWhileDown: 0, livenessFailures: 1 } }, { ...plain, dependency: "postgresql" }, /liveness failed 1 time/],
  ])("fails on %s", (_what, change, spec, message) => {
    const verdict = faultVerdict({ ...held, ...change }, spec as Parameters<typeof faultVerdict>[1]);
    expect(verdict.ok).toBe(false);
    expect(verdict.failures.join("\n")).toMatch(message);
  });

  it("allows resets when a process is killed, not when it is stopped gracefully", () => {
    expect(faultVerdict({ ...held, connectionResets: 5 }, plain).ok).toBe(true);
    expect(faultVerdict({ ...held, connectionResets: 5 }, { graceful: true, realtimeInstance: false }).ok).toBe(false);
  });

  it("judges a stopped realtime instance's clients: closed promptly, reconnected, caught up", () => {
    const realtimeSpec = { graceful: false, realtimeInstance: true };
    const good = { ...held.realtime, reconnected: 2, stoppedInstanceClients: 2, stoppedInstanceClosed: 2, closeLatencyMs: 12 };
    expect(faultVerdict({ ...held, realtime: good }, realtimeSpec).ok).toBe(true);
    expect(faultVerdict({ ...held, realtime: { ...good, closeLatencyMs: 1500 } }, realtimeSpec).failures.join()).toMatch(/learnt it after 1500 ms \(target <= 1000 ms\)/);
    expect(faultVerdict({ ...held, realtime: { ...good, stoppedInstanceClosed: 1 } }, realtimeSpec).failures.join()).toMatch(/1 of 2 clients of the stopped realtime instance never saw their socket close/);
    expect(faultVerdict({ ...held, realtime: { ...good, reconnected: 1 } }, realtimeSpec).failures.join()).toMatch(/1 closed realtime client\(s\) did not reconnect/);
    expect(faultVerdict({ ...held, realtime: { ...good, stoppedInstanceClients: 0, stoppedInstanceClosed: 0 } }, realtimeSpec).failures.join()).toMatch(/no client was connected/);
  });
});

describe("the run's verdict", () => {
  const fault = (over: Partial<FaultResult> = {}): FaultResult => ({ ...held, verdict: { ok: true, failures: [] }, ...over });
  const totals = { requests: 1000, writesCommitted: 40, tasks: 40, lost: 0, duplicated: 0, missingWrites: 0, duplicateWrites: 0, unbalancedAccounts: 0, outboxLeft: 0, realtimeClients: 4, stackTraceSamples: [] };

  it("holds when every fault held and nothing was left over", () => {
    expect(resilienceVerdict({ faults: [fault()], totals })).toEqual({ ok: true, failures: [] });
  });

  it("names each fault's failures, and what no fault owns: the warm-up, balances, the outbox", () => {
    const failed = fault({ name: "redis-restart", lost: 1, verdict: { ok: false, failures: ["1 task lost (transactions never categorised)"] } });
    const verdict = resilienceVerdict({ faults: [failed, fault()], totals: { ...totals, lost: 3, unbalancedAccounts: 1, outboxLeft: 2 } });
    expect(verdict.ok).toBe(false);
    expect(verdict.failures).toEqual([
      "redis-restart: 1 task lost (transactions never categorised)",
      "outside any fault (warm-up): 2 task(s) lost",
      "1 account whose balance differs from the sum of its transactions",
      "2 outbox rows (follow-ups of committed writes) never ran",
    ]);
    expect(resilienceFailures({ verdict } as never)[0]).toBe("resilience: redis-restart: 1 task lost (transactions never categorised)");
    expect(resilienceVerdict({ faults: [], totals }).failures).toEqual(["no fault ran"]);
  });
});
