/** What the resilience scenario writes to `summary.json` under `resilience`. */
import type { Component, FaultName, ResilienceSettings } from "./faults";

/** One second of the run's steady load (every attempt, retries included). */
export interface ResilienceSecond {
  /** Seconds since the load started: this is [t, t + 1). */
  readonly t: number;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly serverErrors: number;
  readonly resets: number;
  /** P95 latency of the attempts that ended in this second, ms. */
  readonly p95: number;
  /** Within the SLO (P95 <= 300 ms, errors < 0.5 %). */
  readonly held: boolean;
}

export interface RealtimeFaultStats {
  /** Clients connected when the fault struck. */
  readonly clients: number;
  /** Clients whose socket closed during the fault's phase, and reconnected. */
  readonly reconnected: number;
  /** Events (one per committed write of a client's user) the clients should have seen in this phase. */
  readonly eventsExpected: number;
  /** Of those, not received over the WebSocket. */
  readonly eventsMissed: number;
  /** Missed events whose transactions the clients found through the API after reconnecting. */
  readonly caughtUp: number;
  /** Missed and never found: the client shows a stale view. Must be 0. */
  readonly unrecovered: number;
  /** Events missed by clients whose socket stayed open (they had no reason to catch up). Must be 0. */
  readonly missedWhileConnected: number;
  /** A stopped realtime instance: the longest time its clients took to see their socket close, ms. */
  readonly closeLatencyMs?: number;
  /** A stopped realtime instance: its clients, and how many of them saw the close. */
  readonly stoppedInstanceClients?: number;
  readonly stoppedInstanceClosed?: number;
}

export interface ReadinessStats {
  /** Probes of /readyz (api, worker, realtime) that fell while the dependency was down. */
  readonly probesWhileDown: number;
  /** Of those, how many answered 200 (ready) although the dependency was down. Must be 0. */
  readonly readyWhileDown: number;
  /** /healthz answers other than 200 during the fault's phase. Must be 0. */
  readonly livenessFailures: number;
}

export interface FaultVerdict {
  readonly ok: boolean;
  /** Each promise broken, for people. */
  readonly failures: readonly string[];
}

/** What must never happen, counted over a set of writes and their tasks: each must be 0. */
export interface LossCounts {
  /** Writes answered 201 (in the fault's phase, or over the run). */
  readonly writesCommitted: number;
  /** Tasks (uncategorised transactions) those writes created. */
  readonly tasks: number;
  /** Tasks never applied (transactions still uncategorised at the end). Must be 0. */
  readonly lost: number;
  /** Task effects applied more than once (categorisations announced twice as new). Must be 0. */
  readonly duplicated: number;
  /** Writes answered 201 whose row is missing from PostgreSQL afterwards. Must be 0. */
  readonly missingWrites: number;
  /** Extra rows for an Idempotency-Key that was retried. Must be 0. */
  readonly duplicateWrites: number;
}

/** What identifies a resilience run: where, with what settings and data services, when and how long. */
export interface ResilienceRun {
  readonly environment: string;
  readonly settings: ResilienceSettings;
  /** Where PostgreSQL and Redis came from (always the experiment's own when it stops them). */
  readonly dataServices: string;
  /** The steady load's start (epoch ms). */
  readonly startedAtMs: number;
  readonly durationSeconds: number;
}

export interface FaultResult extends LossCounts {
  readonly name: FaultName;
  readonly component: Component;
  readonly action: string;
  readonly promise: string;
  /** Seconds since the load started. */
  readonly injectedAt: number;
  /** The component answers again (restarted and ready, or replaced). */
  readonly backAt: number;
  /** The start of the first second within the SLO once the component was back (null: none before the next fault). */
  readonly recoveredAt: number | null;
  /** recoveredAt - backAt, at least 0 (0: the second it came back in already held). */
  readonly recoverySeconds: number | null;
  /** The fault's window: from injection to recovery (or the end of its phase). */
  readonly windowSeconds: number;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests over the window (every attempt, retries included). */
  readonly errorRate: number;
  readonly serverErrors: number;
  /** 503s (a dependency down, answered fast with Retry-After). */
  readonly unavailable: number;
  /** Connections dropped with a request on them. */
  readonly connectionResets: number;
  /** Requests that failed even after the client's retries. */
  readonly failedAfterRetries: number;
  /** 5xx bodies with a stack trace. Must be 0. */
  readonly stackTraces: number;
  readonly realtime: RealtimeFaultStats;
  readonly readiness?: ReadinessStats;
  /** Mid-drain faults: the batch, how much of it was done when the fault struck, and when it was all done. */
  readonly drain?: { readonly tasks: number; readonly categorisedAtInjection: number; readonly drainedAt: number | null };
  /** What the injector saw (pids, instances, commands). */
  readonly detail: string;
  readonly verdict: FaultVerdict;
}

export interface ResilienceResult extends ResilienceRun {
  readonly timeline: readonly ResilienceSecond[];
  readonly faults: readonly FaultResult[];
  /** Over the whole run, warm-up and final settle included. */
  readonly totals: LossCounts & {
    readonly requests: number;
    /** Accounts whose stored balance differs from the sum of their transactions. Must be 0. */
    readonly unbalancedAccounts: number;
    /** Outbox rows left when the run ended (follow-ups that never ran). */
    readonly outboxLeft: number;
    readonly realtimeClients: number;
    readonly stackTraceSamples: readonly string[];
  };
  readonly verdict: FaultVerdict;
}
