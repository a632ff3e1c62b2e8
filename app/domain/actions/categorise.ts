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
 * category is still unset, so duplicate or overlapping deliveries categorise (and notify) once.
 * Then checks the category's budget, which now includes this transaction.
 */
export async function categoriseTransaction(deps: CategoriseDeps, task: CategoriseTask) {
  const { db } = deps;
  const userId = task.user_id;
  const transaction = await db.repos.transactions.find(userId, task.transaction_id);
  if (!transaction) throw notFound("Transaction", "transaction_id");
  if (transaction.categoryId) return { outcome: "already_categorised" as const, category_id: transaction.categoryId };

  const rule = categoriser(await db.repos.rules.list(userId))(transaction.description);
  if (!rule) return { outcome: "no_rule" as const, category_id: null };

  // The conditional UPDATE is one atomic statement and the natural-key guard: of several
  // deliveries, exactly one sees the category still unset.
  const updated = await db.repos.transactions.assignCategoryIfUnset(userId, transaction.id, rule.categoryId);
  if (!updated) return { outcome: "already_categorised" as const, category_id: null };
  const breach = await checkBudget(db.repos, userId, rule.categoryId, updated.occurredAt);

  await Promise.all([
    deps.cache.invalidate(userId),
    deps.events.publish(userId, {
      type: "transaction.categorised",
      transaction_id: transaction.id,
      account_id: transaction.accountId,
      category_id: rule.categoryId,
      category_name: rule.categoryName,
    }),
    breach ? deps.events.publish(userId, breach.event) : undefined,
    breach ? deps.tasks.enqueue(breach.notification) : undefined,
  ]);
  return { outcome: "categorised" as const, category_id: rule.categoryId };
}
