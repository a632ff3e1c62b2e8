/**
 * The api's routes, defined once: method, path, the zod schemas each request part is validated
 * with, and what each status means. api-routes.ts registers the handlers at these paths and parses
 * with these schemas; openapi.ts publishes them as an OpenAPI 3.1 description.
 */
import { z } from "zod";
import {
  accountListResponse,
  accountResponse,
  budgetResponse,
  categoryListResponse,
  clientConfigResponse,
  createAccountBody,
  createTransactionBody,
  healthResponse,
  idempotencyKeyHeader,
  idParams,
  importAcceptedResponse,
  importListResponse,
  importQuery,
  importResponse,
  listTransactionsQuery,
  loginBody,
  notificationListResponse,
  readyResponse,
  registerBody,
  registeredResponse,
  setBudgetBody,
  spendingQuery,
  spendingResponse,
  tokenResponse,
  transactionPageResponse,
  transactionResponse,
} from "./api-schemas";
import { HEALTH_PATH, READY_PATH } from "./server";

export type HttpMethod = "GET" | "POST";

/** A schema whose input is an object of named parts (query string, path parameters, headers). */
type NamedParts = z.ZodType<unknown, Record<string, unknown>>;

export interface ApiOperation {
  readonly method: HttpMethod;
  /** OpenAPI path template (`/api/imports/{id}`); fastify's form (`:id`) comes from `routePath`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** Needs `Authorization: Bearer <token>`. */
  readonly authenticated: boolean;
  readonly query?: NamedParts;
  readonly params?: NamedParts;
  readonly headers?: NamedParts;
  readonly body?: { readonly contentType: "application/json" | "text/csv"; readonly schema: z.ZodType; readonly maxBytes?: number };
  /** The success status and what it returns. */
  readonly success: { readonly status: number; readonly description: string; readonly schema: z.ZodType; readonly headers?: NamedParts };
  /** Refusals particular to this operation (the shared ones are added by openapi.ts). */
  readonly errors?: Readonly<Record<number, string>>;
}

/** Statements up to 1 MiB; larger uploads get a 413. */
export const MAX_CSV_BYTES = 1024 * 1024;

const json = (schema: z.ZodType) => ({ contentType: "application/json" as const, schema });

