/**
 * The worker's push endpoints over real HTTP, PostgreSQL and Redis: what each task does, the
 * status codes that drive retries, and idempotency under duplicate and overlapping deliveries
 * (two worker instances with their own pools racing on the same task).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_TASK_PUSH_IDENTITY } from "../../environments/task-queues";
import { forwardedIdToken, type GoogleIdTokenClaims } from "../adapters/tasks/oidc";
import type { ApiInstance } from "../entrypoints/api";
import type { WorkerInstance } from "../entrypoints/worker";
import { ApiClient, type Tenant } from "./support/api-client";
import { eventsDuring } from "./support/events";
import { isolate, type Isolated } from "./support/isolation";
import { startApi, startWorker } from "./support/roles";
import { signedIdToken } from "./support/tokens";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;
let workers: Array<WorkerInstance & { url: string }>;

beforeAll(async () => {
  isolated = await isolate("worker");
  api = await startApi(isolated);
  client = new ApiClient(api.server.app);
  workers = [await startWorker(isolated), await startWorker(isolated)];
});

afterAll(async () => {
  await Promise.all(workers?.map((worker) => worker.close()) ?? []);
  await api?.close();
  await isolated?.cleanup();
});

/** What Cloud Run hands the worker for a Cloud Tasks push: the stripped token of the push identity. */
const taskHeaders = (name: string, retry = 0): Record<string, string> => ({
  authorization: `Bearer ${forwardedIdToken(LOCAL_TASK_PUSH_IDENTITY)}`,
  "content-type": "application/json",
  "x-cloudtasks-queuename": `${isolated.queuePrefix}-categorise-0`,
  "x-cloudtasks-taskname": name,
  "x-cloudtasks-taskretrycount": String(retry),
});

async function deliver(type: string, payload: unknown, worker = workers[0]!, headers: Record<string, string> = taskHeaders(`t-${type}`)) {
  const response = await fetch(`${worker.url}/tasks/${type}`, { method: "POST", headers, body: JSON.stringify(payload) });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; fields?: Record<string, string> } },
  };
}

async function categoryName(categoryId: unknown): Promise<string> {
  const { rows } = await isolated.pool.query("SELECT name FROM categories WHERE id = $1", [categoryId]);
  return rows[0]?.name;
}

