/**
 * The resilience scenario, wherever it runs: a steady mixed load, WebSocket clients and health
 * probes, then each fault in turn (one at a time; a batch of tasks draining when the worker or the
 * dispatcher goes), a quiet period after each until the load holds the SLO again, and at the end
 * the audit of everything that must not have been lost. The target (run-local.ts: processes and
 * throwaway servers on this machine; run-cloud.ts: gcloud against a deployed environment) knows
 * how to do each fault and how to read what is left.
 */
import type { ExperimentContext } from "../experiment/context";
import type { LoadUser } from "../requests";
import type { Audit, AuditSnapshot } from "./audit";
import type { RetryingClient } from "./client";
import { MID_DRAIN_SHARE, RECOVERY_TARGET_SECONDS, faultSpec, type FaultName, type FaultSpec, type ResilienceSettings } from "./faults";
import { keyPrefix, Recorder, SteadyLoad, type WriteRecord } from "./load";
import { assemble, type FaultRun } from "./measure";
import { HealthProbes } from "./probes";
import { connectClients, RealtimeClient } from "./realtime-clients";
import type { ResilienceResult } from "./types";
import { secondHolds } from "./verdict";

/** What a fault did, in seconds since the load started. */
export interface Injected {
  readonly injectedAt: number;
  /** The component is down from here... */
  readonly downFrom: number;
  /** ...to here (started again, replaced, failed over). */
  readonly backAt: number;
  readonly detail: string;
  /** A dependency's outage as seen from outside (it refused a fresh connection's commands). */
  readonly observedDown?: { readonly from: number; readonly to: number };
}

