/**
 * Puts the run's records together into the result per fault: the load's seconds in the fault's
 * window, what the audit found of the writes and tasks of its phase, what its realtime clients
 * saw, and what readiness answered while its dependency was down. Then the verdicts.
 */
import type { AuditSnapshot } from "./audit";
import type { FaultSpec } from "./faults";
import type { SecondStats, WriteRecord } from "./load";
import type { ProbeSample } from "./probes";
import { readinessDuring } from "./probes";
import type { Gap } from "./realtime-clients";
import type { FaultResult, RealtimeFaultStats, ResilienceResult, ResilienceRun } from "./types";
import { faultVerdict, recovery, resilienceVerdict, toTimeline, windowStats, type FaultMeasurements } from "./verdict";

/** One fault as the run performed it (seconds since the load started). */
export interface FaultRun {
  readonly spec: FaultSpec;
  /** The phase starts here (preparing a drain batch, or injecting) and ends at the next phase's start. */
  readonly phaseFrom: number;
  readonly phaseTo: number;
  readonly injectedAt: number;
  readonly downFrom: number;
  readonly backAt: number;
  /** A dependency's outage as seen from outside (refusing a fresh connection's commands), when watched. */
  readonly observedDown?: { readonly from: number; readonly to: number };
  readonly detail: string;
  /** Clients (indices) connected to the realtime instance that was stopped, at that moment. */
  readonly stoppedClients?: readonly number[];
  readonly drain?: { readonly ids: readonly string[]; readonly categorisedAtInjection: number; readonly drainedAt: number | null };
}

/** What a realtime client saw, as the measurement needs it. */
export interface ClientRecord {
  readonly userIndex: number;
  readonly received: ReadonlyMap<string, number>;
  readonly caughtUp: ReadonlySet<string>;
  readonly gaps: readonly Gap[];
}

export interface RunRecords extends ResilienceRun {
  readonly seconds: readonly SecondStats[];
  readonly writes: readonly WriteRecord[];
  readonly clients: readonly ClientRecord[];
  readonly probes: readonly ProbeSample[];
  readonly snapshot: AuditSnapshot;
  /** Applications beyond the first of a transaction's categorisation. */
  readonly duplicatesOf: (transactionId: string) => number;
  readonly faults: readonly FaultRun[];
  readonly stackTraceSamples: readonly string[];
}

interface WriteAudit {
  readonly writesCommitted: number;
  readonly tasks: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly missingWrites: number;
  readonly duplicateWrites: number;
}

/** The audit of a set of writes: what PostgreSQL holds of them, and how often each task applied. */
export function auditWrites(writes: readonly WriteRecord[], snapshot: AuditSnapshot, duplicatesOf: (id: string) => number): WriteAudit {
  const rowsByKey = new Map<string, Array<AuditSnapshot["rows"][number]>>();
  for (const row of snapshot.rows) rowsByKey.set(row.key, [...(rowsByKey.get(row.key) ?? []), row]);
  const ids = new Set(snapshot.rows.map((r) => r.id));
  let tasks = 0;
  let lost = 0;
  let duplicated = 0;
  let duplicateWrites = 0;
  for (const write of writes) {
    const rows = rowsByKey.get(write.key) ?? [];
    tasks += rows.length;
    lost += rows.filter((r) => !r.categorised).length;
    duplicated += rows.reduce((sum, r) => sum + duplicatesOf(r.id), 0);
    duplicateWrites += Math.max(0, rows.length - 1);
  }
  const committed = writes.filter((w) => w.status === 201);
  return {
    writesCommitted: committed.length,
    tasks,
    lost,
    duplicated,
    missingWrites: committed.filter((w) => !w.id || !ids.has(w.id)).length,
    duplicateWrites,
  };
}