describe("categorise", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await client.tenant();
  });

  it("applies the tenant's rules and emits an event; a duplicate delivery changes nothing and repeats the same event", async () => {
    const created = (await client.createTransaction(tenant, { description: "UBER *TRIP 4411" })).json();
    const payload = { user_id: tenant.userId, transaction_id: created.id };
    let first: Awaited<ReturnType<typeof deliver>> | undefined;
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      first = await deliver("categorise", payload);
    });
    expect(first).toMatchObject({ status: 200, body: { status: "ok", outcome: "categorised" } });
    expect(await categoryName(first!.body.category_id)).toBe("Transport");
    expect(events).toEqual([
      { type: "transaction.categorised", transaction_id: created.id, account_id: tenant.accountId, category_id: first!.body.category_id, category_name: "Transport" },
    ]);

    const again = await eventsDuring(isolated, tenant.userId, async () => {
      expect(await deliver("categorise", payload)).toMatchObject({ status: 200, body: { outcome: "already_categorised", category_id: first!.body.category_id } });
    });
    expect(again).toEqual([{ ...events[0], repeat: true }]); // clients de-duplicate by transaction id
    const listed = (await client.get(`/api/transactions?account_id=${tenant.accountId}`, tenant.token)).json().data;
    expect(listed.find((t: { id: string }) => t.id === created.id).category_id).toBe(first!.body.category_id);
  });

  it("a redelivery after a delivery died between its update and its side effects finishes them", async () => {
    const created = (await client.createTransaction(tenant, { description: "Netflix subscription" })).json();
    const url = `/api/transactions?account_id=${tenant.accountId}`;
    const cachedCategory = async () => (await client.get(url, tenant.token)).json().data.find((t: { id: string }) => t.id === created.id).category_id;
    expect(await cachedCategory()).toBeNull(); // this page is now cached
    // The first delivery's update committed, then its worker was killed: no event, no invalidation.
    const { rows } = await isolated.pool.query(
      "UPDATE transactions SET category_id = (SELECT id FROM categories WHERE user_id = $1 AND name = 'Entertainment') WHERE id = $2 RETURNING category_id",
      [tenant.userId, created.id],
    );
    expect(await cachedCategory()).toBeNull();

    const events = await eventsDuring(isolated, tenant.userId, async () => {
      expect(await deliver("categorise", { user_id: tenant.userId, transaction_id: created.id })).toMatchObject({ status: 200, body: { outcome: "already_categorised" } });
    });
    expect(events).toEqual([
      { type: "transaction.categorised", transaction_id: created.id, account_id: tenant.accountId, category_id: rows[0].category_id, category_name: "Entertainment", repeat: true },
    ]);
    expect(await cachedCategory()).toBe(rows[0].category_id);
  });

  it("categorises once when deliveries overlap across two worker instances", async () => {
    const created = (await client.createTransaction(tenant, { description: "Tesco Stores" })).json();
    const payload = { user_id: tenant.userId, transaction_id: created.id };
    let outcomes: string[] = [];
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => deliver("categorise", payload, workers[i % 2])));
      outcomes = results.map((r) => String(r.body.outcome));
    });
    expect(outcomes.filter((o) => o === "categorised")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "already_categorised")).toHaveLength(7);
    const { rows } = await isolated.pool.query("SELECT category_id FROM transactions WHERE id = $1", [created.id]);
    expect(await categoryName(rows[0].category_id)).toBe("Groceries");
    // Every delivery announces the one outcome (clients de-duplicate); only the one that applied it without `repeat`.
    const categorised = events.filter((e) => e.type === "transaction.categorised");
    const announced = { type: "transaction.categorised", transaction_id: created.id, account_id: tenant.accountId, category_id: rows[0].category_id, category_name: "Groceries" };
    expect(categorised.filter((e) => !e.repeat)).toEqual([announced]);
    expect(categorised.filter((e) => e.repeat)).toEqual(Array(categorised.length - 1).fill({ ...announced, repeat: true }));
  });

  it("notifies once when categorising pushes a category over its budget", async () => {
    const food = (await client.get("/api/categories", tenant.token)).json().data.find((c: { name: string }) => c.name === "Food & Dining").id;
    await client.post("/api/budgets", { category_id: food, monthly_limit: "5.00" }, tenant.token);
    const created = (await client.createTransaction(tenant, { description: "Pizza night", amount: "-9.00", occurred_at: "2025-06-01" })).json();
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      await Promise.all([0, 1].map((i) => deliver("categorise", { user_id: tenant.userId, transaction_id: created.id }, workers[i])));
    });
    const breaches = events.filter((e) => e.type === "budget.exceeded");
    expect(breaches.length).toBeGreaterThanOrEqual(1); // each delivery may announce it; the same event
    for (const breach of breaches) expect(breach).toEqual(expect.objectContaining({ category_id: food, month: "2025-06", spent: "9.00", limit: "5.00" }));
    expect(events.filter((e) => e.type === "notification")).toEqual([expect.objectContaining({ kind: "budget.exceeded" })]);
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM notifications WHERE user_id = $1", [tenant.userId]);
    expect(rows[0].n).toBe(1);
  });
});

describe("import", () => {
  it("imports each row once under overlapping deliveries, with categories, balance and progress", async () => {
    const tenant = await client.tenant();
    const lines = Array.from({ length: 1200 }, (_, i) => `2025-0${(i % 9) + 1}-1${i % 10},${i % 3 === 0 ? "Lidl" : "Salary ACME"},${i % 3 === 0 ? "-10.00" : "1.00"}`);
    const accepted = await client.request({
      method: "POST",
      url: `/api/imports?account_id=${tenant.accountId}`,
      token: tenant.token,
      headers: { "content-type": "text/csv" },
      payload: `date,description,amount\n${lines.join("\n")}\n`,
    });
    const importId = accepted.json().id;
    const payload = { user_id: tenant.userId, import_id: importId };

    let results: Array<Awaited<ReturnType<typeof deliver>>> = [];
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      results = await Promise.all([deliver("import", payload, workers[0]), deliver("import", payload, workers[1])]);
    });
    expect(results.map((r) => r.status)).toEqual([200, 200]);

    const status = (await client.get(`/api/imports/${importId}`, tenant.token)).json();
    expect(status).toMatchObject({ status: "completed", total_rows: 1200, processed_rows: 1200, imported_rows: 1200, error: null });
    const { rows } = await isolated.pool.query(
      `SELECT count(*)::int AS n, sum(amount_cents)::int AS total, count(DISTINCT import_row)::int AS distinct_rows, count(category_id)::int AS categorised
       FROM transactions WHERE import_id = $1`,
      [importId],
    );
    // 400 rows of -10.00 and 800 rows of +1.00, each exactly once.
    expect(rows[0]).toEqual({ n: 1200, total: -400_000 + 80_000, distinct_rows: 1200, categorised: 1200 });
    expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("-3200.00");
    const progress = events.filter((e) => e.type === "import.progress");
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ import_id: importId, status: "completed", imported_rows: 1200 });

    expect(await deliver("import", payload)).toMatchObject({ status: 200, body: { outcome: "already_finished" } });
  });
});

