/**
 * The api role end to end over real PostgreSQL and Redis (fastify inject drives the full HTTP
 * pipeline): auth, accounts, the cached transaction list and its invalidation, the ACID write
 * with its idempotency key and follow-ups (events, tasks), imports and tenant isolation.
 */
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "../adapters/redis/keys";
import { BullTaskQueue } from "../adapters/tasks/local-queue";
import { localTaskPolicies } from "../entrypoints/services";
import type { ApiInstance } from "../entrypoints/api";
import { categoriseTask, importTask } from "../domain/tasks";
import { ApiClient, type Tenant } from "./support/api-client";
import { eventsDuring } from "./support/events";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;

beforeAll(async () => {
  isolated = await isolate("api");
  api = await startApi(isolated);
  client = new ApiClient(api.server.app);
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
});

/** The BullMQ job a task would be, if it was enqueued. */
async function queuedJob(task: ReturnType<typeof categoriseTask>) {
  const names = new BullTaskQueue({ connection: isolated.redis, prefix: "", queuePrefix: isolated.queuePrefix, policies: localTaskPolicies() });
  const { queueName, taskName } = names.queueNameFor(task);
  const queue = new Queue(queueName, { connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues });
  try {
    return await queue.getJob(taskName);
  } finally {
    await queue.close();
  }
}

