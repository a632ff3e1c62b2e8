import { checkBudget } from "../budgets";
import { DomainError } from "../errors";
import type { FollowUp, FollowUps } from "../follow-ups";
import type { Database, NewTransaction, OncePerKey, Repositories, TransactionEntry } from "../ports";
import { transactionView, type TransactionView } from "../read-models";
import { categoriseTask } from "../tasks";

export interface CreateTransactionDeps {
  readonly db: Database;
  readonly followUps: FollowUps;
}

export interface CreateTransactionCommand extends NewTransaction {
  /** From the Idempotency-Key header: a retried request returns the first result and creates nothing. */
  readonly idempotencyKey?: string;
}

export interface CreateTransactionResult {
  readonly transaction: TransactionView;
  /** True when this is the stored answer to an earlier request with the same idempotency key. */
  readonly replayed: boolean;
  /**
   * "done" when the cache refresh, events and tasks ran before the answer; "deferred" when they
   * could not (Redis away) and wait in the outbox, to run within seconds. The write is committed
   * either way. A replay reports "done": its follow-up belongs to the first request.
   */
  readonly followUps: "done" | "deferred";
}

type Posted = { kind: "posted"; followUp: FollowUp; followUpId: string } | { kind: "replay"; transaction: TransactionView };

/** What identifies "the same request" for an idempotency key. */
function fingerprint(command: CreateTransactionCommand): string {
  return JSON.stringify([command.accountId, command.amountCents, command.description, command.occurredAt.toISOString(), command.categoryId]);
}

function refuseMismatch(): never {
  throw new DomainError("unprocessable", "idempotency_key_reused", "this Idempotency-Key was used for a different request", {
    "Idempotency-Key": "was already used with a different body",
  });
}

/** Without a category: one statement posts the transaction and stores its follow-up. */
async function postUncategorised(repos: Repositories, entry: TransactionEntry, once: OncePerKey | undefined): Promise<Posted> {
  const transaction = transactionView(entry);
  const followUp = { userId: entry.userId, invalidate: true, events: [{ type: "transaction.created", transaction }] as const, tasks: [categoriseTask(entry.userId, entry.id)] };
  const outcome = await repos.transactions.record(entry, once, followUp);
  if (outcome.kind === "mismatch") refuseMismatch();
  if (outcome.kind === "replay") return { kind: "replay", transaction: outcome.response as TransactionView };
  return {
    kind: "posted",
    followUp: { ...followUp, balance: { accountId: entry.accountId, balanceCents: outcome.balanceCents } },
    followUpId: outcome.followUpId!,
  };
}

/** With a category: the budget check joins the transaction, and so does the follow-up it shapes. */
async function postCategorised(repos: Repositories, entry: TransactionEntry & { categoryId: string }, once: OncePerKey | undefined): Promise<Posted> {
  const outcome = await repos.transactions.record(entry, once);
  if (outcome.kind === "mismatch") refuseMismatch();
  if (outcome.kind === "replay") return { kind: "replay", transaction: outcome.response as TransactionView };
  const breach = await checkBudget(repos, entry.userId, entry.categoryId, entry.occurredAt);
  const followUp: FollowUp = {
    userId: entry.userId,
    invalidate: true,
    events: [{ type: "transaction.created", transaction: transactionView(entry) }, ...(breach ? [breach.event] : [])],
    balance: { accountId: entry.accountId, balanceCents: outcome.balanceCents },
    tasks: breach ? [breach.notification] : [],
  };
  return { kind: "posted", followUp, followUpId: await repos.outbox.add(followUp) };
}

/**
 * Records a transaction: insert, balance update (and, with a category, the budget check) in one
 * ACID transaction, together with its follow-up in the outbox: invalidate the tenant's cached
 * reads, publish realtime events, and ask the worker to categorise it when no category was given.
 * The follow-up runs right after the commit; if it cannot (Redis away, process killed), the
 * outbox runs it shortly. With an Idempotency-Key the key is claimed in the same step, so a retry
 * creates nothing and gets the first response back.
 *
 * Without a category the write is a single atomic statement: no BEGIN/COMMIT round trips needed.
 */
export async function createTransaction(deps: CreateTransactionDeps, command: CreateTransactionCommand): Promise<CreateTransactionResult> {
  const { userId, idempotencyKey, ...fields } = command;
  const entry: TransactionEntry = { ...fields, userId, id: crypto.randomUUID(), createdAt: new Date() };
  const transaction = transactionView(entry);
  const once = idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(command), response: transaction } : undefined;
  const { categoryId } = entry;
  const posted = categoryId
    ? await deps.db.transaction((repos) => postCategorised(repos, { ...entry, categoryId }, once))
    : await postUncategorised(deps.db.repos, entry, once);
  if (posted.kind === "replay") return { transaction: posted.transaction, replayed: true, followUps: "done" };
  const followUps = await deps.followUps.afterCommit({ id: posted.followUpId, followUp: posted.followUp });
  return { transaction, replayed: false, followUps };
}