describe("notify", () => {
  it("delivers a notification once however often and however concurrently it arrives", async () => {
    const tenant = await client.tenant();
    const payload = { user_id: tenant.userId, key: "welcome", kind: "welcome", data: { hello: "world" } };
    let outcomes: string[] = [];
    const events = await eventsDuring(isolated, tenant.userId, async () => {
      outcomes = (await Promise.all(Array.from({ length: 6 }, (_, i) => deliver("notify", payload, workers[i % 2])))).map((r) => String(r.body.outcome));
    });
    expect(outcomes.sort()).toEqual(["delivered", "duplicate", "duplicate", "duplicate", "duplicate", "duplicate"]);
    expect(events).toEqual([{ type: "notification", notification_id: expect.any(String), kind: "welcome", data: { hello: "world" } }]);
  });
});

describe("status codes", () => {
  it("answers 4xx for tasks that can never succeed", async () => {
    const unknownType = await deliver("reticulate", {});
    expect(unknownType).toMatchObject({ status: 404, body: { error: { code: "unknown_task_type", fields: { type: expect.any(String) } } } });
    const malformed = await deliver("categorise", { user_id: "nope" });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "validation_failed" } } });
    const missing = await deliver("categorise", { user_id: "00000000-0000-4000-8000-000000000000", transaction_id: "00000000-0000-4000-8000-000000000001" });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  // Notifications are stored as text and jsonb: each of these was a 500, retried for nothing.
  it.each([
    ["a NUL in the key", (u: string) => JSON.stringify({ user_id: u, key: "k\u0000", kind: "welcome", data: {} }), "key"],
    ["a NUL in the kind", (u: string) => JSON.stringify({ user_id: u, key: "k", kind: "wel\u0000come", data: {} }), "kind"],
    ["a NUL in a data value", (u: string) => JSON.stringify({ user_id: u, key: "k", kind: "welcome", data: { a: ["ok", "b\u0000"] } }), "data.a.1"],
    ["a NUL in a data key", (u: string) => JSON.stringify({ user_id: u, key: "k", kind: "welcome", data: { "a\u0000": 1 } }), "data.a\u0000"],
    ["a lone surrogate in a data value", (u: string) => `{"user_id":"${u}","key":"k","kind":"welcome","data":{"a":{"b":"x\\ud800"}}}`, "data.a.b"],
    ["data nested 10,000 levels deep", (u: string) => `{"user_id":"${u}","key":"k","kind":"welcome","data":{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`, undefined],
  ])("answers 400 for a notification with %s, naming the field", async (_name, body, field) => {
    const tenant = await client.tenant();
    const response = await fetch(`${workers[0]!.url}/tasks/notify`, { method: "POST", headers: taskHeaders("t-notify-bad"), body: body(tenant.userId) });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; fields: Record<string, string> } }).error;
    expect(error.code).toBe("validation_failed");
    const named = Object.keys(error.fields);
    if (field) expect(named).toContain(field);
    else expect(named.some((name) => name.startsWith("data.a.0.0"))).toBe(true);
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM notifications WHERE user_id = $1", [tenant.userId]);
    expect(rows[0].n).toBe(0);
  });

  it("answers 503 (retry later) naming the dependency when PostgreSQL is down", async () => {
    const broken = await startWorker(isolated, { DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" });
    try {
      const down = await deliver("categorise", { user_id: "00000000-0000-4000-8000-000000000000", transaction_id: "00000000-0000-4000-8000-000000000001" }, broken);
      expect(down).toMatchObject({ status: 503, body: { error: { code: "dependency_unavailable", dependency: "postgresql" } } });
      expect((await fetch(`${broken.url}/readyz`)).status).toBe(503);
    } finally {
      await broken.close();
    }
  });
});

/**
 * The worker behind Cloud Run's IAM check gets the push token with its signature removed
 * (app/adapters/tasks/oidc.ts): it accepts only such a token for its audience and the tasks
 * account, and answers every other push 401 with a JSON body naming the reason.
 */
