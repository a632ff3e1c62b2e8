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
});