/** What the realtime clients saw of the writes of a phase. */
export function realtimeStats(clients: readonly ClientRecord[], writes: readonly WriteRecord[], phase: { from: number; to: number }, run?: Pick<FaultRun, "injectedAt" | "stoppedClients">): RealtimeFaultStats {
  let eventsExpected = 0;
  let eventsMissed = 0;
  let caughtUp = 0;
  let missedWhileConnected = 0;
  for (const client of clients) {
    for (const write of writes) {
      if (write.drain || write.userIndex !== client.userIndex || write.status !== 201 || !write.id) continue;
      eventsExpected++;
      if (client.received.has(write.id)) continue;
      eventsMissed++;
      if (client.caughtUp.has(write.id)) caughtUp++;
      // A client whose socket never closed after the write was sent had no reason to catch up.
      else if (!client.gaps.some((g) => g.closedAt >= write.sentAt - 1)) missedWhileConnected++;
    }
  }
  const inPhase = (g: Gap) => g.closedAt >= phase.from && g.closedAt < phase.to;
  const stats: RealtimeFaultStats = {
    clients: clients.length,
    reconnected: clients.filter((c) => c.gaps.some((g) => inPhase(g) && g.readyAt !== undefined)).length,
    eventsExpected,
    eventsMissed,
    caughtUp,
    unrecovered: eventsMissed - caughtUp,
    missedWhileConnected,
  };
  if (!run?.stoppedClients) return stats;
  const closes = run.stoppedClients.map((i) => clients[i]!.gaps.find((g) => g.closedAt >= run.injectedAt && g.closedAt < phase.to));
  const closed = closes.filter((g): g is Gap => g !== undefined);
  return {
    ...stats,
    stoppedInstanceClients: run.stoppedClients.length,
    stoppedInstanceClosed: closed.length,
    ...(closed.length > 0 ? { closeLatencyMs: Math.max(...closed.map((g) => (g.closedAt - run.injectedAt) * 1000)) } : {}),
  };
}

export function assemble(records: RunRecords): ResilienceResult {
  const timeline = toTimeline(records.seconds);
  const faults: FaultResult[] = records.faults.map((run, index) => {
    const phaseWrites = records.writes.filter((w) => w.phase === index);
    const { recoveredAt, recoverySeconds } = recovery(timeline, run.backAt, run.phaseTo);
    const windowEnd = Math.max(run.backAt, recoveredAt ?? run.phaseTo);
    const window = windowStats(records.seconds, run.injectedAt, windowEnd);
    const measured: FaultMeasurements = {
      name: run.spec.name,
      component: run.spec.component,
      action: run.spec.action,
      promise: run.spec.promise,
      injectedAt: run.injectedAt,
      backAt: run.backAt,
      recoveredAt,
      recoverySeconds,
      windowSeconds: windowEnd - run.injectedAt,
      ...window,
      ...auditWrites(phaseWrites, records.snapshot, records.duplicatesOf),
      realtime: realtimeStats(records.clients, phaseWrites, { from: run.phaseFrom, to: run.phaseTo }, run.spec.realtimeInstance ? run : undefined),
      ...(run.spec.dependency ? { readiness: readinessDuring(records.probes, run.observedDown?.from ?? run.downFrom, run.observedDown?.to ?? run.backAt, { from: run.phaseFrom, to: run.phaseTo }) } : {}),
      ...(run.drain ? { drain: { tasks: run.drain.ids.length, categorisedAtInjection: run.drain.categorisedAtInjection, drainedAt: run.drain.drainedAt } } : {}),
      detail: run.detail,
    };
    return { ...measured, verdict: faultVerdict(measured, run.spec) };
  });
  const all = auditWrites(records.writes, records.snapshot, records.duplicatesOf);
  const totals: ResilienceResult["totals"] = {
    requests: records.seconds.reduce((sum, s) => sum + s.requests, 0),
    ...all,
    unbalancedAccounts: records.snapshot.unbalancedAccounts,
    outboxLeft: records.snapshot.outboxLeft,
    realtimeClients: records.clients.length,
    stackTraceSamples: records.stackTraceSamples,
  };
  return {
    environment: records.environment,
    settings: records.settings,
    dataServices: records.dataServices,
    startedAtMs: records.startedAtMs,
    durationSeconds: records.durationSeconds,
    timeline,
    faults,
    totals,
    verdict: resilienceVerdict({ faults, totals }),
  };
}