describe("push authentication (Cloud Run IAM on: stripped tokens)", () => {
  const identity = { audience: "valorize-test-worker", serviceAccount: "tasks@acme-test.iam.gserviceaccount.com" };
  let guarded: WorkerInstance & { url: string };
  let tenant: Tenant;
  let pushes = 0;
  beforeAll(async () => {
    guarded = await startWorker(isolated, { TASKS_OIDC_AUDIENCE: identity.audience, TASKS_SERVICE_ACCOUNT: identity.serviceAccount });
    tenant = await client.tenant();
  });
  afterAll(async () => {
    await guarded?.close();
  });

  const push = (headers: Record<string, string>, type = "notify") => {
    pushes++;
    const payload = { user_id: tenant.userId, key: `push-${pushes}`, kind: "push-auth", data: {} };
    const { authorization: _stripped, ...cloudTasksHeaders } = taskHeaders(`auth-${pushes}`);
    return deliver(type, payload, guarded, { ...cloudTasksHeaders, ...headers });
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const stripped = (claims: Partial<GoogleIdTokenClaims> = {}, nowMs?: number) => forwardedIdToken(identity, { claims, nowMs });
  const delivered = async () => {
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM notifications WHERE user_id = $1", [tenant.userId]);
    return rows[0].n as number;
  };

  it("accepts a stripped token with the configured claims, from either Google issuer form", async () => {
    expect(await push(bearer(stripped()))).toMatchObject({ status: 200, body: { status: "ok", outcome: "delivered" } });
    expect(await push(bearer(stripped({ iss: "accounts.google.com" })))).toMatchObject({ status: 200, body: { outcome: "delivered" } });
    // Inside the clock-skew allowance: a minute past exp still passes.
    expect(await push(bearer(stripped({}, Date.now() - 3660_000)))).toMatchObject({ status: 200 });
    expect(await delivered()).toBe(3);
  });

  it("reads X-Serverless-Authorization first, the header Cloud Run checked when both are present", async () => {
    const appBearer = { authorization: "Bearer some-app-level-credential" };
    expect(await push({ ...appBearer, "x-serverless-authorization": `Bearer ${stripped()}` })).toMatchObject({ status: 200 });
    const wrong = await push({ ...bearer(stripped()), "x-serverless-authorization": `Bearer ${stripped({ aud: "valorize-other-worker" })}` });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: "wrong_audience", fields: { aud: expect.stringContaining("valorize-other-worker") } } } });
  });

  it.each([
    ["another audience", () => bearer(stripped({ aud: "https://valorize-test-worker-abc.a.run.app" })), "wrong_audience", "aud"],
    ["another identity", () => bearer(stripped({ email: "intruder@acme-test.iam.gserviceaccount.com" })), "wrong_identity", "email"],
    ["an unverified e-mail", () => bearer(stripped({ email_verified: false })), "wrong_identity", "email_verified"],
    ["another issuer", () => bearer(stripped({ iss: "https://securetoken.google.com/acme-test" })), "wrong_issuer", "iss"],
    ["an expired token", () => bearer(stripped({}, Date.now() - 2 * 3600_000)), "token_expired", "exp"],
    ["no token", () => ({}), "missing_token", "authorization"],
    ["a token that is not a JWT", () => bearer("not-a-jwt"), "malformed_token", "authorization"],
    ["claims that are not JSON", () => bearer(`${stripped().split(".")[0]}.bm90IGpzb24.SIGNATURE_REMOVED_BY_GOOGLE`), "malformed_token", "authorization"],
    ["another scheme", () => ({ authorization: `Basic ${Buffer.from("tasks:secret").toString("base64")}` }), "malformed_token", "authorization"],
    ["a token with a real signature (it did not pass Cloud Run's check)", () => bearer(signedIdToken(identity)), "token_not_platform_verified", "authorization"],
    ["an unsigned token (alg none)", () => bearer(`${stripped().split(".").slice(0, 2).join(".")}.`), "token_not_platform_verified", "authorization"],
  ])("refuses %s with a 401 naming the reason", async (_case, headers, code, field) => {
    const before = await delivered();
    const refused = await push(headers());
    expect(refused.status).toBe(401);
    expect(refused.contentType).toMatch(/^application\/json/);
    expect(refused.body.error).toMatchObject({ code, message: expect.any(String), fields: { [field]: expect.any(String) } });
    expect(await delivered()).toBe(before);
  });

  it("answers nothing else to an unauthenticated caller, not even which task types exist", async () => {
    expect(await push({}, "reticulate")).toMatchObject({ status: 401, body: { error: { code: "missing_token" } } });
  });
});
