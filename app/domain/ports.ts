/**
 * What the use cases need from the outside world. Adapters implement these; the domain never
 * imports a framework or a driver.
 */
import type { RealtimeEvent } from "./events";
import type { FollowUp, PendingFollowUp } from "./follow-ups";
import type {
  Account,
  Budget,
  CategorisationRule,
  Category,
  StatementImport,
  StatementRow,
  TenantRule,
  Transaction,
  User,
} from "./model";
import type { TaskRequest } from "./tasks";

export interface TransactionFilter {
  readonly accountId?: string;
  readonly categoryId?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** 1-based. */
  readonly page: number;
  readonly perPage: number;
}

export interface UserRepository {
  /** Undefined when the email is already registered. */
  insert(user: { email: string; name: string; passwordHash: string }): Promise<User | undefined>;
  findCredentials(email: string): Promise<{ user: User; passwordHash: string } | undefined>;
}

export interface AccountRepository {
  insert(userId: string, account: { name: string; currency: string }): Promise<Account>;
  list(userId: string): Promise<Account[]>;
  exists(userId: string, accountId: string): Promise<boolean>;
  /** Adds to the balance (locking the row until the transaction ends); undefined for a foreign or missing account. */
  addToBalance(userId: string, accountId: string, deltaCents: number): Promise<Account | undefined>;
}

export interface CategoryRepository {
  insertMany(userId: string, names: readonly string[]): Promise<Category[]>;
  list(userId: string): Promise<Category[]>;
  find(userId: string, categoryId: string): Promise<Category | undefined>;
}

export interface RuleRepository {
  insertMany(userId: string, rules: readonly CategorisationRule[]): Promise<void>;
  list(userId: string): Promise<TenantRule[]>;
}

/** A transaction's own fields, before it has an id and a creation time. */
export type NewTransaction = Omit<Transaction, "id" | "createdAt">;

/** A transaction about to be posted: its id and creation time are fixed by the caller. */
export interface TransactionEntry extends NewTransaction {
  readonly id: string;
  readonly createdAt: Date;
}

/** Post at most once per key: `response` is what a retry with the same key gets back. */
export interface OncePerKey {
  readonly key: string;
  /** Identifies the request; a retry with a different one is refused. */
  readonly fingerprint: string;
  readonly response: unknown;
}

export type RecordOutcome =
  | { readonly kind: "recorded"; readonly balanceCents: number; readonly followUpId?: string }
  | { readonly kind: "replay"; readonly response: unknown }
  | { readonly kind: "mismatch" };

export interface TransactionRepository {
  /**
   * Posts a transaction: inserts it and adds its amount to the account balance atomically (the
   * account row stays locked until the transaction ends). With `once`, the key is claimed in the
   * same step: if it is already taken nothing is posted and the earlier response ("replay") or a
   * "mismatch" comes back; a concurrent claim of the key waits for the first to finish. Fails with
   * not_found when the account or category is not the tenant's. With `followUp`, it goes into the
   * outbox in the same step, its `balance` set to the account's balance after this posting.
   */
  record(entry: TransactionEntry, once?: OncePerKey, followUp?: Omit<FollowUp, "balance">): Promise<RecordOutcome>;
  find(userId: string, transactionId: string): Promise<Transaction | undefined>;
  /** Newest first; returns up to perPage + 1 rows so the caller can tell whether more follow. */
  list(userId: string, filter: TransactionFilter): Promise<Transaction[]>;
  /** Sets the category only if none is set yet; undefined when another writer got there first. */
  assignCategoryIfUnset(userId: string, transactionId: string, categoryId: string): Promise<Transaction | undefined>;
  /**
   * Inserts imported rows keyed by (import, row): rows already present are skipped, so a re-run or
   * an overlapping run adds each row once. Returns what this call actually inserted.
   */
  insertImported(
    userId: string,
    accountId: string,
    importId: string,
    rows: ReadonlyArray<StatementRow & { readonly categoryId: string | null }>,
  ): Promise<{ insertedCount: number; amountCents: number }>;
  countImported(importId: string): Promise<number>;
}

export interface BudgetRepository {
  upsert(userId: string, categoryId: string, monthlyLimitCents: number): Promise<Budget>;
  /** The category's budget and what was spent (as a positive number) in [monthStart, monthEnd). */
  spending(userId: string, categoryId: string, monthStart: Date, monthEnd: Date): Promise<{ budget: Budget; spentCents: number } | undefined>;
}

export interface ImportRepository {
  insert(userId: string, accountId: string, csv: string, totalRows: number): Promise<StatementImport>;
  find(userId: string, importId: string): Promise<StatementImport | undefined>;
  csv(userId: string, importId: string): Promise<string | undefined>;
  markRunning(importId: string): Promise<void>;
  recordProgress(importId: string, processedRows: number): Promise<void>;
  complete(importId: string, importedRows: number): Promise<StatementImport>;
  fail(importId: string, error: string): Promise<StatementImport>;
}

export interface NotificationRepository {
  /** Undefined when a notification with this key already exists for the tenant. */
  insertOnce(userId: string, key: string, kind: string, data: Readonly<Record<string, unknown>>): Promise<{ id: string } | undefined>;
}

/** The transactional outbox (see follow-ups.ts). */
export interface OutboxRepository {
  /** Stores a follow-up in the caller's transaction; returns its id. */
  add(followUp: FollowUp): Promise<string>;
  /**
   * Up to `limit` follow-ups that are due, each leased for `leaseSeconds` (due again afterwards
   * unless removed), skipping rows another instance is claiming right now.
   */
  claimDue(limit: number, leaseSeconds: number): Promise<PendingFollowUp[]>;
  remove(ids: readonly string[]): Promise<void>;
}

export interface Repositories {
  readonly users: UserRepository;
  readonly accounts: AccountRepository;
  readonly categories: CategoryRepository;
  readonly rules: RuleRepository;
  readonly transactions: TransactionRepository;
  readonly budgets: BudgetRepository;
  readonly imports: ImportRepository;
  readonly notifications: NotificationRepository;
  readonly outbox: OutboxRepository;
}

export interface Database {
  /** Repositories outside a transaction (each call autocommits). */
  readonly repos: Repositories;
  /** Runs `work` in one ACID transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

/** A serialized JSON read model, as text or as the UTF-8 bytes a cache handed back (sent as is). */
export type JsonDocument = string | Uint8Array;

/**
 * Cache-aside store for a tenant's read models, as ready-to-send JSON. `invalidate` drops every
 * cached view of the tenant at once.
 */
export interface ReadCache {
  getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<JsonDocument>;
  invalidate(userId: string): Promise<void>;
}

export interface EventPublisher {
  publish(userId: string, event: RealtimeEvent): Promise<void>;
}

export interface TaskQueue {
  /** At-least-once; enqueuing the same idempotency key twice creates one task (within the backend's window). */
  enqueue(task: TaskRequest): Promise<void>;
}

export interface TokenStore {
  issue(userId: string): Promise<string>;
  /** The user the token belongs to, or undefined for an unknown or expired token. */
  resolve(token: string): Promise<string | undefined>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export type StatementParseResult =
  | { readonly ok: true; readonly rows: readonly StatementRow[] }
  | { readonly ok: false; readonly message: string; readonly fields: Readonly<Record<string, string>> };

export interface StatementParser {
  parse(csv: string): StatementParseResult;
}
