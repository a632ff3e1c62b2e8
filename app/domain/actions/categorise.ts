import { checkBudget } from "../budgets";
import { categoriser } from "../categorisation";
import { notFound } from "../errors";
import type { Database, EventPublisher, ReadCache, TaskQueue } from "../ports";
import type { CategoriseTask } from "../tasks";

export interface CategoriseDeps {
  readonly db: Database;
  readonly cache: ReadCache;
  readonly events: EventPublisher;
  readonly tasks: TaskQueue;
}

/**
 * Applies the tenant's rules to an uncategorised transaction. The update only happens while the
 * category is still unset, so duplicate or overlapping deliveries categorise once. Then checks the
 * category's budget, which now includes this transaction.
 *
 * What follows the update (invalidate the tenant's cached reads, publish the event, check the
 * budget and notify) runs on every delivery that finds the row categorised, not only on the one
 * that categorised it: a delivery that died after the update (worker killed, Redis away) is
 * redelivered and must finish the job. Each of those steps is idempotent: a fresh cache version,
 * an event clients de-duplicate by transaction id (marked `repeat`, so an audit can still count
 * applications), a notification keyed per budget and month.
 */
export async function categoriseTransaction(deps: CategoriseDeps, task: CategoriseTask) {
  const { db } = deps;
  const userId = task.user_id;
  const transaction = await db.repos.transactions.find(userId, task.transaction_id);
  if (!transaction) throw notFound("Transaction", "transaction_id");

  let categorised: { categoryId: string; categoryName: string; occurredAt: Date; outcome: "categorised" | "already_categorised" } | undefined;
  if (!transaction.categoryId) {
    const rule = categoriser(await db.repos.rules.list(userId))(transaction.description);
    if (!rule) return { outcome: "no_rule" as const, category_id: null };
    // The conditional UPDATE is one atomic statement and the natural-key guard: of several
    // deliveries, exactly one sees the category still unset.
    const updated = await db.repos.transactions.assignCategoryIfUnset(userId, transaction.id, rule.categoryId);
    if (updated) categorised = { categoryId: rule.categoryId, categoryName: rule.categoryName, occurredAt: updated.occurredAt, outcome: "categorised" };
  }
  if (!categorised) {
    // Categorised before (an earlier delivery) or just now by an overlapping one.
    const current = transaction.categoryId ? transaction : await db.repos.transactions.find(userId, transaction.id);
    if (!current?.categoryId) throw notFound("Transaction", "transaction_id");
    const category = await db.repos.categories.find(userId, current.categoryId);
    categorised = { categoryId: current.categoryId, categoryName: category?.name ?? "", occurredAt: current.occurredAt, outcome: "already_categorised" };
  }

  const breach = await checkBudget(db.repos, userId, categorised.categoryId, categorised.occurredAt);
  await Promise.all([
    deps.cache.invalidate(userId),
    deps.events.publish(userId, {
      type: "transaction.categorised",
      transaction_id: transaction.id,
      account_id: transaction.accountId,
      category_id: categorised.categoryId,
      category_name: categorised.categoryName,
      ...(categorised.outcome === "already_categorised" ? { repeat: true as const } : {}),
    }),
    breach ? deps.events.publish(userId, breach.event) : undefined,
    breach ? deps.tasks.enqueue(breach.notification) : undefined,
  ]);
  return { outcome: categorised.outcome, category_id: categorised.categoryId };
}