/** Holds and releases task delivery of the categorisation queues. */
export interface Gate {
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export interface ResilienceTarget {
  readonly environment: string;
  readonly faults: readonly FaultName[];
  readonly baseUrl: string;
  /** One WebSocket URL per realtime instance (a deployed environment has one: the load balancer's). */
  readonly realtimeUrls: readonly string[];
  /** Base URLs whose /readyz and /healthz are probed, by name. */
  readonly probeTargets: Readonly<Record<string, string>>;
  /** Where PostgreSQL and Redis come from, for the report. */
  readonly dataServices: string;
  readonly api: RetryingClient;
  registerUsers(count: number): Promise<LoadUser[]>;
  gate(): Gate;
  /** How many of these transactions (a drain batch, owned by the drain users) are categorised. */
  categorised(ids: readonly string[], drainUsers: readonly LoadUser[]): Promise<number>;
  inject(spec: FaultSpec, settings: ResilienceSettings, now: () => number): Promise<Injected>;
  /** The clients a realtime fault cuts off (by index), at the moment it strikes. */
  stoppedClients(clients: readonly RealtimeClient[]): number[];
  audit(users: readonly LoadUser[], keyPrefix: string): Audit;
  /** Starts counting categorisations announced as new; resolves to the counter's lookup. */
  countEffects(users: readonly LoadUser[], recorder: Recorder): Promise<{ duplicatesOf: (id: string) => number; close: () => void }>;
}

/** Users that own the drain batches (publishers of nothing else). */
export const DRAIN_USERS = 4;
/** Concurrent requests publishing a drain batch. */
const DRAIN_CONCURRENCY = 32;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the load has been within the SLO for `quietSeconds` whole seconds after `backAt` (or gives up). */
export async function quietPeriod(recorder: Recorder, backAt: number, settings: ResilienceSettings): Promise<void> {
  const giveUpAt = backAt + RECOVERY_TARGET_SECONDS + settings.quietSeconds + 2;
  for (;;) {
    await sleep(250);
    const now = recorder.now();
    const complete = recorder.seconds.filter((s) => s.t + 1 <= now && s.t + 1 > backAt);
    let held = 0;
    for (let i = complete.length - 1; i >= 0 && secondHolds(complete[i]!); i--) held++;
    if (held >= settings.quietSeconds || now >= giveUpAt) return;
  }
}

export async function runResilience(ctx: ExperimentContext, target: ResilienceTarget, settings: ResilienceSettings, runTag: string): Promise<ResilienceResult> {
  const { api } = target;
  ctx.log(`resilience: registering ${settings.users + DRAIN_USERS} users through the API`);
  const users = await target.registerUsers(settings.users + DRAIN_USERS);
  const loadUsers = users.slice(0, settings.users);
  const drainUsers = users.slice(settings.users);
  const recorder = new Recorder(performance.now());
  const effects = await target.countEffects(users, recorder);
  const clients = await connectClients(target.realtimeUrls, settings.clientsPerRealtime, loadUsers, api, recorder);
  const probes = new HealthProbes(target.probeTargets, () => recorder.now());
  let phase = -1;
  const load = new SteadyLoad({ client: api, recorder, users: loadUsers, drainUsers, readRps: settings.readRps, writeRps: settings.writeRps, runTag, phase: () => phase });
  const audit = target.audit(users, keyPrefix(runTag));
  const runs: Array<Omit<FaultRun, "phaseTo"> & { phaseTo?: number }> = [];
  const drainWatchers: Promise<void>[] = [];
  let stopping = false;
  try {
    probes.start();
    load.start();
    ctx.log(`resilience: ${settings.readRps} reads/s and ${settings.writeRps} writes/s from ${settings.users} users, ${clients.length} WebSocket clients; ${settings.warmupSeconds} s warm-up, then ${target.faults.length} faults`);
    await sleep(settings.warmupSeconds * 1000);

    for (const [index, name] of target.faults.entries()) {
      const spec = faultSpec(name, settings);
      phase = index;
      const phaseFrom = recorder.now();
      if (index > 0) runs[index - 1]!.phaseTo = phaseFrom;
      ctx.log(`resilience: fault ${index + 1}/${target.faults.length}: ${name} (${spec.action})`);
      let drain: { ids: string[]; categorisedAtInjection: number; drainedAt: number | null } | undefined;
      if (spec.midDrain) {
        // A batch published while delivery is held, released, and struck once a fifth of it is done.
        const gate = target.gate();
        try {
          await gate.pause();
          const batch: WriteRecord[] = [];
          let next = 0;
          await Promise.all(
            Array.from({ length: DRAIN_CONCURRENCY }, async () => {
              for (let i = next++; i < settings.drainTasks; i = next++) batch.push(await load.write(i % drainUsers.length, true, (a) => recorder.otherAttempt(a)));
            }),
          );
          await gate.resume();
          const ids = batch.flatMap((w) => (w.id ? [w.id] : []));
          const deadline = Date.now() + 20_000;
          let done = 0;
          while ((done = await target.categorised(ids, drainUsers)) < ids.length * MID_DRAIN_SHARE && Date.now() < deadline) await sleep(10);
          drain = { ids, categorisedAtInjection: done, drainedAt: null };
        } finally {
          await gate.close();
        }
      }
      const stoppedClients = spec.realtimeInstance ? target.stoppedClients(clients) : undefined;
      // While a dependency is down, the probes look closely (a fast restart lasts a few hundred ms).
      if (spec.dependency) probes.intervalMs = 10;
      const injected = await target.inject(spec, settings, () => recorder.now());
      probes.intervalMs = 150;
      if (drain) {
        const watched = drain;
        drainWatchers.push(
          (async () => {
            while (!stopping) {
              if ((await target.categorised(watched.ids, drainUsers).catch(() => 0)) >= watched.ids.length) {
                watched.drainedAt = recorder.now();
                return;
              }
              await sleep(250);
            }
          })(),
        );
      }
      ctx.log(`resilience: ${name}: struck at ${injected.injectedAt.toFixed(1)} s, back at ${injected.backAt.toFixed(1)} s; ${injected.detail}`);
      runs.push({
        spec,
        phaseFrom,
        injectedAt: injected.injectedAt,
        downFrom: injected.downFrom,
        backAt: injected.backAt,
        detail: injected.detail,
        ...(injected.observedDown ? { observedDown: injected.observedDown } : {}),
        ...(stoppedClients ? { stoppedClients } : {}),
        ...(drain ? { drain } : {}),
      });
      await quietPeriod(recorder, injected.backAt, settings);
    }

    await load.stop();
    const loadEnded = recorder.now();
    if (runs.length > 0) runs.at(-1)!.phaseTo = loadEnded;
    // Settle: every task applied and every outbox row run, or the timeout (what is left then is lost).
    ctx.log("resilience: load stopped; waiting for every task and follow-up to finish");
    let snapshot: AuditSnapshot = await audit.snapshot();
    const settleBy = Date.now() + settings.settleTimeoutSeconds * 1000;
    while ((snapshot.rows.some((r) => !r.categorised) || snapshot.outboxLeft > 0) && Date.now() < settleBy) {
      await sleep(500);
      snapshot = await audit.snapshot();
    }
    await sleep(1_500); // the last events cross the backplane
    stopping = true;
    await Promise.all(drainWatchers);
    for (const client of clients) client.close();
    await probes.stop();
    snapshot = await audit.snapshot();

    const result = assemble({
      environment: target.environment,
      settings,
      dataServices: target.dataServices,
      startedAtMs: Date.now() - recorder.now() * 1000,
      durationSeconds: recorder.now(),
      seconds: recorder.seconds,
      writes: load.writes,
      clients,
      probes: probes.samples,
      snapshot,
      duplicatesOf: effects.duplicatesOf,
      faults: runs.map((r) => ({ ...r, phaseTo: r.phaseTo ?? loadEnded })),
      stackTraceSamples: recorder.stackTraceSamples,
    });
    for (const f of result.faults) {
      ctx.log(`resilience: ${f.name}: ${f.verdict.ok ? "held" : `FAILED (${f.verdict.failures.join("; ")})`}; errors ${(f.errorRate * 100).toFixed(2)} % in ${f.windowSeconds.toFixed(1)} s, recovery ${f.recoverySeconds === null ? "none" : `${f.recoverySeconds.toFixed(1)} s`}, lost ${f.lost}, duplicated ${f.duplicated}, missing writes ${f.missingWrites}, duplicate writes ${f.duplicateWrites}`);
    }
    return result;
  } finally {
    stopping = true;
    await load.stop().catch(() => undefined);
    for (const client of clients) client.close();
    await probes.stop().catch(() => undefined);
    await audit.close().catch(() => undefined);
    effects.close();
  }
}
