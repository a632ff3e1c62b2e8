/**
 * Bad input never reaches PostgreSQL as a 5xx: every malformed request gets a specific 4xx with
 * the error shape `{ error: { code, message, fields? } }` naming the problem.
 */
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;
let tenant: Tenant;

beforeAll(async () => {
  isolated = await isolate("malformed");
  api = await startApi(isolated);
  client = new ApiClient(api.server.app);
  tenant = await client.tenant();
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
});

interface Case {
  readonly name: string;
  readonly request: (t: Tenant) => InjectOptions & { token?: string };
  readonly status: number;
  readonly code: string;
  /** A field the error must name. */
  readonly field?: string;
}

const json = (url: string, payload: unknown, extra: Partial<InjectOptions> = {}) => (t: Tenant) => ({
  method: "POST" as const,
  url,
  payload: payload as InjectOptions["payload"],
  token: t.token,
  ...extra,
});
const transaction = (overrides: Record<string, unknown>) => (t: Tenant) =>
  json("/api/transactions", { account_id: t.accountId, amount: "-1.00", description: "ok", occurred_at: "2025-01-01", ...overrides })(t);
const list = (query: string) => (t: Tenant) => ({ method: "GET" as const, url: `/api/transactions?${query}`, token: t.token });
const register = (body: Record<string, unknown>) => () => ({ method: "POST" as const, url: "/api/auth/register", payload: body });
const validRegistration = { email: "new@example.com", password: "long enough password", name: "New" };
const csv = (body: string, query: (t: Tenant) => string = (t) => `account_id=${t.accountId}`) => (t: Tenant) => ({
  method: "POST" as const,
  url: `/api/imports?${query(t)}`,
  token: t.token,
  headers: { "content-type": "text/csv" },
  payload: body,
});

