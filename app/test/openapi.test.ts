/**
 * The published OpenAPI description: valid OpenAPI 3.1 (checked against the specification's own
 * JSON schema), served by the api, committed as docs/openapi.json, naming every route the api
 * registers, and true to what the api answers (each success answer parses with its documented
 * schema, with no field the schema does not name).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { API, routePath, type ApiOperation } from "../adapters/http/api-contract";
import { buildOpenApiDocument, OPENAPI_FILE, openApiJson } from "../adapters/http/openapi";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { eventually, startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;

beforeAll(async () => {
  isolated = await isolate("openapi");
  api = await startApi(isolated);
  client = new ApiClient(api.server.app);
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
});

type Document = ReturnType<typeof buildOpenApiDocument>;

describe("the OpenAPI description", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(openApiJson()));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("names every route the api registers, and nothing else", async () => {
    await api.server.app.ready(); // plugins (the tenant scope) register their routes on ready
    const document: Document = buildOpenApiDocument();
    const documented = Object.entries(document.paths ?? {})
      .flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`))
      .sort();
    // fastify adds HEAD for every GET (exposeHeadRoutes); OpenAPI implies it.
    const registered = api.server.routes.filter((route) => !route.startsWith("HEAD ")).sort();
    expect(registered.length).toBeGreaterThanOrEqual(13);
    expect(documented).toEqual(registered);
  });

  it("is served at GET /api/openapi.json without a token", async () => {
    const response = await client.get(API.openapi.path);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.json()).toEqual(JSON.parse(openApiJson()));
  });

  it("is committed as docs/openapi.json, up to date (npm run openapi rewrites it)", () => {
    expect(readFileSync(join(__dirname, "..", "..", OPENAPI_FILE), "utf8")).toBe(openApiJson());
  });

  it("documents the error shape, authentication and the refusals of each operation", () => {
    const document: Document = buildOpenApiDocument();
    const createTransaction = document.paths?.["/api/transactions"]?.post;
    expect(createTransaction?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(createTransaction?.responses ?? {}).sort()).toEqual(["201", "400", "401", "404", "413", "415", "422", "503"]);
    expect(createTransaction?.parameters).toEqual([expect.objectContaining({ in: "header", name: "Idempotency-Key" })]);
    expect(document.paths?.["/api/auth/register"]?.post?.security).toEqual([]);
    expect(document.components?.schemas?.Error).toMatchObject({ required: ["error"] });
  });
});

describe("the api's answers match their documented schemas", () => {
  /** Parses an answer with the operation's success schema and checks nothing was left out of it. */
  function conforms(operation: ApiOperation, response: { statusCode: number; body: string }) {
    expect(response.statusCode, response.body).toBe(operation.success.status);
    const body = JSON.parse(response.body);
    const parsed = (operation.success.schema as z.ZodType).safeParse(body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    // zod strips keys a schema does not name: a difference is an undocumented field.
    expect(parsed.data).toEqual(body);
    return body;
  }

  it("for every operation", async () => {
    const email = `openapi-${isolated.id}@example.com`;
    const registered = conforms(API.register, await client.post(API.register.path, { email, password: "correct horse battery", name: "Open Api" }));
    conforms(API.login, await client.post(API.login.path, { email, password: "correct horse battery" }));
    const token = registered.token as string;
    const account = conforms(API.createAccount, await client.post(API.createAccount.path, { name: "Main", currency: "EUR" }, token));
    conforms(API.listAccounts, await client.get(API.listAccounts.path, token));
    const categories = conforms(API.listCategories, await client.get(API.listCategories.path, token));
    conforms(API.setBudget, await client.post(API.setBudget.path, { category_id: categories.data[0].id, monthly_limit: "100" }, token));
    const created = { account_id: account.id, amount: "-4.20", description: "Coffee ☕", occurred_at: "2025-02-03T08:00:00+01:00" };
    conforms(API.createTransaction, await client.post(API.createTransaction.path, created, token, { "idempotency-key": "openapi-1" }));
    const replayed = await client.post(API.createTransaction.path, created, token, { "idempotency-key": "openapi-1" });
    conforms(API.createTransaction, replayed);
    expect(replayed.headers["idempotent-replayed"]).toBe("true");
    conforms(API.listTransactions, await client.get(`${API.listTransactions.path}?account_id=${account.id}&per_page=5`, token));
    const upload = await client.request({
      method: "POST",
      url: `${API.startImport.path}?account_id=${account.id}`,
      token,
      headers: { "content-type": "text/csv" },
      payload: "date,description,amount\n2025-01-31,Salary,1000\n",
    });
    const accepted = conforms(API.startImport, upload);
    conforms(API.getImport, await client.get(routePath(API.getImport).replace(":id", accepted.id), token));
    conforms(API.listImports, await client.get(API.listImports.path, token));
    conforms(API.spending, await client.get(`${API.spending.path}?month=2025-02`, token));
    const { deliverNotification } = await import("../domain/actions/notify");
    await deliverNotification({ db: api.core.db, events: api.core.events }, { user_id: registered.user.id, key: "openapi", kind: "budget.exceeded", data: { month: "2025-02" } });
    conforms(API.listNotifications, await client.get(API.listNotifications.path, token));
    conforms(API.clientConfig, await client.get(API.clientConfig.path));
    conforms(API.health, await client.get(API.health.path));
    await eventually(async () => (await client.get(API.ready.path)).statusCode === 200, 10_000, "readiness");
    conforms(API.ready, await client.get(API.ready.path));
    conforms(API.openapi, await client.get(API.openapi.path));
  });

  it("for refusals: the Error schema", async () => {
    const document: Document = buildOpenApiDocument();
    expect(document.paths?.["/api/accounts"]?.get?.responses?.["401"]).toBeDefined();
    const refused = await client.get(API.listAccounts.path);
    expect(refused.statusCode).toBe(401);
    const { errorResponse } = await import("../adapters/http/api-schemas");
    expect(errorResponse.parse(refused.json())).toEqual(refused.json());
  });
});
