import { checkBudget, type BudgetBreach } from "../budgets";
import { DomainError } from "../errors";
import type { RealtimeEvent } from "../events";
import { formatCents } from "../money";
import type { Database, EventPublisher, IdempotencyClaim, ReadCache, Repositories, TaskQueue } from "../ports";
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

/** Aborts (rolls back) an attempt whose idempotency key turned out to be taken. */
class KeyTaken extends Error {
  constructor(readonly claim: Exclude<IdempotencyClaim, { kind: "new" }>) {
    super("idempotency key already used");
  }
}

/** What identifies "the same request" for an idempotency key. */
function fingerprint(command: CreateTransactionCommand): string {
  return JSON.stringify([command.accountId, command.amountCents, command.description, command.occurredAt.toISOString(), command.categoryId]);
}

async function record(repos: Repositories, command: CreateTransactionCommand): Promise<Recorded> {
  const { userId, idempotencyKey } = command;
  const posted = await repos.transactions.record(command);
  const transaction = transactionView(posted.transaction);
  const breach = command.categoryId ? await checkBudget(repos, userId, command.categoryId, command.occurredAt) : undefined;
  if (idempotencyKey) {
    // Claimed last, together with the response: a concurrent duplicate waits here for this
    // transaction, then finds the key taken and rolls its own attempt back.
    const claim = await repos.idempotency.claim(userId, idempotencyKey, fingerprint(command), transaction);
    if (claim.kind !== "new") throw new KeyTaken(claim);
  }
  return { transaction, balanceCents: posted.balanceCents, breach };
}

/**
 * Records a transaction: insert, balance update and budget check in one ACID transaction, then
 * (after commit) invalidates the tenant's cached reads, publishes realtime events and asks the
 * worker to categorise it when no category was given.
 *
 * Without an idempotency key or category the write is a single atomic statement, so no explicit
 * transaction (and no BEGIN/COMMIT round trips) is needed.
 */
export async function createTransaction(deps: CreateTransactionDeps, command: CreateTransactionCommand): Promise<CreateTransactionResult> {
  const { userId } = command;
  const severalStatements = command.idempotencyKey !== undefined || command.categoryId !== null;
  let outcome: Recorded;
  try {
    outcome = severalStatements ? await deps.db.transaction((repos) => record(repos, command)) : await record(deps.db.repos, command);
  } catch (error) {
    if (!(error instanceof KeyTaken)) throw error;
    if (error.claim.kind === "mismatch") {
      throw new DomainError("unprocessable", "idempotency_key_reused", "this Idempotency-Key was used for a different request", {
        "Idempotency-Key": "was already used with a different body",
      });
    }
    const first = error.claim.response as TransactionView;
    // The first attempt may have died between its commit and its follow-ups: redo the idempotent ones.
    await deps.cache.invalidate(userId);
    if (!first.category_id) await deps.tasks.enqueue(categoriseTask(userId, first.id));
    return { transaction: first, replayed: true };
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