const CASES: readonly Case[] = [
  // Authentication
  { name: "no token", request: () => ({ method: "GET", url: "/api/accounts" }), status: 401, code: "unauthenticated" },
  { name: "unknown token", request: () => ({ method: "GET", url: "/api/accounts", token: `vz_${"A".repeat(43)}` }), status: 401, code: "unauthenticated" },
  { name: "basic auth instead of bearer", request: () => ({ method: "GET", url: "/api/accounts", headers: { authorization: "Basic dXNlcjpwYXNz" } }), status: 401, code: "unauthenticated" },
  { name: "token with SQL in it", request: () => ({ method: "GET", url: "/api/accounts", headers: { authorization: "Bearer ' OR '1'='1" } }), status: 401, code: "unauthenticated" },
  // Registration and login
  { name: "register without email", request: register({ password: "long enough password", name: "x" }), status: 400, code: "validation_failed", field: "email" },
  { name: "register with a malformed email", request: register({ ...validRegistration, email: "not-an-email" }), status: 400, code: "validation_failed", field: "email" },
  { name: "register with a short password", request: register({ ...validRegistration, password: "short" }), status: 400, code: "validation_failed", field: "password" },
  { name: "register with a number as name", request: register({ ...validRegistration, name: 42 }), status: 400, code: "validation_failed", field: "name" },
  { name: "register with an unknown field", request: register({ ...validRegistration, admin: true }), status: 400, code: "validation_failed", field: "admin" },
  { name: "register with a NUL byte in the name", request: register({ ...validRegistration, name: "bad\u0000name" }), status: 400, code: "validation_failed", field: "name" },
  { name: "login with an array as password", request: () => ({ method: "POST", url: "/api/auth/login", payload: { email: "a@b.c", password: ["x"] } }), status: 400, code: "validation_failed", field: "password" },
  // Body syntax and size
  { name: "malformed JSON", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "application/json" }, payload: '{"name": "x",' }), status: 400, code: "bad_request" },
  { name: "JSON array instead of an object", request: json("/api/accounts", [1, 2]), status: 400, code: "validation_failed", field: "body" },
  { name: "prototype pollution attempt", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "application/json" }, payload: '{"name":"x","currency":"EUR","__proto__":{"admin":true}}' }), status: 400, code: "bad_request" },
  { name: "huge body", request: json("/api/accounts", { name: "x".repeat(100_000), currency: "EUR" }), status: 413, code: "payload_too_large" },
  { name: "text/plain body on a JSON route", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "text/plain" }, payload: "name=x" }), status: 415, code: "unsupported_media_type" },
  { name: "no body at all", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token }), status: 400, code: "validation_failed", field: "body" },
  // Accounts
  { name: "account with a lower-case currency", request: json("/api/accounts", { name: "x", currency: "eur" }), status: 400, code: "validation_failed", field: "currency" },
  { name: "account with an empty name", request: json("/api/accounts", { name: "   ", currency: "EUR" }), status: 400, code: "validation_failed", field: "name" },
  // Transactions
  { name: "amount as words", request: transaction({ amount: "ten" }), status: 400, code: "validation_failed", field: "amount" },
  { name: "amount with three decimals", request: transaction({ amount: 1.234 }), status: 400, code: "validation_failed", field: "amount" },
  { name: "zero amount", request: transaction({ amount: 0 }), status: 400, code: "validation_failed", field: "amount" },
  { name: "absurd amount", request: transaction({ amount: 1e20 }), status: 400, code: "validation_failed", field: "amount" },
  { name: "amount as an object", request: transaction({ amount: { value: 1 } }), status: 400, code: "validation_failed", field: "amount" },
  { name: "impossible date", request: transaction({ occurred_at: "2025-02-30" }), status: 400, code: "validation_failed", field: "occurred_at" },
  { name: "date in an unknown format", request: transaction({ occurred_at: "03/04/2025" }), status: 400, code: "validation_failed", field: "occurred_at" },
  { name: "date far in the future", request: transaction({ occurred_at: "99999-01-01" }), status: 400, code: "validation_failed", field: "occurred_at" },
  { name: "account_id with SQL injection", request: transaction({ account_id: "1'; DROP TABLE transactions; --" }), status: 400, code: "validation_failed", field: "account_id" },
  { name: "missing account_id", request: transaction({ account_id: undefined }), status: 400, code: "validation_failed", field: "account_id" },
  { name: "category_id not a UUID", request: transaction({ category_id: "groceries" }), status: 400, code: "validation_failed", field: "category_id" },
  { name: "description too long", request: transaction({ description: "x".repeat(501) }), status: 400, code: "validation_failed", field: "description" },
  { name: "description with a NUL byte", request: transaction({ description: "a\u0000b" }), status: 400, code: "validation_failed", field: "description" },
  { name: "unknown account", request: transaction({ account_id: "00000000-0000-4000-8000-000000000000" }), status: 404, code: "not_found", field: "account_id" },
  { name: "unknown category", request: transaction({ category_id: "00000000-0000-4000-8000-000000000000" }), status: 404, code: "not_found", field: "category_id" },
  { name: "idempotency key with spaces", request: (t) => ({ ...transaction({})(t), headers: { "idempotency-key": "has spaces in it" } }), status: 400, code: "validation_failed", field: "Idempotency-Key" },
  { name: "idempotency key too long", request: (t) => ({ ...transaction({})(t), headers: { "idempotency-key": "k".repeat(300) } }), status: 400, code: "validation_failed", field: "Idempotency-Key" },
  // Listing
  { name: "negative per_page", request: list("per_page=-1"), status: 400, code: "validation_failed", field: "per_page" },
  { name: "zero page", request: list("page=0"), status: 400, code: "validation_failed", field: "page" },
  { name: "page as text", request: list("page=two"), status: 400, code: "validation_failed", field: "page" },
  { name: "page given twice", request: list("page=1&page=2"), status: 400, code: "validation_failed", field: "page" },
  { name: "from after to", request: list("from=2025-02-01&to=2025-01-01"), status: 400, code: "validation_failed", field: "from" },
  { name: "from not a date", request: list("from=yesterday"), status: 400, code: "validation_failed", field: "from" },
  { name: "account_id filter with script injection", request: list("account_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E"), status: 400, code: "validation_failed", field: "account_id" },
  { name: "misspelt filter", request: list("acount_id=x"), status: 400, code: "validation_failed", field: "acount_id" },
  // Imports
  { name: "import without account_id", request: csv("date,description,amount\n2025-01-01,x,1\n", () => ""), status: 400, code: "validation_failed", field: "account_id" },
  { name: "import sent as JSON", request: (t) => json(`/api/imports?account_id=${t.accountId}`, { rows: [] })(t), status: 415, code: "unsupported_media_type" },
  { name: "import with a wrong header", request: csv("when,what,how much\n2025-01-01,x,1\n"), status: 400, code: "validation_failed", field: "csv" },
  { name: "import with a bad row", request: csv("date,description,amount\n2025-01-01,x,1\n2025-01-02,y,lots\n"), status: 400, code: "validation_failed", field: "rows[2].amount" },
  { name: "import larger than 1 MiB", request: csv(`date,description,amount\n${"2025-01-01,x,1\n".repeat(80_000)}`), status: 413, code: "payload_too_large" },
  { name: "import status with a malformed id", request: (t) => ({ method: "GET", url: "/api/imports/../../etc/passwd", token: t.token }), status: 404, code: "not_found" },
  { name: "import status with a non-UUID id", request: (t) => ({ method: "GET", url: "/api/imports/123", token: t.token }), status: 400, code: "validation_failed", field: "id" },
  // Budgets
  { name: "negative budget", request: (t) => json("/api/budgets", { category_id: t.accountId, monthly_limit: -5 })(t), status: 400, code: "validation_failed", field: "monthly_limit" },
  // Routing
  { name: "unknown route", request: (t) => ({ method: "GET", url: "/api/nothing-here", token: t.token }), status: 404, code: "not_found" },
];

describe("malformed requests", () => {
  it("covers at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s -> specific 4xx", async (_name, testCase) => {
    const response = await client.request(testCase.request(tenant));
    expect(response.statusCode).toBe(testCase.status);
    const body = response.json();
    expect(body.error).toMatchObject({ code: testCase.code, message: expect.any(String) });
    if (testCase.field) expect(Object.keys(body.error.fields ?? {})).toContain(testCase.field);
    expect(response.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
  });

  it("left the data untouched", async () => {
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM transactions");
    expect(rows[0].n).toBe(0);
    expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("0.00");
  });
});