describe("health", () => {
  it("answers /healthz and /readyz when PostgreSQL and Redis are reachable", async () => {
    expect((await client.get("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await client.get("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
  });
});

describe("auth", () => {
  it("registers a tenant with an opaque token and logs in again", async () => {
    const email = `ann-${isolated.id}@example.com`;
    const registered = await client.post("/api/auth/register", { email: email.toUpperCase(), password: "correct horse battery", name: " Ann " });
    expect(registered.statusCode).toBe(201);
    const body = registered.json();
    expect(body.user).toEqual({ id: expect.any(String), email, name: "Ann", created_at: expect.any(String) });
    expect(body.token).toMatch(/^vz_[A-Za-z0-9_-]{43}$/);
    expect(registered.body).not.toContain("password");

    const { rows } = await isolated.pool.query("SELECT encode(token_hash, 'hex') AS hash FROM api_tokens WHERE user_id = $1", [body.user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).not.toContain(Buffer.from(body.token).toString("hex"));

    const login = await client.post("/api/auth/login", { email, password: "correct horse battery" });
    expect(login.statusCode).toBe(200);
    expect(login.json().token).not.toBe(body.token);
    expect((await client.get("/api/accounts", login.json().token)).statusCode).toBe(200);
  });

  it("refuses a wrong password and a duplicate email", async () => {
    const tenant = await client.tenant();
    const wrong = await client.post("/api/auth/login", { email: tenant.email, password: "not the password" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe("unauthenticated");
    const duplicate = await client.post("/api/auth/register", { email: tenant.email, password: "another password", name: "B" });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "email_taken", fields: { email: "is already registered" } });
  });

  it("gives every new tenant the default categories", async () => {
    const tenant = await client.tenant();
    const names = (await client.get("/api/categories", tenant.token)).json().data.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(["Transport", "Food & Dining", "Groceries", "Salary", "Other"]));
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM categorisation_rules WHERE user_id = $1", [tenant.userId]);
    expect(rows[0].n).toBeGreaterThan(40);
  });
});

describe("accounts", () => {
  it("creates and lists the tenant's accounts with balances that follow writes", async () => {
    const tenant = await client.tenant();
    const savings = await client.post("/api/accounts", { name: "Savings", currency: "USD" }, tenant.token);
    expect(savings.statusCode).toBe(201);
    expect(savings.json()).toMatchObject({ name: "Savings", currency: "USD", balance: "0.00" });

    await client.createTransaction(tenant, { amount: "-20.25" });
    await client.createTransaction(tenant, { amount: 100 });
    const listed = (await client.get("/api/accounts", tenant.token)).json().data;
    expect(listed.map((a: { name: string; balance: string }) => [a.name, a.balance])).toEqual([
      ["Main", "79.75"],
      ["Savings", "0.00"],
    ]);
  });
});

describe("transactions", () => {
  it("creates a transaction and lists it newest first with pagination", async () => {
    const tenant = await client.tenant();
    for (const day of [1, 2, 3]) {
      const created = await client.createTransaction(tenant, { occurred_at: `2025-01-0${day}`, description: `Day ${day}` });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ account_id: tenant.accountId, amount: "-12.50", description: `Day ${day}`, category_id: null });
    }
    const first = (await client.get(`/api/transactions?account_id=${tenant.accountId}&per_page=2`, tenant.token)).json();
    expect(first).toMatchObject({ page: 1, per_page: 2, has_more: true });
    expect(first.data.map((t: { description: string }) => t.description)).toEqual(["Day 3", "Day 2"]);
    const second = (await client.get(`/api/transactions?account_id=${tenant.accountId}&per_page=2&page=2`, tenant.token)).json();
    expect(second).toMatchObject({ page: 2, has_more: false });
    expect(second.data.map((t: { description: string }) => t.description)).toEqual(["Day 1"]);
  });

  it("filters by date range (to= a date includes that whole day) and by category, and caps per_page", async () => {
    const tenant = await client.tenant();
    const categories = (await client.get("/api/categories", tenant.token)).json().data as Array<{ id: string; name: string }>;
    const groceries = categories.find((c) => c.name === "Groceries")!.id;
    await client.createTransaction(tenant, { occurred_at: "2025-02-10T23:30:00Z", description: "late", category_id: groceries });
    await client.createTransaction(tenant, { occurred_at: "2025-02-11T00:00:00Z", description: "next day" });
    await client.createTransaction(tenant, { occurred_at: "2025-02-09T12:00:00Z", description: "before" });

    const range = (await client.get("/api/transactions?from=2025-02-10&to=2025-02-10", tenant.token)).json();
    expect(range.data.map((t: { description: string }) => t.description)).toEqual(["late"]);
    const byCategory = (await client.get(`/api/transactions?category_id=${groceries}`, tenant.token)).json();
    expect(byCategory.data.map((t: { description: string }) => t.description)).toEqual(["late"]);
    expect((await client.get("/api/transactions?per_page=1000", tenant.token)).json().per_page).toBe(100);
  });

  it("serves repeated reads from the cache and refreshes them after a write of the same tenant only", async () => {
    const alice = await client.tenant("Alice");
    const bob = await client.tenant("Bob");
    await client.createTransaction(alice, { description: "first" });
    await client.createTransaction(bob, { description: "bob's first" });
    const url = (tenant: Tenant) => `/api/transactions?account_id=${tenant.accountId}`;
    const descriptions = async (tenant: Tenant) => (await client.get(url(tenant), tenant.token)).json().data.map((t: { description: string }) => t.description);
    expect(await descriptions(alice)).toEqual(["first"]);
    expect(await descriptions(bob)).toEqual(["bob's first"]);

    // Rows written behind the api's back are invisible while the cached pages live...
    const sneak = "INSERT INTO transactions (user_id, account_id, amount_cents, description, occurred_at) VALUES ($1, $2, -1, $3, '2025-03-05')";
    await isolated.pool.query(sneak, [alice.userId, alice.accountId, "sneaked in"]);
    await isolated.pool.query(sneak, [bob.userId, bob.accountId, "bob sneaked"]);
    expect(await descriptions(alice)).toEqual(["first"]);

    // ...until a write through the api invalidates that tenant's views (and nobody else's).
    await client.createTransaction(alice, { description: "second", occurred_at: "2025-03-06T00:00:00Z" });
    expect(await descriptions(alice)).toEqual(["second", "sneaked in", "first"]);
    expect(await descriptions(bob)).toEqual(["bob's first"]);
  });

  it("enqueues a categorisation task and publishes realtime events after the commit", async () => {
    const tenant = await client.tenant();
    let created: { id: string } | undefined;
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      created = (await client.createTransaction(tenant, { amount: "-3.20", description: "Starbucks" })).json();
    });
    expect(events).toEqual([
      { type: "transaction.created", transaction: expect.objectContaining({ id: created!.id, amount: "-3.20", account_id: tenant.accountId }) },
      { type: "account.balance_changed", account_id: tenant.accountId, balance: "-3.20" },
    ]);
    const job = await queuedJob(categoriseTask(tenant.userId, created!.id));
    expect(job?.data).toMatchObject({ type: "categorise", payload: { user_id: tenant.userId, transaction_id: created!.id } });
    // BullMQ's Lua scripts live on the queue's own connection: ioredis copies a connection's
    // scripts into every auto-pipeline, which would tax each cached read on the shared one.
    expect(Object.keys((api.core.redis as unknown as { scriptsSet: object }).scriptsSet)).toEqual([]);
  });

  it("checks the budget in the same transaction when a category is given (and skips categorisation)", async () => {
    const tenant = await client.tenant();
    const food = (await client.get("/api/categories", tenant.token)).json().data.find((c: { name: string }) => c.name === "Food & Dining").id;
    const budget = await client.post("/api/budgets", { category_id: food, monthly_limit: "10.00" }, tenant.token);
    expect(budget.statusCode).toBe(201);
    await client.createTransaction(tenant, { category_id: food, amount: "-6.00", occurred_at: "2025-04-02" });
    let created: { id: string } | undefined;
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      created = (await client.createTransaction(tenant, { category_id: food, amount: "-6.00", occurred_at: "2025-04-20" })).json();
    });
    expect(events.find((e) => e.type === "budget.exceeded")).toEqual({
      type: "budget.exceeded",
      budget_id: budget.json().id,
      category_id: food,
      month: "2025-04",
      limit: "10.00",
      spent: "12.00",
    });
    expect(await queuedJob(categoriseTask(tenant.userId, created!.id))).toBeUndefined();
  });
});

