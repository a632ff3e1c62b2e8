/** Column lists and row -> entity mappers shared by the repositories. */
import type pg from "pg";
import type { Account, Budget, Category, StatementImport, Transaction, User } from "../../../domain/model";

export type Queryable = pg.Pool | pg.PoolClient;
type Row = Record<string, unknown>;

export const USER_COLUMNS = "id, email, name, created_at";
export const toUser = (row: Row): User => ({
  id: row.id as string,
  email: row.email as string,
  name: row.name as string,
  createdAt: row.created_at as Date,
});

export const ACCOUNT_COLUMNS = "id, user_id, name, currency, balance_cents, created_at";
export const toAccount = (row: Row): Account => ({
  id: row.id as string,
  userId: row.user_id as string,
  name: row.name as string,
  currency: row.currency as string,
  balanceCents: row.balance_cents as number,
  createdAt: row.created_at as Date,
});

export const CATEGORY_COLUMNS = "id, user_id, name";
export const toCategory = (row: Row): Category => ({ id: row.id as string, userId: row.user_id as string, name: row.name as string });

export const TRANSACTION_COLUMNS = "id, user_id, account_id, amount_cents, description, occurred_at, category_id, created_at";
export const toTransaction = (row: Row): Transaction => ({
  id: row.id as string,
  userId: row.user_id as string,
  accountId: row.account_id as string,
  amountCents: row.amount_cents as number,
  description: row.description as string,
  occurredAt: row.occurred_at as Date,
  categoryId: (row.category_id as string | null) ?? null,
  createdAt: row.created_at as Date,
});

export const BUDGET_COLUMNS = "id, user_id, category_id, monthly_limit_cents";
export const toBudget = (row: Row): Budget => ({
  id: row.id as string,
  userId: row.user_id as string,
  categoryId: row.category_id as string,
  monthlyLimitCents: row.monthly_limit_cents as number,
});

export const IMPORT_COLUMNS = "id, user_id, account_id, status, total_rows, processed_rows, imported_rows, error, created_at, updated_at";
export const toImport = (row: Row): StatementImport => ({
  id: row.id as string,
  userId: row.user_id as string,
  accountId: row.account_id as string,
  status: row.status as StatementImport["status"],
  totalRows: row.total_rows as number,
  processedRows: row.processed_rows as number,
  importedRows: row.imported_rows as number,
  error: (row.error as string | null) ?? null,
  createdAt: row.created_at as Date,
  updatedAt: row.updated_at as Date,
});

/** PostgreSQL error codes we turn into domain outcomes. */
export const PG_FOREIGN_KEY_VIOLATION = "23503";
export const isPgError = (error: unknown, code: string): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
