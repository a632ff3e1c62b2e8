/**
 * What the API exposes (snake_case JSON). Keeping these separate from the entities means a new
 * column never leaks by accident (password hashes, tenant ids, CSV bodies).
 */
import { formatCents } from "./money";
import type { Account, Budget, Category, CategorySpending, Notification, StatementImport, Transaction, User } from "./model";

export const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  created_at: user.createdAt.toISOString(),
});

export const accountView = (account: Account) => ({
  id: account.id,
  name: account.name,
  currency: account.currency,
  balance: formatCents(account.balanceCents),
  created_at: account.createdAt.toISOString(),
});

export const transactionView = (transaction: Transaction) => ({
  id: transaction.id,
  account_id: transaction.accountId,
  amount: formatCents(transaction.amountCents),
  description: transaction.description,
  occurred_at: transaction.occurredAt.toISOString(),
  category_id: transaction.categoryId,
  created_at: transaction.createdAt.toISOString(),
});
export type TransactionView = ReturnType<typeof transactionView>;

export const categoryView = (category: Category) => ({ id: category.id, name: category.name });

export const budgetView = (budget: Budget) => ({
  id: budget.id,
  category_id: budget.categoryId,
  monthly_limit: formatCents(budget.monthlyLimitCents),
});

export const importView = (statementImport: StatementImport) => ({
  id: statementImport.id,
  account_id: statementImport.accountId,
  status: statementImport.status,
  total_rows: statementImport.totalRows,
  processed_rows: statementImport.processedRows,
  imported_rows: statementImport.importedRows,
  error: statementImport.error,
  created_at: statementImport.createdAt.toISOString(),
  updated_at: statementImport.updatedAt.toISOString(),
});

export const notificationView = (notification: Notification) => ({
  id: notification.id,
  kind: notification.kind,
  data: notification.data,
  created_at: notification.createdAt.toISOString(),
});

export const spendingView = (month: string, rows: readonly CategorySpending[]) => ({
  month,
  data: rows.map((row) => ({
    category_id: row.categoryId,
    spent: formatCents(row.spentCents),
    monthly_limit: row.monthlyLimitCents === null ? null : formatCents(row.monthlyLimitCents),
  })),
});
