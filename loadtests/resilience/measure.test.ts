import { describe, expect, it } from "vitest";
import type { AuditSnapshot } from "./audit";
import { keyOf } from "./audit";
import { faultSpec } from "./faults";
import type { WriteRecord } from "./load";
import { resilienceWrite } from "./load";
import { assemble, auditWrites, realtimeStats, type ClientRecord } from "./measure";
import type { Gap } from "./realtime-clients";
import { PROFILES } from "../scenarios";

const write = (seq: number, over: Partial<WriteRecord> = {}): WriteRecord => ({ seq, key: `rz-t-${seq}`, userIndex: 0, phase: 0, sentAt: 10 + seq, status: 201, id: `tx-${seq}`, attempts: 1, drain: false, ...over });
const row = (seq: number, categorised = true, id = `tx-${seq}`) => ({ id, key: `rz-t-${seq}`, categorised });

describe("the audit of a phase's writes", () => {
  it("finds the key a write's description carries", () => {
    const spec = resilienceWrite({ token: "t", accountIds: ["a"] }, "rz-abc-12", 12, new Date(0));
    expect(keyOf(JSON.parse(spec.body!).description)).toBe("rz-abc-12");
    expect(spec.headers["idempotency-key"]).toBe("rz-abc-12");
  });

  it("counts committed writes missing, extra rows per key, tasks never applied and tasks applied twice", () => {
    const writes = [write(1), write(2), write(3), write(4, { status: 503, id: undefined }), write(5)];
    const snapshot: AuditSnapshot = {
      rows: [row(1), row(2, false), row(3), row(3, true, "tx-3b"), row(4)], // 5: answered 201 but missing; 3: two rows; 2: never categorised
      unbalancedAccounts: 0,
      outboxLeft: 0,
    };
    const audit = auditWrites(writes, snapshot, (id) => (id === "tx-1" ? 1 : 0));
    expect(audit).toEqual({ writesCommitted: 4, tasks: 5, lost: 1, duplicated: 1, missingWrites: 1, duplicateWrites: 1 });
  });

  it("counts a write the client gave up on, but that committed, as a task (its row exists), not as missing", () => {
    const audit = auditWrites([write(1, { status: null, id: undefined })], { rows: [row(1)], unbalancedAccounts: 0, outboxLeft: 0 }, () => 0);
    expect(audit).toMatchObject({ writesCommitted: 0, tasks: 1, missingWrites: 0, lost: 0 });
  });
});

describe("what realtime clients saw", () => {
  const client = (over: Partial<ClientRecord> = {}): ClientRecord => ({ userIndex: 0, received: new Map(), caughtUp: new Set(), gaps: [], ...over });
  const gap = (closedAt: number, readyAt?: number): Gap => ({ closedAt, code: 1006, instance: 1, ...(readyAt !== undefined ? { readyAt } : {}) });

  it("counts an event missed on a socket that stayed open as missed while connected", () => {
    const writes = [write(1), write(2)];
    const stats = realtimeStats([client({ received: new Map([["tx-1", 12]]) })], writes, { from: 0, to: 100 });
    expect(stats).toMatchObject({ eventsExpected: 2, eventsMissed: 1, caughtUp: 0, unrecovered: 1, missedWhileConnected: 1, reconnected: 0 });
  });

  it("counts an event missed during a gap and found by the catch-up as recovered", () => {
    const writes = [write(1), write(2)];
    const stats = realtimeStats([client({ received: new Map([["tx-1", 12]]), caughtUp: new Set(["tx-2"]), gaps: [gap(11.5, 12)] })], writes, { from: 0, to: 100 });
    expect(stats).toMatchObject({ eventsMissed: 1, caughtUp: 1, unrecovered: 0, missedWhileConnected: 0, reconnected: 1 });
  });

  it("only counts the writes of the client's own user, committed (201), from the steady load", () => {
    const writes = [write(1, { userIndex: 1 }), write(2, { status: 503, id: undefined }), write(3, { drain: true })];
    expect(realtimeStats([client()], writes, { from: 0, to: 100 }).eventsExpected).toBe(0);
  });

  it("times how fast the clients of a stopped instance saw their socket close", () => {
    const clients = [client({ gaps: [gap(20.012, 20.5)] }), client({ gaps: [gap(20.03, 20.6)] }), client()];
    const stats = realtimeStats(clients, [], { from: 19, to: 40 }, { injectedAt: 20, stoppedClients: [0, 1] });
    expect(stats.stoppedInstanceClients).toBe(2);
    expect(stats.stoppedInstanceClosed).toBe(2);
    expect(stats.closeLatencyMs).toBeCloseTo(30, 5);
    expect(stats.reconnected).toBe(2);
  });
});

describe("assembling the result", () => {
  it("attributes writes to their fault's phase and judges each fault", () => {
    const settings = PROFILES.smoke.resilience;
    const seconds = Array.from({ length: 30 }, (_, t) => ({ t, requests: 50, ok: t === 12 ? 10 : 50, errors: t === 12 ? 40 : 0, serverErrors: t === 12 ? 40 : 0, unavailable: t === 12 ? 40 : 0, resets: 0, transportErrors: 0, failedAfterRetries: 0, stackTraces: 0, latencies: Array(50).fill(4) }));
    const result = assemble({
      environment: "local",
      settings,
      dataServices: "test",
      startedAtMs: 0,
      durationSeconds: 30,
      seconds,
      writes: [write(1, { phase: -1 }), write(2, { phase: 0 }), write(3, { phase: 1, status: 201 })],
      clients: [],
      probes: [],
      snapshot: { rows: [row(1), row(2)], unbalancedAccounts: 0, outboxLeft: 0 },
      duplicatesOf: () => 0,
      faults: [
        { spec: faultSpec("redis-restart", settings), phaseFrom: 10, phaseTo: 20, injectedAt: 12, downFrom: 12, backAt: 12.5, detail: "redis" },
        { spec: faultSpec("api-kill", settings), phaseFrom: 20, phaseTo: 30, injectedAt: 21, downFrom: 21, backAt: 21.4, detail: "api" },
      ],
      stackTraceSamples: [],
    });
    const [redis, api] = result.faults;
    expect(redis).toMatchObject({ name: "redis-restart", recoveredAt: 13, writesCommitted: 1, missingWrites: 0, errors: 40, serverErrors: 40 });
    expect(redis!.recoverySeconds).toBeCloseTo(0.5, 5);
    expect(redis!.readiness).toEqual({ probesWhileDown: 0, readyWhileDown: 0, livenessFailures: 0 });
    expect(api).toMatchObject({ name: "api-kill", missingWrites: 1 });
    expect(api!.verdict.failures).toEqual(["1 committed write (answered 201) missing from PostgreSQL"]);
    expect(result.totals).toMatchObject({ writesCommitted: 3, missingWrites: 1, requests: 1500 });
    expect(result.verdict.failures).toEqual(["api-kill: 1 committed write (answered 201) missing from PostgreSQL"]);
  });
});
