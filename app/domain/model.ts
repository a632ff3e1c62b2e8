/** The tenant-scoped entities. Every row belongs to one user (the tenant). */

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface Account {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly currency: string;
  readonly balanceCents: number;
  readonly createdAt: Date;
}

export interface Category {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
}

export interface Transaction {
  readonly id: string;
  readonly userId: string;
  readonly accountId: string;
  readonly amountCents: number;
  readonly description: string;
  readonly occurredAt: Date;
  readonly categoryId: string | null;
  readonly createdAt: Date;
}

export interface Budget {
  readonly id: string;
  readonly userId: string;
  readonly categoryId: string;
  readonly monthlyLimitCents: number;
}

export const IMPORT_STATUSES = ["pending", "running", "completed", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface StatementImport {
  readonly id: string;
  readonly userId: string;
  readonly accountId: string;
  readonly status: ImportStatus;
  readonly totalRows: number;
  readonly processedRows: number;
  readonly importedRows: number;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Something the tenant was told about (a budget exceeded, ...), recorded once per key. */
export interface Notification {
  readonly id: string;
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
}

/** What was spent in one category (or uncategorised, null) in a month, and its budget if any. */
export interface CategorySpending {
  readonly categoryId: string | null;
  readonly spentCents: number;
  readonly monthlyLimitCents: number | null;
}

/** One parsed line of a CSV statement. */
export interface StatementRow {
  /** 1-based line number in the file, excluding the header: the natural key of an imported row. */
  readonly row: number;
  readonly occurredAt: Date;
  readonly description: string;
  readonly amountCents: number;
}

/** A keyword rule: a description containing `pattern` belongs to `categoryId`. */
export interface CategorisationRule {
  readonly pattern: string;
  readonly categoryId: string;
  readonly priority: number;
}

/** A rule as stored for a tenant, with the name of the category it assigns. */
export interface TenantRule extends CategorisationRule {
  readonly categoryName: string;
}
