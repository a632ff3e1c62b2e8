/** The bulk seeder: consistent, realistic data whose tokens work against the api. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase, type SeededUser } from "../adapters/postgres/seeder";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let users: SeededUser[];

beforeAll(async () => {
  isolated = await isolate("seed");
  api = await startApi(isolated);
  users = await seedDatabase(isolated.pool, {
    users: 20,
    accountsPerUser: 2,
    txPerAccount: 250,
    tokenSecret: isolated.config("api").tokenSecret,
    passwordHash: "unused",
    runId: isolated.id,
  });
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
});

describe("seed", () => {
  it("creates the requested volume with balances that match the rows", async () => {
    const { rows } = await isolated.pool.query(
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM accounts) AS accounts,
              (SELECT count(*)::int FROM transactions) AS transactions,
              (SELECT count(*)::int FROM accounts a WHERE balance_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM transactions t WHERE t.account_id = a.id)) AS mismatched,
              (SELECT count(*)::int FROM transactions WHERE category_id IS NULL) AS uncategorised,
              (SELECT count(DISTINCT description)::int FROM transactions) AS merchants`,
    );
    expect(rows[0]).toMatchObject({ users: 20, accounts: 40, transactions: 10_000, mismatched: 0 });
    expect(rows[0].uncategorised).toBeGreaterThan(0);
    expect(rows[0].uncategorised).toBeLessThan(2_000);
    expect(rows[0].merchants).toBeGreaterThan(10);
  });

  it("gives seeded tenants working tokens, their accounts and the default rules", async () => {
    const client = new ApiClient(api.server.app);
    const [user] = users;
    const accounts = (await client.get("/api/accounts", user!.token)).json().data.map((a: { id: string }) => a.id);
    expect(accounts.sort()).toEqual([...user!.accountIds].sort());
    const page = (await client.get(`/api/transactions?account_id=${user!.accountIds[0]}&per_page=100`, user!.token)).json();
    expect(page.data).toHaveLength(100);
    expect(page.has_more).toBe(true);
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM categorisation_rules WHERE user_id = $1", [user!.id]);
    expect(rows[0].n).toBeGreaterThan(40);
  });
});