describe("Idempotency-Key", () => {
  it("returns the first result for a retried request and creates nothing new", async () => {
    const tenant = await client.tenant();
    const headers = { "idempotency-key": "retry-me-1" };
    const first = await client.createTransaction(tenant, { amount: "-5.00" }, headers);
    const retry = await client.createTransaction(tenant, { amount: "-5.00" }, headers);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM transactions WHERE user_id = $1", [tenant.userId]);
    expect(rows[0].n).toBe(1);
    expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("-5.00");
  });

  it("creates exactly one transaction when the same request races itself", async () => {
    const tenant = await client.tenant();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => client.createTransaction(tenant, { amount: "-7.00" }, { "idempotency-key": "raced" })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n, sum(amount_cents)::int AS total FROM transactions WHERE user_id = $1", [tenant.userId]);
    expect(rows[0]).toEqual({ n: 1, total: -700 });
    expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("-7.00");
  });

  it("refuses a key reused for a different request, and keys are per tenant", async () => {
    const alice = await client.tenant();
    const bob = await client.tenant();
    await client.createTransaction(alice, { amount: "-1.00" }, { "idempotency-key": "shared" });
    const reused = await client.createTransaction(alice, { amount: "-2.00" }, { "idempotency-key": "shared" });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error).toMatchObject({ code: "idempotency_key_reused", fields: { "Idempotency-Key": expect.any(String) } });
    expect((await client.createTransaction(bob, { amount: "-2.00" }, { "idempotency-key": "shared" })).statusCode).toBe(201);
  });

  it("does not burn a key on a request that failed", async () => {
    const alice = await client.tenant();
    const bob = await client.tenant();
    const foreign = await client.createTransaction(alice, { account_id: bob.accountId }, { "idempotency-key": "after-404" });
    expect(foreign.statusCode).toBe(404);
    expect((await client.createTransaction(alice, {}, { "idempotency-key": "after-404" })).statusCode).toBe(201);
  });
});

