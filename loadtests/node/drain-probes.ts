/**
 * Where the async experiment reads its progress and its "lost" count from: the database when the
 * run can reach it (local), otherwise the public API (deployed environments keep PostgreSQL private).
 */
import type pg from "pg";
import { Pool } from "undici";
import type { LoadUser } from "../requests";
import type { DrainProbe } from "./async-runner";

/** Counts the publishers' transactions by category state, in the run's schema. */
export class DatabaseDrainProbe implements DrainProbe {
  private readonly accountIds: string[];

  constructor(
    private readonly client: pg.Client,
    publishers: readonly LoadUser[],
  ) {
    this.accountIds = publishers.flatMap((p) => p.accountIds);
  }

  private async count(categorised: boolean): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM transactions WHERE account_id = ANY($1::uuid[]) AND category_id IS ${categorised ? "NOT NULL" : "NULL"}`,
      [this.accountIds],
    );
    return Number(rows[0]!.n);
  }

  categorised(): Promise<number> {
    return this.count(true);
  }

  uncategorised(): Promise<number> {
    return this.count(false);
  }
}

/** Pages through every publisher's transactions with its own token. Slow: poll it sparingly. */
export class ApiDrainProbe implements DrainProbe {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly publishers: readonly LoadUser[],
  ) {
    this.pool = new Pool(baseUrl, { connections: 8 });
  }

  private async counts(): Promise<{ categorised: number; uncategorised: number }> {
    let categorised = 0;
    let uncategorised = 0;
    await Promise.all(
      this.publishers.map(async (user) => {
        for (let page = 1; ; page++) {
          const response = await this.pool.request({
            path: `/api/transactions?account_id=${user.accountIds[0]}&per_page=100&page=${page}`,
            method: "GET",
            headers: { authorization: `Bearer ${user.token}` },
          });
          if (response.statusCode !== 200) throw new Error(`listing transactions answered ${response.statusCode}`);
          const body = (await response.body.json()) as { data?: Array<{ category_id: string | null }> } | Array<{ category_id: string | null }>;
          const rows = Array.isArray(body) ? body : (body.data ?? []);
          for (const row of rows) row.category_id ? categorised++ : uncategorised++;
          if (rows.length < 100) break;
        }
      }),
    );
    return { categorised, uncategorised };
  }

  async categorised(): Promise<number> {
    return (await this.counts()).categorised;
  }

  async uncategorised(): Promise<number> {
    return (await this.counts()).uncategorised;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
