/**
 * The steady mixed load the faults strike: reads and writes at fixed rates (open model: requests
 * start on schedule whatever the answers do), every request retried as a real client retries
 * (client.ts), every write with its own Idempotency-Key that it keeps across retries.
 *
 * What it records:
 * - per second, every attempt (not only each request's last): answered, 5xx, 503, connection
 *   resets, other network errors, latency (P95), requests that failed even after retrying, and
 *   5xx bodies carrying a stack trace;
 * - every write: its key, when it was sent (and so in which phase of the run), the answer it
 *   finally got and the transaction id of a 201, for the audit against PostgreSQL afterwards.
 *
 * A write's description carries its idempotency key (`<merchant> <key>`): the audit then counts
 * rows per key straight from the database, independent of the app's own idempotency records.
 */
import { MERCHANT_DESCRIPTIONS, type LoadUser } from "../requests";
import { hasStackTrace, isConnectionReset, RetryingClient, type Attempt, type RequestSpec } from "./client";

/** One second of the run, for the timeline and the per-fault figures. */
export interface SecondStats {
  /** Seconds since the load started (this second is [t, t + 1)). */
  readonly t: number;
  /** Attempts that ended in this second. */
  requests: number;
  /** 2xx answers. */
  ok: number;
  /** Anything else: 4xx, 5xx and network errors. */
  errors: number;
  /** 5xx answers (503 included). */
  serverErrors: number;
  /** 503 answers (a dependency down, a server draining). */
  unavailable: number;
  /** Connections dropped with a request on them (ECONNRESET, "other side closed"). */
  resets: number;
  /** Other network errors: refused connections, timeouts. */
  transportErrors: number;
  /** Requests (not attempts) that failed even after the client's retries, by when they gave up. */
  failedAfterRetries: number;
  /** 5xx answers whose body held a stack trace. */
  stackTraces: number;
  readonly latencies: number[];
}

export interface WriteRecord {
  readonly seq: number;
  readonly key: string;
  /** Index in the steady load's users, or in the drain users for a drain batch's write. */
  readonly userIndex: number;
  /** The run's phase when it was sent (-1 warm-up, i: fault i). */
  readonly phase: number;
  /** Seconds since the load started. */
  readonly sentAt: number;
  /** The final answer (null: none after every retry). */
  status: number | null;
  /** The transaction id of a 201. */
  id?: string;
  attempts: number;
  /** Also sent as part of a drain batch (not the steady load). */
  readonly drain: boolean;
}

/** Per-second bookkeeping shared by everything that sends requests during the run. */
export class Recorder {
  readonly seconds: SecondStats[] = [];
  /** 5xx bodies with stack traces from any request of the run (drain batches and catch-ups too). */
  stackTraceSamples: string[] = [];
  constructor(readonly startedAt: number) {}

  /** Seconds since the load started. */
  now(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  private second(at: number): SecondStats {
    const t = Math.max(0, Math.floor((at - this.startedAt) / 1000));
    while (this.seconds.length <= t) {
      this.seconds.push({ t: this.seconds.length, requests: 0, ok: 0, errors: 0, serverErrors: 0, unavailable: 0, resets: 0, transportErrors: 0, failedAfterRetries: 0, stackTraces: 0, latencies: [] });
    }
    return this.seconds[t]!;
  }

  /** An attempt of the steady load (counted in the timeline and the SLO per second). */
  loadAttempt(attempt: Attempt): void {
    const s = this.second(attempt.endedAt);
    s.requests++;
    s.latencies.push(attempt.endedAt - attempt.startedAt);
    if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) s.ok++;
    else s.errors++;
    if (attempt.status === null) {
      if (isConnectionReset(attempt.errorCode)) s.resets++;
      else s.transportErrors++;
    }
    if (attempt.status !== null && attempt.status >= 500) s.serverErrors++;
    if (attempt.status === 503) s.unavailable++;
    this.checkBody(attempt, s);
  }

  /** An attempt of anything else (drain publishing, catch-up reads): only its 5xx bodies are checked. */
  otherAttempt(attempt: Attempt): void {
    this.checkBody(attempt, this.second(attempt.endedAt));
  }

  requestFailed(at: number): void {
    this.second(at).failedAfterRetries++;
  }

  private checkBody(attempt: Attempt, s: SecondStats): void {
    if (attempt.errorBody !== undefined && hasStackTrace(attempt.errorBody)) {
      s.stackTraces++;
      if (this.stackTraceSamples.length < 5) this.stackTraceSamples.push(attempt.errorBody.slice(0, 2000));
    }
  }
}

