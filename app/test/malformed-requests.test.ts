/**
 * Bad input never reaches PostgreSQL as a 5xx: every malformed request gets a specific 4xx with
 * the error shape `{ error: { code, message, fields? } }` naming the problem. Malformed HTTP, which
 * Node refuses before any route runs, is sent over a real socket.
 */
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { sendRaw } from "./support/raw-http";
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
/** A JSON body as raw text, for what JSON.stringify would never write (lone surrogates). */
const rawJson = (url: string, body: string, headers: Record<string, string> = {}) => (t: Tenant) => ({
  method: "POST" as const,
  url,
  token: t.token,
  headers: { "content-type": "application/json", ...headers },
  payload: body,
});
const rawTransaction = (description: string, headers: Record<string, string> = {}) => (t: Tenant) =>
  rawJson("/api/transactions", `{"account_id":"${t.accountId}","amount":"-1.00","description":"${description}","occurred_at":"2025-01-01"}`, headers)(t);
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
  { name: "register with more than 64 characters before the @", request: register({ ...validRegistration, email: `${"a".repeat(65)}@example.com` }), status: 400, code: "validation_failed", field: "email" },
  { name: "register with a short password", request: register({ ...validRegistration, password: "short" }), status: 400, code: "validation_failed", field: "password" },
  { name: "register with a number as name", request: register({ ...validRegistration, name: 42 }), status: 400, code: "validation_failed", field: "name" },
  { name: "register with an unknown field", request: register({ ...validRegistration, admin: true }), status: 400, code: "validation_failed", field: "admin" },
  { name: "register with a NUL byte in the name", request: register({ ...validRegistration, name: "bad\u0000name" }), status: 400, code: "validation_failed", field: "name" },
  { name: "register with a lone surrogate in the name", request: (t) => ({ ...rawJson("/api/auth/register", '{"email":"s@example.com","password":"long enough password","name":"x\\ud800y"}')(t), token: undefined }), status: 400, code: "validation_failed", field: "name" },
  { name: "register with a lone surrogate in the password", request: (t) => ({ ...rawJson("/api/auth/register", '{"email":"s@example.com","password":"long enough \\udfff password","name":"x"}')(t), token: undefined }), status: 400, code: "validation_failed", field: "password" },
  { name: "login with a NUL in the email", request: () => ({ method: "POST", url: "/api/auth/login", payload: { email: "a\u0000b@example.com", password: "long enough password" } }), status: 400, code: "validation_failed", field: "email" },
  { name: "login with a lone surrogate in the email", request: (t) => ({ ...rawJson("/api/auth/login", '{"email":"a\\ud800@example.com","password":"long enough password"}')(t), token: undefined }), status: 400, code: "validation_failed", field: "email" },
  { name: "login with an array as password", request: () => ({ method: "POST", url: "/api/auth/login", payload: { email: "a@b.c", password: ["x"] } }), status: 400, code: "validation_failed", field: "password" },
  // Body syntax and size
  { name: "malformed JSON", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "application/json" }, payload: '{"name": "x",' }), status: 400, code: "bad_request" },
  { name: "JSON array instead of an object", request: json("/api/accounts", [1, 2]), status: 400, code: "validation_failed", field: "body" },
  { name: "prototype pollution attempt", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "application/json" }, payload: '{"name":"x","currency":"EUR","__proto__":{"admin":true}}' }), status: 400, code: "bad_request", field: "body" },
  { name: "constructor.prototype pollution attempt", request: rawJson("/api/accounts", '{"name":"x","currency":"EUR","constructor":{"prototype":{"admin":true}}}'), status: 400, code: "bad_request", field: "body" },
  { name: "huge body", request: json("/api/accounts", { name: "x".repeat(100_000), currency: "EUR" }), status: 413, code: "payload_too_large", field: "body" },
  { name: "text/plain body on a JSON route", request: (t) => ({ method: "POST", url: "/api/accounts", token: t.token, headers: { "content-type": "text/plain" }, payload: "name=x" }), status: 415, code: "unsupported_media_type", field: "content-type" },
  { name: "empty JSON body", request: rawJson("/api/accounts", ""), status: 400, code: "bad_request", field: "body" },
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
  { name: "description with a lone surrogate", request: rawTransaction("x\\ud800y"), status: 400, code: "validation_failed", field: "description" },
  // The stored replay of this request is jsonb, which refuses a lone surrogate: this was a 500.
  { name: "description with a lone surrogate and an Idempotency-Key", request: rawTransaction("x\\ud800y", { "idempotency-key": "surrogate-1" }), status: 400, code: "validation_failed", field: "description" },
  { name: "description with a reversed surrogate pair", request: rawTransaction("\\udc00\\ud800"), status: 400, code: "validation_failed", field: "description" },
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
  // Field names that are also Object.prototype's: they used to vanish from `fields`.
  { name: "__proto__ in the query", request: list("__proto__=x"), status: 400, code: "validation_failed", field: "__proto__" },
  { name: "constructor in the query", request: list("constructor=x"), status: 400, code: "validation_failed", field: "constructor" },
  { name: "hasOwnProperty in the query", request: list("hasOwnProperty=x"), status: 400, code: "validation_failed", field: "hasOwnProperty" },
  // Imports
  { name: "import without account_id", request: csv("date,description,amount\n2025-01-01,x,1\n", () => ""), status: 400, code: "validation_failed", field: "account_id" },
  { name: "import sent as JSON", request: (t) => json(`/api/imports?account_id=${t.accountId}`, { rows: [] })(t), status: 415, code: "unsupported_media_type" },
  { name: "import with a wrong header", request: csv("when,what,how much\n2025-01-01,x,1\n"), status: 400, code: "validation_failed", field: "csv" },
  { name: "import with a bad row", request: csv("date,description,amount\n2025-01-01,x,1\n2025-01-02,y,lots\n"), status: 400, code: "validation_failed", field: "rows[2].amount" },
  // The statement is stored as text, which cannot hold NUL: these were 500s.
  { name: "import with a NUL in an extra column", request: csv("date,description,amount,note\n2025-01-01,x,1,a\u0000b\n"), status: 400, code: "validation_failed", field: "rows[1].note" },
  { name: "import with a NUL in the header", request: csv("date,description,amount,no\u0000te\n2025-01-01,x,1,ab\n"), status: 400, code: "validation_failed", field: "header[4]" },
  { name: "import with a NUL in a description", request: csv("date,description,amount\n2025-01-01,x\u0000y,1\n"), status: 400, code: "validation_failed", field: "rows[1].description" },
  { name: "import with a NUL in a __proto__ column", request: csv("date,description,amount,__proto__\n2025-01-01,x,1,a\u0000b\n"), status: 400, code: "validation_failed", field: "rows[1].__proto__" },
  { name: "import larger than 1 MiB", request: csv(`date,description,amount\n${"2025-01-01,x,1\n".repeat(80_000)}`), status: 413, code: "payload_too_large" },
  { name: "import status with a malformed id", request: (t) => ({ method: "GET", url: "/api/imports/../../etc/passwd", token: t.token }), status: 404, code: "not_found" },
  { name: "import status with a non-UUID id", request: (t) => ({ method: "GET", url: "/api/imports/123", token: t.token }), status: 400, code: "validation_failed", field: "id" },
  // Budgets
  { name: "negative budget", request: (t) => json("/api/budgets", { category_id: t.accountId, monthly_limit: -5 })(t), status: 400, code: "validation_failed", field: "monthly_limit" },
  // Routing
  { name: "unknown route", request: (t) => ({ method: "GET", url: "/api/nothing-here", token: t.token }), status: 404, code: "not_found" },
  { name: "a method the path does not serve", request: (t) => ({ method: "DELETE", url: "/api/accounts", token: t.token }), status: 405, code: "method_not_allowed", field: "method" },
  { name: "a method with a body the path does not serve", request: (t) => ({ method: "PUT", url: `/api/imports/${t.accountId}`, token: t.token, headers: { "content-type": "application/xml" }, payload: "<x/>" }), status: 405, code: "method_not_allowed", field: "method" },
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

  it("names the allowed methods in a 405's Allow header", async () => {
    const response = await client.request({ method: "PATCH", url: "/api/transactions", token: tenant.token });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe("GET, HEAD, POST");
  });

  it("left the data untouched", async () => {
    const { rows } = await isolated.pool.query("SELECT count(*)::int AS n FROM transactions");
    expect(rows[0].n).toBe(0);
    expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("0.00");
  });
});

