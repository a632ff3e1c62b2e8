import { checkBudget, type BudgetBreach } from "../budgets";
import { DomainError } from "../errors";
import type { RealtimeEvent } from "../events";
import { formatCents } from "../money";
import type { Database, EventPublisher, NewTransaction, OncePerKey, ReadCache, Repositories, TaskQueue, TransactionEntry } from "../ports";
import { transactionView, type TransactionView } from "../read-models";
import { categoriseTask } from "../tasks";

export interface CreateTransactionDeps {
  readonly db: Database;
  readonly cache: ReadCache;
  readonly events: EventPublisher;
  readonly tasks: TaskQueue;
}

export interface CreateTransactionCommand extends NewTransaction {
  /** From the Idempotency-Key header: a retried request returns the first result and creates nothing. */
  readonly idempotencyKey?: string;
}

export interface CreateTransactionResult {
  readonly transaction: TransactionView;
  /** True when this is the stored answer to an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

type Posted = { kind: "posted"; balanceCents: number; breach?: BudgetBreach } | { kind: "replay"; transaction: TransactionView };

/** What identifies "the same request" for an idempotency key. */
function fingerprint(command: CreateTransactionCommand): string {
  return JSON.stringify([command.accountId, command.amountCents, command.description, command.occurredAt.toISOString(), command.categoryId]);
}

async function post(repos: Repositories, entry: TransactionEntry, once: OncePerKey | undefined): Promise<Posted> {
  const outcome = await repos.transactions.record(entry, once);
  if (outcome.kind === "mismatch") {
    throw new DomainError("unprocessable", "idempotency_key_reused", "this Idempotency-Key was used for a different request", {
      "Idempotency-Key": "was already used with a different body",
    });
  }
  if (outcome.kind === "replay") return { kind: "replay", transaction: outcome.response as TransactionView };
  const breach = entry.categoryId ? await checkBudget(repos, entry.userId, entry.categoryId, entry.occurredAt) : undefined;
  return { kind: "posted", balanceCents: outcome.balanceCents, breach };
}

/**
 * Records a transaction: insert, balance update (and, with a category, the budget check) in one
 * ACID transaction; then invalidates the tenant's cached reads, publishes realtime events and asks
 * the worker to categorise it when no category was given. With an Idempotency-Key the key is
 * claimed in the same step, so a retry creates nothing and gets the first response back.
 *
 * Without a category the write is a single atomic statement: no BEGIN/COMMIT round trips needed.
 */
export async function createTransaction(deps: CreateTransactionDeps, command: CreateTransactionCommand): Promise<CreateTransactionResult> {
  const { userId, idempotencyKey, ...fields } = command;
  const entry: TransactionEntry = { ...fields, userId, id: crypto.randomUUID(), createdAt: new Date() };
  const transaction = transactionView(entry);
  const once = idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(command), response: transaction } : undefined;
  const posted = entry.categoryId
    ? await deps.db.transaction((repos) => post(repos, entry, once))
    : await post(deps.db.repos, entry, once);

  if (posted.kind === "replay") {
    // The first attempt may have died between its commit and its follow-ups: redo the idempotent ones.
    await deps.cache.invalidate(userId);
    if (!posted.transaction.category_id) await deps.tasks.enqueue(categoriseTask(userId, posted.transaction.id));
    return { transaction: posted.transaction, replayed: true };
  }

  const events: RealtimeEvent[] = [
    { type: "transaction.created", transaction },
    { type: "account.balance_changed", account_id: transaction.account_id, balance: formatCents(posted.balanceCents) },
  ];
  if (posted.breach) events.push(posted.breach.event);
  await Promise.all([
    deps.cache.invalidate(userId),
    ...events.map((event) => deps.events.publish(userId, event)),
    transaction.category_id ? undefined : deps.tasks.enqueue(categoriseTask(userId, transaction.id)),
    posted.breach ? deps.tasks.enqueue(posted.breach.notification) : undefined,
  ]);
  return { transaction, replayed: false };
}
