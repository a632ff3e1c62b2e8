import { notFound } from "../errors";
import type { Database } from "../ports";
import { budgetView } from "../read-models";

export async function setBudget(
  deps: { readonly db: Database },
  userId: string,
  input: { categoryId: string; monthlyLimitCents: number },
) {
  const category = await deps.db.repos.categories.find(userId, input.categoryId);
  if (!category) throw notFound("Category", "category_id");
  return budgetView(await deps.db.repos.budgets.upsert(userId, input.categoryId, input.monthlyLimitCents));
}
