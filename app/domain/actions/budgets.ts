import { notFound } from "../errors";
import type { Database, ReadCache } from "../ports";
import { budgetView } from "../read-models";

export async function setBudget(
  deps: { readonly db: Database; readonly cache: ReadCache },
  userId: string,
  input: { categoryId: string; monthlyLimitCents: number },
) {
  const category = await deps.db.repos.categories.find(userId, input.categoryId);
  if (!category) throw notFound("Category", "category_id");
  const budget = budgetView(await deps.db.repos.budgets.upsert(userId, input.categoryId, input.monthlyLimitCents));
  // The cached spending views carry each category's limit.
  await deps.cache.invalidate(userId);
  return budget;
}
