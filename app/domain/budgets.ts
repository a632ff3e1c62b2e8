/** Monthly budgets per category, checked whenever spending in a category changes. */
import type { RealtimeEvent } from "./events";
import { formatCents } from "./money";
import type { Repositories } from "./ports";
import type { TaskRequest } from "./tasks";

export interface BudgetBreach {
  readonly event: Extract<RealtimeEvent, { type: "budget.exceeded" }>;
  readonly notification: TaskRequest;
}

/** The calendar month (UTC) an instant falls in, as [start, end) and "YYYY-MM". */
export function monthOf(instant: Date): { start: Date; end: Date; label: string } {
  const start = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
  const end = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() + 1, 1));
  return { start, end, label: start.toISOString().slice(0, 7) };
}

/**
 * Within the caller's transaction: is the category over its budget for the month of `occurredAt`?
 * The notification is keyed per budget and month, so a tenant hears about a breach once.
 */
export async function checkBudget(
  repos: Repositories,
  userId: string,
  categoryId: string,
  occurredAt: Date,
): Promise<BudgetBreach | undefined> {
  const month = monthOf(occurredAt);
  const status = await repos.budgets.spending(userId, categoryId, month.start, month.end);
  if (!status || status.spentCents <= status.budget.monthlyLimitCents) return undefined;
  const event = {
    type: "budget.exceeded",
    budget_id: status.budget.id,
    category_id: categoryId,
    month: month.label,
    limit: formatCents(status.budget.monthlyLimitCents),
    spent: formatCents(status.spentCents),
  } as const;
  const { type: _type, ...data } = event;
  return {
    event,
    notification: {
      type: "notify",
      idempotencyKey: `notify:budget:${status.budget.id}:${month.label}`,
      payload: { user_id: userId, key: `budget:${status.budget.id}:${month.label}`, kind: "budget.exceeded", data },
    },
  };
}
