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
 */
export async function categoriseTransaction(deps: CategoriseDeps, task: CategoriseTask) {
  const { db } = deps;
  const userId = task.user_id;
  const transaction = await db.repos.transactions.find(userId, task.transaction_id);
  if (!transaction) throw notFound("Transaction", "transaction_id");
  if (transaction.categoryId) return { outcome: "already_categorised" as const, category_id: transaction.categoryId };

  const rule = categoriser(await db.repos.rules.list(userId))(transaction.description);
  if (!rule) return { outcome: "no_rule" as const, category_id: null };

  const applied = await db.transaction(async (repos) => {
    const updated = await repos.transactions.assignCategoryIfUnset(userId, transaction.id, rule.categoryId);
    if (!updated) return undefined;
    return { breach: await checkBudget(repos, userId, rule.categoryId, updated.occurredAt) };
  });
  if (!applied) return { outcome: "already_categorised" as const, category_id: null };

  await Promise.all([
    deps.cache.invalidate(userId),
    deps.events.publish(userId, {
      type: "transaction.categorised",
      transaction_id: transaction.id,
      account_id: transaction.accountId,
      category_id: rule.categoryId,
      category_name: rule.categoryName,
    }),
    applied.breach ? deps.events.publish(userId, applied.breach.event) : undefined,
    applied.breach ? deps.tasks.enqueue(applied.breach.notification) : undefined,
  ]);
  return { outcome: "categorised" as const, category_id: rule.categoryId };
}