/** The write a load user sends: an uncategorised transaction (so a categorisation task follows) tagged with its key. */
export function resilienceWrite(user: LoadUser, key: string, seq: number, occurredAt: Date): RequestSpec {
  const cents = 150 + ((seq * 7919) % 12_000);
  return {
    method: "POST",
    path: "/api/transactions",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}`, "idempotency-key": key },
    body: JSON.stringify({
      account_id: user.accountIds[0],
      amount: `-${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
      description: `${MERCHANT_DESCRIPTIONS[seq % MERCHANT_DESCRIPTIONS.length]} ${key}`,
      occurred_at: occurredAt.toISOString(),
    }),
  };
}

/** A read of the steady load: four transaction pages to one account list. */
export function resilienceRead(user: LoadUser, seq: number): RequestSpec {
  const headers = { authorization: `Bearer ${user.token}` };
  return seq % 5 === 4
    ? { method: "GET", path: "/api/accounts", headers }
    : { method: "GET", path: `/api/transactions?account_id=${user.accountIds[0]}&per_page=20${seq % 2 ? "&page=2" : ""}`, headers };
}

/** Idempotency keys of this run: `rz-<run>-<seq>`; the audit finds the run's rows by the prefix. */
export const keyPrefix = (runTag: string) => `rz-${runTag}-`;

export interface SteadyLoadOptions {
  readonly client: RetryingClient;
  readonly recorder: Recorder;
  readonly users: readonly LoadUser[];
  /** Users that own the drain batches' transactions (so the WebSocket clients' users only see the steady load). */
  readonly drainUsers: readonly LoadUser[];
  readonly readRps: number;
  readonly writeRps: number;
  readonly runTag: string;
  /** The run's phase right now (-1 warm-up, i: fault i). */
  readonly phase: () => number;
  /** Requests in flight at most (with their retries); an arrival beyond it is counted as failed. */
  readonly maxInFlight?: number;
}

export class SteadyLoad {
  readonly writes: WriteRecord[] = [];
  private timer?: NodeJS.Timeout;
  private reads = 0;
  private writesSent = 0;
  private inFlight = new Set<Promise<void>>();
  private started = 0;
  /** Arrivals dropped because too many requests were still in flight. */
  dropped = 0;
  private writeSeq = 0;

  constructor(private readonly options: SteadyLoadOptions) {}

  /** The next key and sequence number (drain batches draw from the same sequence). */
  nextKey(): { key: string; seq: number } {
    const seq = this.writeSeq++;
    return { key: `${keyPrefix(this.options.runTag)}${seq}`, seq };
  }

  start(): void {
    this.started = performance.now();
    // Arrivals on schedule: every tick sends what is due by now, whatever the answers do.
    this.timer = setInterval(() => this.tick(), 10);
  }

  private tick(): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const { readRps, writeRps, users } = this.options;
    while (this.reads < Math.floor(elapsed * readRps)) {
      const seq = this.reads++;
      this.launch(() => this.read(users[seq % users.length]!, seq));
    }
    while (this.writesSent < Math.floor(elapsed * writeRps)) {
      const n = this.writesSent++;
      this.launch(() => this.write(n % users.length, false));
    }
  }

  private launch(send: () => Promise<unknown>): void {
    if (this.inFlight.size >= (this.options.maxInFlight ?? 4000)) {
      this.dropped++;
      this.options.recorder.requestFailed(performance.now());
      return;
    }
    const running = send().then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private async read(user: LoadUser, seq: number): Promise<void> {
    const { client, recorder } = this.options;
    const outcome = await client.send(resilienceRead(user, seq), (a) => recorder.loadAttempt(a));
    if (outcome.status !== 200) recorder.requestFailed(performance.now());
  }

  /** Sends one write (of the steady load, or of a drain batch) and records what came of it. */
  async write(userIndex: number, drain: boolean, onAttempt?: (attempt: Attempt) => void): Promise<WriteRecord> {
    const { client, recorder } = this.options;
    const users = drain ? this.options.drainUsers : this.options.users;
    const { key, seq } = this.nextKey();
    const record: WriteRecord = { seq, key, userIndex, phase: this.options.phase(), sentAt: recorder.now(), status: null, attempts: 0, drain };
    this.writes.push(record);
    const outcome = await client.send(resilienceWrite(users[userIndex]!, key, seq, new Date()), onAttempt ?? ((a) => recorder.loadAttempt(a)));
    record.status = outcome.status;
    record.attempts = outcome.attempts;
    if (outcome.status === 201) record.id = (JSON.parse(outcome.body) as { id: string }).id;
    else if (!drain) recorder.requestFailed(performance.now());
    return record;
  }

  /** Stops the arrivals and waits for the requests in flight (and their retries) to finish. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }
}
