/**
 * Runs the outbox (see follow-ups.ts): each follow-up right after its write commits, and, for
 * those that could not run then (Redis away, a failure, the process killed between the commit and
 * the run), a sweep every second over the rows that are due. The inline run leaves a committed
 * row a few seconds before the sweepers consider it (the table's default `next_attempt_at`), so
 * normally exactly one run happens; when two do (a slow inline run), the effects are idempotent.
 *
 * Removing a done row is bookkeeping off the request path: removals are gathered and deleted in
 * one statement per event-loop turn. If a removal is lost, the row is swept and run once more.
 */
import { runFollowUp, type FollowUpDeps, type FollowUps, type PendingFollowUp } from "./follow-ups";
import type { Database } from "./ports";

export interface OutboxRelayOptions {
  /** How often due rows are looked for. @default 1000 */
  readonly sweepIntervalMs?: number;
  /** Rows taken per claim. @default 100 */
  readonly batchSize?: number;
  /** How long a claimed row is left to its claimer before others may take it (doubling per attempt). @default 5 */
  readonly leaseSeconds?: number;
  /** The longest a request waits for its follow-up before answering "deferred". @default 2000 */
  readonly inlineTimeoutMs?: number;
}

export interface OutboxRelayDeps extends FollowUpDeps {
  readonly db: Database;
  /** False while what the follow-ups need (Redis) is known to be down: then nothing is tried. */
  readonly ready: () => boolean;
  readonly onError: (error: unknown, context: { readonly followUpId?: string; readonly phase: "inline" | "sweep" | "remove" }) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`follow-up did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class OutboxRelay implements FollowUps {
  private readonly sweepIntervalMs: number;
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private readonly inlineTimeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private removals: string[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly deps: OutboxRelayDeps,
    options: OutboxRelayOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.leaseSeconds = options.leaseSeconds ?? 5;
    this.inlineTimeoutMs = options.inlineTimeoutMs ?? 2000;
  }

  async afterCommit(pending: PendingFollowUp): Promise<"done" | "deferred"> {
    if (!this.deps.ready()) return "deferred";
    try {
      await withTimeout(runFollowUp(this.deps, pending.followUp), this.inlineTimeoutMs);
    } catch (error) {
      this.deps.onError(error, { followUpId: pending.id, phase: "inline" });
      return "deferred";
    }
    this.remove(pending.id);
    return "done";
  }

  /** Starts sweeping in the background (the timer does not keep the process alive). */
  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Runs what is due now; resolves with how many follow-ups ran. One sweep at a time per process. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepDue().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Stops sweeping, waits for a sweep in progress and deletes what is done. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.flush();
  }

  private async sweepDue(): Promise<number> {
    let ran = 0;
    try {
      while (this.deps.ready()) {
        const due = await this.deps.db.repos.outbox.claimDue(this.batchSize, this.leaseSeconds);
        const results = await Promise.allSettled(due.map((pending) => runFollowUp(this.deps, pending.followUp)));
        const done = due.filter((pending, index) => {
          const result = results[index]!;
          if (result.status === "rejected") this.deps.onError(result.reason, { followUpId: pending.id, phase: "sweep" });
          return result.status === "fulfilled";
        });
        ran += done.length;
        await this.deps.db.repos.outbox.remove(done.map((pending) => pending.id));
        if (due.length < this.batchSize || done.length < due.length) break;
      }
    } catch (error) {
      // PostgreSQL away: the rows stay due, the next sweep tries again.
      this.deps.onError(error, { phase: "sweep" });
    }
    return ran;
  }

  private remove(id: string): void {
    this.removals.push(id);
    if (this.removals.length === 1) setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    await this.flushing;
    const ids = this.removals;
    if (ids.length === 0) return;
    this.removals = [];
    this.flushing = this.deps.db.repos.outbox
      .remove(ids)
      .catch((error: unknown) => this.deps.onError(error, { phase: "remove" }))
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }
}