describe("imports", () => {
  it("accepts a CSV statement with 202, schedules the import task and reports its status", async () => {
    const tenant = await client.tenant();
    const accepted = await client.request({
      method: "POST",
      url: `/api/imports?account_id=${tenant.accountId}`,
      token: tenant.token,
      headers: { "content-type": "text/csv" },
      payload: "date,description,amount\n2025-01-03,Tesco,-30.10\n2025-01-04,ACME salary,2500\n",
    });
    expect(accepted.statusCode).toBe(202);
    const { id } = accepted.json();
    const status = await client.get(`/api/imports/${id}`, tenant.token);
    expect(status.json()).toMatchObject({ id, account_id: tenant.accountId, status: "pending", total_rows: 2, processed_rows: 0, imported_rows: 0 });
    expect((await queuedJob(importTask(tenant.userId, id)))?.data.payload).toEqual({ user_id: tenant.userId, import_id: id });
  });
});

describe("tenant isolation", () => {
  it("answers 404 (not 403) for every foreign id and never lists foreign rows", async () => {
    const alice = await client.tenant("Alice");
    const bob = await client.tenant("Bob");
    await client.createTransaction(alice, { description: "alice only" });
    const aliceCategory = (await client.get("/api/categories", alice.token)).json().data[0].id;
    const aliceImport = (
      await client.request({
        method: "POST",
        url: `/api/imports?account_id=${alice.accountId}`,
        token: alice.token,
        headers: { "content-type": "text/csv" },
        payload: "date,description,amount\n2025-01-03,x,-1\n",
      })
    ).json().id;

    const attempts = [
      await client.get(`/api/transactions?account_id=${alice.accountId}`, bob.token),
      await client.get(`/api/transactions?category_id=${aliceCategory}`, bob.token),
      await client.createTransaction(bob, { account_id: alice.accountId }),
      await client.createTransaction(bob, { category_id: aliceCategory }),
      await client.get(`/api/imports/${aliceImport}`, bob.token),
      await client.request({ method: "POST", url: `/api/imports?account_id=${alice.accountId}`, token: bob.token, headers: { "content-type": "text/csv" }, payload: "date,description,amount\n2025-01-03,x,-1\n" }),
      await client.post("/api/budgets", { category_id: aliceCategory, monthly_limit: 5 }, bob.token),
    ];
    expect(attempts.map((r) => [r.statusCode, r.json().error.code])).toEqual(Array(attempts.length).fill([404, "not_found"]));

    const bobsView = (await client.get("/api/transactions", bob.token)).json();
    expect(bobsView.data).toEqual([]);
    // An empty page of the tenant's own account or category is a 200, not a 404 (the ownership
    // check runs only for empty pages: a page with rows is the tenant's by construction).
    const pastTheEnd = await client.get(`/api/transactions?account_id=${alice.accountId}&page=50`, alice.token);
    expect([pastTheEnd.statusCode, pastTheEnd.json().data]).toEqual([200, []]);
    const unusedCategory = (await client.get(`/api/transactions?category_id=${aliceCategory}&page=9`, alice.token));
    expect([unusedCategory.statusCode, unusedCategory.json().data]).toEqual([200, []]);
    const { rows } = await isolated.pool.query("SELECT balance_cents::int AS balance_cents FROM accounts WHERE id = $1", [alice.accountId]);
    expect(rows[0].balance_cents).toBe(-1250);
  });
});

describe("caching headers", () => {
  it("marks every authenticated answer private, no-store (a shared cache must never keep one tenant's data), refusals too", async () => {
    const tenant = await client.tenant("Cache");
    const answers = [
      await client.get("/api/transactions", tenant.token),
      await client.get("/api/accounts", tenant.token),
      await client.createTransaction(tenant, { description: "fresh" }),
      await client.get("/api/transactions", "not-a-token"),
    ];
    expect(answers.map((r) => [r.statusCode, r.headers["cache-control"]])).toEqual([
      [200, "private, no-store"],
      [200, "private, no-store"],
      [201, "private, no-store"],
      [401, "private, no-store"],
    ]);
    // Public answers say so themselves.
    expect((await client.get("/api/client-config")).headers["cache-control"]).toBe("public, max-age=60");
  });
});
