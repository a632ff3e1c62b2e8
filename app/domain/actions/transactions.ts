import { checkBudget, type BudgetBreach } from "../budgets";
import { DomainError, notFound } from "../errors";
import type { RealtimeEvent } from "../events";
import { formatCents } from "../money";
import type { Database, EventPublisher, ReadCache, TaskQueue } from "../ports";
import { transactionView, type TransactionView } from "../read-models";
import { categoriseTask } from "../tasks";

export interface CreateTransactionDeps {
  readonly db: Database;
  readonly cache: ReadCache;
  readonly events: EventPublisher;
  readonly tasks: TaskQueue;
}

export interface CreateTransactionCommand {
  readonly userId: string;
  readonly accountId: string;
  readonly amountCents: number;
  readonly description: string;
  readonly occurredAt: Date;
  readonly categoryId: string | null;
  /** From the Idempotency-Key header: a retried request returns the first result and creates nothing. */
  readonly idempotencyKey?: string;
}

export interface CreateTransactionResult {
  readonly transaction: TransactionView;
  /** True when this is the stored answer to an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

interface Recorded {
  readonly transaction: TransactionView;
  readonly balanceCents: number;
  readonly breach?: BudgetBreach;
}

/** What identifies "the same request" for an idempotency key. */
function fingerprint(command: CreateTransactionCommand): string {
  return JSON.stringify([command.accountId, command.amountCents, command.description, command.occurredAt.toISOString(), command.categoryId]);
}

/**
 * Records a transaction: insert, balance update and budget check in one ACID transaction, then
 * (after commit) invalidates the tenant's cached reads, publishes realtime events and asks the
 * worker to categorise it when no category was given.
 */
export async function createTransaction(deps: CreateTransactionDeps, command: CreateTransactionCommand): Promise<CreateTransactionResult> {
  const { userId, idempotencyKey } = command;
  const outcome = await deps.db.transaction(async (repos): Promise<Recorded | { replay: TransactionView }> => {
    if (idempotencyKey) {
      const claim = await repos.idempotency.claim(userId, idempotencyKey, fingerprint(command));
      if (claim.kind === "replay") return { replay: claim.response as TransactionView };
      if (claim.kind === "mismatch") {
        throw new DomainError("unprocessable", "idempotency_key_reused", "this Idempotency-Key was used for a different request", {
          "Idempotency-Key": "was already used with a different body",
        });
      }
    }
    if (command.categoryId && !(await repos.categories.find(userId, command.categoryId))) throw notFound("Category", "category_id");
    // Updating the balance first also locks the account row, so concurrent writes to one account serialise.
    const account = await repos.accounts.addToBalance(userId, command.accountId, command.amountCents);
    if (!account) throw notFound("Account", "account_id");
    const inserted = await repos.transactions.insert(command);
    const transaction = transactionView(inserted);
    const breach = command.categoryId ? await checkBudget(repos, userId, command.categoryId, command.occurredAt) : undefined;
    if (idempotencyKey) await repos.idempotency.complete(userId, idempotencyKey, transaction);
    return { transaction, balanceCents: account.balanceCents, breach };
  });

  if ("replay" in outcome) {
    // The first attempt may have died between commit and its follow-ups: redo the idempotent ones.
    await deps.cache.invalidate(userId);
    if (!outcome.replay.category_id) await deps.tasks.enqueue(categoriseTask(userId, outcome.replay.id));
    return { transaction: outcome.replay, replayed: true };
  }

  const { transaction, balanceCents, breach } = outcome;
  const events: RealtimeEvent[] = [
    { type: "transaction.created", transaction },
    { type: "account.balance_changed", account_id: transaction.account_id, balance: formatCents(balanceCents) },
  ];
  if (breach) events.push(breach.event);
  await Promise.all([
    deps.cache.invalidate(userId),
    ...events.map((event) => deps.events.publish(userId, event)),
    transaction.category_id ? undefined : deps.tasks.enqueue(categoriseTask(userId, transaction.id)),
    breach ? deps.tasks.enqueue(breach.notification) : undefined,
  ]);
  return { transaction, replayed: false };
}
