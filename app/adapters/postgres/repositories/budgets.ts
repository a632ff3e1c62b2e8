import type { BudgetRepository } from "../../../domain/ports";
import { BUDGET_COLUMNS, type Queryable, toBudget } from "./rows";

export const budgetRepository = (db: Queryable): BudgetRepository => ({
  async upsert(userId, categoryId, monthlyLimitCents) {
    const { rows } = await db.query(
      `INSERT INTO budgets (user_id, category_id, monthly_limit_cents) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, category_id) DO UPDATE SET monthly_limit_cents = EXCLUDED.monthly_limit_cents
       RETURNING ${BUDGET_COLUMNS}`,
      [userId, categoryId, monthlyLimitCents],
    );
    return toBudget(rows[0]!);
  },
  async spending(userId, categoryId, monthStart, monthEnd) {
    const { rows } = await db.query({
      name: "budgets_spending",
      text: `SELECT ${BUDGET_COLUMNS},
               (SELECT coalesce(-sum(t.amount_cents), 0) FROM transactions t
                WHERE t.user_id = b.user_id AND t.category_id = b.category_id
                  AND t.occurred_at >= $3 AND t.occurred_at < $4 AND t.amount_cents < 0)::bigint AS spent_cents
             FROM budgets b WHERE b.user_id = $1 AND b.category_id = $2`,
      values: [userId, categoryId, monthStart, monthEnd],
    });
    return rows[0] ? { budget: toBudget(rows[0]), spentCents: rows[0].spent_cents as number } : undefined;
  },
  async monthSpending(userId, monthStart, monthEnd) {
    // transactions_user_time_idx serves the month's range; budgets are few per tenant.
    const { rows } = await db.query({
      name: "budgets_month_spending",
      text: `WITH spent AS (
               SELECT category_id, (-sum(amount_cents))::bigint AS spent_cents FROM transactions
               WHERE user_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND amount_cents < 0
               GROUP BY category_id)
             SELECT coalesce(s.category_id, b.category_id) AS category_id, coalesce(s.spent_cents, 0)::bigint AS spent_cents, b.monthly_limit_cents
             FROM spent s FULL JOIN (SELECT category_id, monthly_limit_cents FROM budgets WHERE user_id = $1) b ON b.category_id = s.category_id
             ORDER BY 2 DESC, 1 NULLS LAST`,
      values: [userId, monthStart, monthEnd],
    });
    return rows.map((row) => ({
      categoryId: (row.category_id as string | null) ?? null,
      spentCents: row.spent_cents as number,
      monthlyLimitCents: (row.monthly_limit_cents as number | null) ?? null,
    }));
  },
});