describe("well-formed text outside the Basic Multilingual Plane", () => {
  it("is kept and replayed: surrogate pairs are not lone surrogates", async () => {
    const other = await client.tenant();
    const headers = { "idempotency-key": "pizza-1" };
    const first = await client.createTransaction(other, { description: "Pizza 🍕 𝄞" }, headers);
    expect(first.statusCode).toBe(201);
    const replay = await client.createTransaction(other, { description: "Pizza 🍕 𝄞" }, headers);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.json()).toEqual(first.json());
    expect((await client.get(`/api/transactions?account_id=${other.accountId}`, other.token)).json().data[0].description).toBe("Pizza 🍕 𝄞");
  });
});

describe("malformed HTTP over a real socket", () => {
  let port: number;
  beforeAll(async () => {
    const address = await api.server.app.listen({ host: "127.0.0.1", port: 0 });
    port = Number(new URL(address).port);
  });

  const RAW_CASES: ReadonlyArray<{ name: string; request: () => string; status: number; code: string; field: string }> = [
    { name: "a request line that is not HTTP", request: () => "GARBAGE\r\n\r\n", status: 400, code: "bad_request", field: "method" },
    { name: "an unknown method", request: () => "FROB /api/accounts HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, code: "bad_request", field: "method" },
    { name: "a Content-Length that is not a number", request: () => "POST /api/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", status: 400, code: "bad_request", field: "content-length" },
    { name: "a header name with a space", request: () => "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", status: 400, code: "bad_request", field: "headers" },
    { name: "headers over Node's 16 KiB limit", request: () => `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, status: 431, code: "headers_too_large", field: "headers" },
    { name: "bad percent-encoding in the path", request: () => "GET /api/imports/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", status: 400, code: "bad_request", field: "path" },
    { name: "a path parameter over 100 characters", request: () => `GET /api/imports/${"a".repeat(150)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, status: 414, code: "uri_too_long", field: "path" },
    { name: "HTTP/1.1 without a Host header", request: () => "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", status: 400, code: "bad_request", field: "host" },
    { name: "an expectation other than 100-continue", request: () => "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}", status: 417, code: "expectation_failed", field: "expect" },
    { name: "CONNECT", request: () => "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n", status: 405, code: "method_not_allowed", field: "method" },
  ];

  it.each(RAW_CASES.map((c) => [c.name, c] as const))("%s -> the app's error shape", async (_name, testCase) => {
    const outcome = await sendRaw(port, testCase.request());
    if (outcome.kind !== "response") throw new Error(`no answer: ${outcome.kind} ${outcome.partial}`);
    const { status, headers, body } = outcome.response;
    expect(status).toBe(testCase.status);
    expect(headers["content-type"]).toMatch(/^application\/json/);
    const parsed = JSON.parse(body);
    expect(parsed).toEqual({ error: { code: testCase.code, message: expect.any(String), fields: expect.any(Object) } });
    expect(Object.keys(parsed.error.fields)).toContain(testCase.field);
  });
});