export const API = {
  health: {
    method: "GET",
    path: HEALTH_PATH,
    summary: "Liveness: the process is up",
    tag: "operations",
    authenticated: false,
    success: { status: 200, description: "the process is up", schema: healthResponse },
  },
  ready: {
    method: "GET",
    path: READY_PATH,
    summary: "Readiness: PostgreSQL and Redis answer and the instance is not draining",
    tag: "operations",
    authenticated: false,
    success: { status: 200, description: "ready for traffic", schema: readyResponse },
  },
  openapi: {
    method: "GET",
    path: "/api/openapi.json",
    summary: "This OpenAPI 3.1 description",
    tag: "operations",
    authenticated: false,
    success: { status: 200, description: "the OpenAPI document", schema: z.looseObject({ openapi: z.string() }) },
  },
  clientConfig: {
    method: "GET",
    path: "/api/client-config",
    summary: "What the web dashboard needs to know at start: where the realtime WebSocket is",
    tag: "operations",
    authenticated: false,
    success: { status: 200, description: "the client settings", schema: clientConfigResponse },
  },
  register: {
    method: "POST",
    path: "/api/auth/register",
    summary: "Create a user (with default categories and rules) and sign in",
    tag: "auth",
    authenticated: false,
    body: json(registerBody),
    success: { status: 201, description: "the user and a bearer token", schema: registeredResponse },
    errors: { 409: "the email is already registered" },
  },
  login: {
    method: "POST",
    path: "/api/auth/login",
    summary: "Exchange email and password for a bearer token",
    tag: "auth",
    authenticated: false,
    body: json(loginBody),
    success: { status: 200, description: "a new bearer token", schema: tokenResponse },
    errors: { 401: "unknown email or wrong password" },
  },
  listAccounts: {
    method: "GET",
    path: "/api/accounts",
    summary: "The tenant's accounts with balances",
    tag: "accounts",
    authenticated: true,
    success: { status: 200, description: "every account of the tenant", schema: accountListResponse },
  },
  createAccount: {
    method: "POST",
    path: "/api/accounts",
    summary: "Open an account",
    tag: "accounts",
    authenticated: true,
    body: json(createAccountBody),
    success: { status: 201, description: "the new account", schema: accountResponse },
  },
  listCategories: {
    method: "GET",
    path: "/api/categories",
    summary: "The tenant's categories",
    tag: "categories",
    authenticated: true,
    success: { status: 200, description: "every category of the tenant", schema: categoryListResponse },
  },
  setBudget: {
    method: "POST",
    path: "/api/budgets",
    summary: "Set (or replace) a category's monthly budget",
    tag: "categories",
    authenticated: true,
    body: json(setBudgetBody),
    success: { status: 201, description: "the budget", schema: budgetResponse },
    errors: { 404: "no such category for this tenant" },
  },
  spending: {
    method: "GET",
    path: "/api/spending",
    summary: "Outgoings per category in a month (uncategorised as null), with each category's budget",
    tag: "categories",
    authenticated: true,
    query: spendingQuery,
    success: { status: 200, description: "the month's spending, most spent first", schema: spendingResponse },
  },
  listNotifications: {
    method: "GET",
    path: "/api/notifications",
    summary: "The tenant's latest 20 notifications (budgets exceeded, ...), newest first",
    tag: "notifications",
    authenticated: true,
    success: { status: 200, description: "the latest notifications", schema: notificationListResponse },
  },
  listTransactions: {
    method: "GET",
    path: "/api/transactions",
    summary: "A page of the tenant's transactions, newest first",
    tag: "transactions",
    authenticated: true,
    query: listTransactionsQuery,
    success: { status: 200, description: "one page", schema: transactionPageResponse },
    errors: { 404: "no such account or category for this tenant" },
  },
  createTransaction: {
    method: "POST",
    path: "/api/transactions",
    summary: "Record a transaction (categorised in the background when no category is given)",
    tag: "transactions",
    authenticated: true,
    headers: z.object({ "Idempotency-Key": idempotencyKeyHeader.meta({ description: "a retry with the same key and body returns the first answer and creates nothing" }) }),
    body: json(createTransactionBody),
    success: {
      status: 201,
      description: "the transaction (or, for a repeated Idempotency-Key, the first answer)",
      schema: transactionResponse,
      headers: z.object({ "Idempotent-Replayed": z.literal("true").optional().meta({ description: "present on a replayed answer" }) }),
    },
    errors: { 404: "no such account or category for this tenant", 422: "the Idempotency-Key was used with a different body" },
  },
  startImport: {
    method: "POST",
    path: "/api/imports",
    summary: "Upload a CSV statement (date,description,amount); the worker imports it",
    tag: "imports",
    authenticated: true,
    query: importQuery,
    body: { contentType: "text/csv", schema: z.string().meta({ examples: ["date,description,amount\n2025-01-31,Coffee,-3.20\n"] }), maxBytes: MAX_CSV_BYTES },
    success: { status: 202, description: "accepted: poll GET /api/imports/{id}", schema: importAcceptedResponse },
    errors: { 404: "no such account for this tenant" },
  },
  listImports: {
    method: "GET",
    path: "/api/imports",
    summary: "The tenant's latest 10 imports with their progress, newest first",
    tag: "imports",
    authenticated: true,
    success: { status: 200, description: "the latest imports", schema: importListResponse },
  },
  getImport: {
    method: "GET",
    path: "/api/imports/{id}",
    summary: "An import's progress",
    tag: "imports",
    authenticated: true,
    params: idParams,
    success: { status: 200, description: "the import", schema: importResponse },
    errors: { 404: "no such import for this tenant" },
  },
} as const satisfies Record<string, ApiOperation>;

export type OperationName = keyof typeof API;

/** `/api/imports/{id}` -> `/api/imports/:id`. */
export const routePath = (operation: ApiOperation): string => operation.path.replace(/\{(\w+)\}/g, ":$1");
