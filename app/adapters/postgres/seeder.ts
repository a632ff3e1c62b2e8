/**
 * Realistic bulk data, generated inside PostgreSQL (generate_series + random()) so that 100k
 * transactions take seconds: tenants with the same default categories and rules as a sign-up,
 * accounts, a year of transactions from common merchants (about 10% left uncategorised), budgets,
 * balances that match the rows, and one API token per tenant.
 */
import type pg from "pg";
import { DEFAULT_CATEGORIES, DEFAULT_RULES, FALLBACK_CATEGORY, FALLBACK_PATTERN } from "../../domain/categorisation";
import { hashToken, newToken, tokenExpiry } from "../security/token-store";

export interface SeedOptions {
  readonly users: number;
  readonly accountsPerUser: number;
  readonly txPerAccount: number;
  readonly tokenSecret: string;
  /** Hash of the password every seeded user gets (hash it once; scrypt is deliberately slow). */
  readonly passwordHash: string;
  /** Distinguishes the emails of several seed runs in one database. */
  readonly runId: string;
}

export interface SeededUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  readonly accountIds: string[];
}

/** Merchant descriptions with the default category they belong to and a typical amount range. */
const MERCHANTS: ReadonlyArray<readonly [description: string, category: string, minCents: number, maxCents: number]> = [
  ["UBER *TRIP", "Transport", -4500, -800],
  ["Shell fuel station", "Transport", -9000, -3000],
  ["Metro ticket", "Transport", -500, -150],
  ["Starbucks coffee", "Food & Dining", -900, -300],
  ["McDonalds", "Food & Dining", -1500, -500],
  ["Pizza Express", "Food & Dining", -4000, -1500],
  ["TESCO STORES", "Groceries", -12000, -1500],
  ["Lidl", "Groceries", -8000, -1000],
  ["Whole Foods Market", "Groceries", -15000, -2000],
  ["ACME Corp salary", "Salary", 250000, 450000],
  ["Amazon Marketplace", "Shopping", -20000, -1000],
  ["Netflix subscription", "Entertainment", -1799, -999],
  ["Spotify", "Entertainment", -1199, -999],
  ["City pharmacy", "Health", -3000, -500],
  ["Monthly rent", "Housing", -150000, -90000],
  ["Vodafone internet", "Utilities", -6000, -3000],
  ["ATM withdrawal", "Transfers", -20000, -2000],
];

export async function seedDatabase(pool: pg.Pool, options: SeedOptions): Promise<SeededUser[]> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows: users } = await client.query<{ id: string; email: string }>(
      `INSERT INTO users (email, name, password_hash)
       SELECT 'seed-' || $1 || '-' || i || '@example.com', 'Seed User ' || i, $2 FROM generate_series(1, $3::int) AS i
       RETURNING id, email`,
      [options.runId, options.passwordHash, options.users],
    );
    const userIds = users.map((user) => user.id);

    await client.query(
      `INSERT INTO categories (user_id, name) SELECT u, c FROM unnest($1::uuid[]) AS u CROSS JOIN unnest($2::text[]) AS c`,
      [userIds, DEFAULT_CATEGORIES],
    );
    const rules = [
      ...Object.entries(DEFAULT_RULES).flatMap(([category, patterns]) => patterns.map((pattern) => [pattern, category, 100] as const)),
      [FALLBACK_PATTERN, FALLBACK_CATEGORY, 1000] as const,
    ];
    await client.query(
      `INSERT INTO categorisation_rules (user_id, pattern, category_id, priority)
       SELECT c.user_id, r.pattern, c.id, r.priority
       FROM unnest($2::text[], $3::text[], $4::int[]) AS r(pattern, category, priority)
       JOIN categories c ON c.name = r.category AND c.user_id = ANY($1::uuid[])`,
      [userIds, rules.map((r) => r[0]), rules.map((r) => r[1]), rules.map((r) => r[2])],
    );

    const { rows: accounts } = await client.query<{ id: string; user_id: string }>(
      `INSERT INTO accounts (user_id, name, currency)
       SELECT u, 'Account ' || k, 'EUR' FROM unnest($1::uuid[]) AS u CROSS JOIN generate_series(1, $2::int) AS k
       RETURNING id, user_id`,
      [userIds, options.accountsPerUser],
    );
    const accountIds = accounts.map((account) => account.id);

    await client.query(
      `INSERT INTO transactions (user_id, account_id, amount_cents, description, occurred_at, category_id)
       SELECT a.user_id, a.id,
              ($3::bigint[])[pick.i] + floor(random() * (($4::bigint[])[pick.i] - ($3::bigint[])[pick.i]))::bigint,
              ($1::text[])[pick.i],
              now() - random() * interval '365 days',
              CASE WHEN random() < 0.9 THEN c.id END
       FROM accounts a
       CROSS JOIN generate_series(1, $6::int) AS g
       -- Referencing g makes PostgreSQL draw a new merchant for every row.
       CROSS JOIN LATERAL (SELECT 1 + floor(random() * cardinality($1::text[]))::int + 0 * g AS i) AS pick
       JOIN categories c ON c.user_id = a.user_id AND c.name = ($2::text[])[pick.i]
       WHERE a.id = ANY($5::uuid[])`,
      [MERCHANTS.map((m) => m[0]), MERCHANTS.map((m) => m[1]), MERCHANTS.map((m) => m[2]), MERCHANTS.map((m) => m[3]), accountIds, options.txPerAccount],
    );
    await client.query(
      `UPDATE accounts a SET balance_cents = s.total
       FROM (SELECT account_id, sum(amount_cents) AS total FROM transactions WHERE account_id = ANY($1::uuid[]) GROUP BY account_id) s
       WHERE a.id = s.account_id`,
      [accountIds],
    );
    await client.query(
      `INSERT INTO budgets (user_id, category_id, monthly_limit_cents)
       SELECT c.user_id, c.id, CASE c.name WHEN 'Groceries' THEN 60000 ELSE 40000 END
       FROM categories c WHERE c.user_id = ANY($1::uuid[]) AND c.name IN ('Groceries', 'Food & Dining')`,
      [userIds],
    );

    const tokens = users.map(() => newToken());
    await client.query(
      `INSERT INTO api_tokens (token_hash, user_id, expires_at) SELECT t, u, $3 FROM unnest($1::bytea[], $2::uuid[]) AS x(t, u)`,
      [tokens.map((token) => hashToken(options.tokenSecret, token)), userIds, tokenExpiry(Date.now())],
    );
    await client.query("COMMIT");

    const accountsByUser = new Map<string, string[]>();
    for (const account of accounts) {
      const owned = accountsByUser.get(account.user_id) ?? [];
      owned.push(account.id);
      accountsByUser.set(account.user_id, owned);
    }
    return users.map((user, index) => ({ id: user.id, email: user.email, token: tokens[index]!, accountIds: accountsByUser.get(user.id) ?? [] }));
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
