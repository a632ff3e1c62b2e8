/**
 * The reads the web dashboard loads at start and after a reconnect (spending per category this
 * month, notifications, imports, the client settings), over real PostgreSQL and Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverNotification } from "../domain/actions/notify";
import { RECENT_IMPORTS, RECENT_NOTIFICATIONS } from "../domain/queries/dashboard";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;

beforeAll(async () => {
  isolated = await isolate("dashapi");
  api = await startApi(isolated, { REALTIME_PUBLIC_URL: "wss://realtime.example.com/ws" });
  client = new ApiClient(api.server.app);
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
});

async function categoryId(tenant: Tenant, name: string): Promise<string> {
  const categories = (await client.get("/api/categories", tenant.token)).json().data as Array<{ id: string; name: string }>;
  return categories.find((category) => category.name === name)!.id;
}

describe("GET /api/spending", () => {
  it("sums a month's outgoings per category (uncategorised as null), lists budgeted categories without any, most spent first", async () => {
    const tenant = await client.tenant();
    const groceries = await categoryId(tenant, "Groceries");
    const health = await categoryId(tenant, "Health");
    await client.post("/api/budgets", { category_id: health, monthly_limit: "50" }, tenant.token);
    for (const [amount, category, occurredAt] of [
      ["-20.00", groceries, "2025-03-02T10:00:00Z"],
      ["-5.50", groceries, "2025-03-31T23:59:59Z"],
      ["-7.25", null, "2025-03-15"],
      ["1000.00", groceries, "2025-03-01"], // income is not spending
      ["-99.00", groceries, "2025-04-01T00:00:00Z"], // next month
      ["-1.00", groceries, "2025-02-28T23:59:59Z"], // previous month
    ] as const) {
      expect((await client.createTransaction(tenant, { amount, category_id: category, occurred_at: occurredAt })).statusCode).toBe(201);
    }
    const march = await client.get("/api/spending?month=2025-03", tenant.token);
    expect(march.statusCode).toBe(200);
    expect(march.json()).toEqual({
      month: "2025-03",
      data: [
        { category_id: groceries, spent: "25.50", monthly_limit: null },
        { category_id: null, spent: "7.25", monthly_limit: null },
        { category_id: health, spent: "0.00", monthly_limit: "50.00" },
      ],
    });
  });

  it("is this month's (UTC) without a month, and follows writes and budgets at once despite the cache", async () => {
    const tenant = await client.tenant();
    const month = new Date().toISOString().slice(0, 7);
    expect((await client.get("/api/spending", tenant.token)).json()).toEqual({ month, data: [] });
    const shopping = await categoryId(tenant, "Shopping");
    await client.createTransaction(tenant, { amount: "-12.00", category_id: shopping, occurred_at: new Date().toISOString() });
    expect((await client.get("/api/spending", tenant.token)).json().data).toEqual([{ category_id: shopping, spent: "12.00", monthly_limit: null }]);
    await client.post("/api/budgets", { category_id: shopping, monthly_limit: "10" }, tenant.token);
    expect((await client.get(`/api/spending?month=${month}`, tenant.token)).json().data).toEqual([{ category_id: shopping, spent: "12.00", monthly_limit: "10.00" }]);
  });

  it("refuses a malformed month naming the field, and another tenant's data is never counted", async () => {
    const tenant = await client.tenant();
    for (const month of ["2025-13", "2025-3", "1969-12", "march", "2100-01"]) {
      const refused = await client.get(`/api/spending?month=${encodeURIComponent(month)}`, tenant.token);
      expect(refused.statusCode, month).toBe(400);
      expect(Object.keys(refused.json().error.fields)).toEqual(["month"]);
    }
    const other = await client.tenant();
    await client.createTransaction(other, { amount: "-3.00", occurred_at: "2025-05-05" });
    expect((await client.get("/api/spending?month=2025-05", tenant.token)).json().data).toEqual([]);
    expect((await client.get("/api/spending?month=2025-05")).statusCode).toBe(401);
  });
});

describe("GET /api/notifications", () => {
  it("lists the tenant's latest notifications, newest first, and only its own", async () => {
    const tenant = await client.tenant();
    const other = await client.tenant();
    const deps = { db: api.core.db, events: api.core.events };
    for (let i = 0; i < RECENT_NOTIFICATIONS + 2; i++) {
      await deliverNotification(deps, { user_id: tenant.userId, key: `n${i}`, kind: "budget.exceeded", data: { month: "2025-03", n: i } });
    }
    await deliverNotification(deps, { user_id: other.userId, key: "n0", kind: "budget.exceeded", data: { n: -1 } });
    const listed = (await client.get("/api/notifications", tenant.token)).json().data as Array<{ kind: string; data: { n: number }; created_at: string }>;
    expect(listed).toHaveLength(RECENT_NOTIFICATIONS);
    expect(listed[0]).toEqual({ id: expect.any(String), kind: "budget.exceeded", data: { month: "2025-03", n: RECENT_NOTIFICATIONS + 1 }, created_at: expect.any(String) });
    expect(listed.map((n) => n.data.n)).toEqual(Array.from({ length: RECENT_NOTIFICATIONS }, (_, i) => RECENT_NOTIFICATIONS + 1 - i));
  });
});

describe("GET /api/imports", () => {
  it("lists the tenant's latest imports with their progress, newest first", async () => {
    const tenant = await client.tenant();
    const started: string[] = [];
    for (let i = 0; i < RECENT_IMPORTS + 1; i++) {
      const upload = await client.request({
        method: "POST",
        url: `/api/imports?account_id=${tenant.accountId}`,
        token: tenant.token,
        headers: { "content-type": "text/csv" },
        payload: `date,description,amount\n2025-01-0${1 + (i % 9)},Row ${i},-1.00\n`,
      });
      started.push(upload.json().id);
    }
    const listed = (await client.get("/api/imports", tenant.token)).json().data as Array<{ id: string; status: string; total_rows: number }>;
    expect(listed.map((item) => item.id)).toEqual(started.slice(1).reverse());
    expect(listed[0]).toMatchObject({ account_id: tenant.accountId, status: "pending", total_rows: 1, processed_rows: 0 });
    expect((await client.get("/api/imports", (await client.tenant()).token)).json()).toEqual({ data: [] });
  });
});

describe("GET /api/client-config", () => {
  it("tells browsers where the realtime WebSocket is, without a token, cacheable for a minute", async () => {
    const config = await client.get("/api/client-config");
    expect(config.statusCode).toBe(200);
    expect(config.json()).toEqual({ realtime_url: "wss://realtime.example.com/ws" });
    expect(config.headers["cache-control"]).toBe("public, max-age=60");
  });
});
