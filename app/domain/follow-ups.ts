/**
 * What must follow a committed write, outside the database: refresh the tenant's cached reads,
 * tell its connected clients, start background work. A write stores its follow-up in the outbox
 * in the same transaction, so a committed write never loses it (see outbox-relay.ts); running a
 * follow-up twice is harmless (a fresh cache version, an event clients de-duplicate by id, a task
 * name the queue de-duplicates).
 */
import type { RealtimeEvent } from "./events";
import { formatCents } from "./money";
import type { EventPublisher, ReadCache, TaskQueue } from "./ports";
import type { TaskRequest } from "./tasks";

export interface FollowUp {
  readonly userId: string;
  /** Drop the tenant's cached reads. */
  readonly invalidate: boolean;
  readonly events: readonly RealtimeEvent[];
  /** The account's balance after the write, announced as `account.balance_changed` after `events`. */
  readonly balance?: { readonly accountId: string; readonly balanceCents: number };
  readonly tasks: readonly TaskRequest[];
}

/** A follow-up as stored in the outbox. */
export interface PendingFollowUp {
  readonly id: string;
  readonly followUp: FollowUp;
}

/** Runs follow-ups of committed writes. */
export interface FollowUps {
  /**
   * Right after the commit: runs it now ("done"), or, if that cannot happen now, leaves it in the
   * outbox, where it runs within seconds ("deferred"). Never fails: the write is committed.
   */
  afterCommit(pending: PendingFollowUp): Promise<"done" | "deferred">;
}

export interface FollowUpDeps {
  readonly cache: ReadCache;
  readonly events: EventPublisher;
  readonly tasks: TaskQueue;
}

export async function runFollowUp(deps: FollowUpDeps, followUp: FollowUp): Promise<void> {
  const { userId, balance } = followUp;
  const events: RealtimeEvent[] = [...followUp.events];
  if (balance) events.push({ type: "account.balance_changed", account_id: balance.accountId, balance: formatCents(balance.balanceCents) });
  // One connection, commands in order: the invalidation lands before the events that announce it.
  await Promise.all([
    followUp.invalidate ? deps.cache.invalidate(userId) : undefined,
    ...events.map((event) => deps.events.publish(userId, event)),
    ...followUp.tasks.map((task) => deps.tasks.enqueue(task)),
  ]);
}
