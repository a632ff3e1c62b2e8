/**
 * What is left in the system after the faults, read independently of the app's own bookkeeping:
 * - locally straight from PostgreSQL (the run's schema): every row the run wrote, found by the
 *   idempotency key its description carries; balances against the sum of their transactions; the
 *   outbox;
 * - in a deployed environment (PostgreSQL is private) through the public API, page by page.
 * And the categorisations announced as new on the realtime backplane, counted per transaction:
 * a categorisation is announced as new only by the delivery whose update applied it, so two such
 * announcements for one transaction mean it was applied twice. (A missed announcement can only
 * lower a count, never make a duplicate.)
 */
import { Redis } from "ioredis";
import type pg from "pg";
import { CategorisationCounter } from "../categorisation-events";
import type { LoadUser } from "../requests";
import type { RetryingClient } from "./client";

/** A row the run wrote, by the key in its description. */
export interface AuditedRow {
  readonly id: string;
  readonly key: string;
  readonly categorised: boolean;
}

export interface AuditSnapshot {
  readonly rows: readonly AuditedRow[];
  /** Accounts whose balance differs from the sum of their transactions. */
  readonly unbalancedAccounts: number;
  /** Outbox rows not yet run (0 when unknown, e.g. through the API). */
  readonly outboxLeft: number;
}

export interface Audit {
  snapshot(): Promise<AuditSnapshot>;
  close(): Promise<void>;
}

/** `<merchant> rz-<run>-<seq>`: the key is the description's last word. */
export const keyOf = (description: string) => description.slice(description.lastIndexOf(" ") + 1);

export class DatabaseAudit implements Audit {
  constructor(
    /** A pool on the run's schema (it rides out the PostgreSQL restart). */
    private readonly client: Pick<pg.Pool, "query">,
    private readonly keyPrefix: string,
    private readonly accountIds: readonly string[],
  ) {}

  async snapshot(): Promise<AuditSnapshot> {
    const rows = await this.client.query<{ id: string; description: string; categorised: boolean }>(
      "SELECT id, description, category_id IS NOT NULL AS categorised FROM transactions WHERE account_id = ANY($1::uuid[]) AND description LIKE $2",
      [this.accountIds, `% ${this.keyPrefix}%`],
    );
    const balances = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT a.id FROM accounts a LEFT JOIN transactions t ON t.account_id = a.id
         WHERE a.id = ANY($1::uuid[]) GROUP BY a.id, a.balance_cents HAVING a.balance_cents <> COALESCE(sum(t.amount_cents), 0)
       ) unbalanced`,
      [this.accountIds],
    );
    const outbox = await this.client.query<{ n: string }>("SELECT count(*) AS n FROM outbox");
    return {
      rows: rows.rows.map((r) => ({ id: r.id, key: keyOf(r.description), categorised: r.categorised })),
      unbalancedAccounts: Number(balances.rows[0]!.n),
      outboxLeft: Number(outbox.rows[0]!.n),
    };
  }

  async close(): Promise<void> {}
}

/** Through the public API: every user's transactions, 100 a page. Balances from the account list. */
export class ApiAudit implements Audit {
  constructor(
    private readonly api: RetryingClient,
    private readonly users: readonly LoadUser[],
    private readonly keyPrefix: string,
  ) {}

  async snapshot(): Promise<AuditSnapshot> {
    const rows: AuditedRow[] = [];
    let unbalancedAccounts = 0;
    for (const user of this.users) {
      let sum = 0;
      for (const row of await listAllTransactions(this.api, user)) {
        sum += Math.round(Number(row.amount) * 100);
        if (row.description.includes(this.keyPrefix)) rows.push({ id: row.id, key: keyOf(row.description), categorised: row.category_id !== null });
      }
      const outcome = await this.api.send({ method: "GET", path: "/api/accounts", headers: { authorization: `Bearer ${user.token}` } });
      if (outcome.status !== 200) throw new Error(`GET /api/accounts answered ${outcome.status}`);
      const account = (JSON.parse(outcome.body) as { data: Array<{ id: string; balance: string }> }).data.find((a) => a.id === user.accountIds[0]);
      if (account && Math.round(Number(account.balance) * 100) !== sum) unbalancedAccounts++;
    }
    return { rows, unbalancedAccounts, outboxLeft: 0 };
  }

  async close(): Promise<void> {}
}

/** Feeds an CategorisationCounter from the Redis backplane: every tenant's events (local runs, where Redis is reachable). */
export class BackplaneListener {
  private readonly redis: Redis;

  constructor(redisUrl: string, private readonly channelPattern: string, counter: CategorisationCounter) {
    // Its own connection: reconnects (and subscribes again) by itself when Redis comes back.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null, autoResubscribe: true });
    this.redis.on("error", () => undefined);
    this.redis.on("pmessage", (_pattern: string, _channel: string, message: string) => counter.observe(message));
  }

  async start(): Promise<void> {
    await this.redis.psubscribe(this.channelPattern);
  }

  close(): void {
    this.redis.disconnect();
  }
}

/** Every transaction of a user's (first) account, through the API, 100 a page. */
export async function listAllTransactions(api: RetryingClient, user: LoadUser): Promise<Array<{ id: string; description: string; amount: string; category_id: string | null }>> {
  const rows: Array<{ id: string; description: string; amount: string; category_id: string | null }> = [];
  for (let page = 1; ; page++) {
    const path = `/api/transactions?account_id=${user.accountIds[0]}&per_page=100&page=${page}`;
    const outcome = await api.send({ method: "GET", path, headers: { authorization: `Bearer ${user.token}` } });
    if (outcome.status !== 200) throw new Error(`GET ${path} answered ${outcome.status}`);
    const body = JSON.parse(outcome.body) as { data: typeof rows; has_more: boolean };
    rows.push(...body.data);
    if (!body.has_more) return rows;
  }
}
