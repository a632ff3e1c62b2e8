/**
 * The public JSON API. Handlers only translate HTTP <-> use cases: validate the DTO, call the
 * Action or Query, shape the status code. Cached reads are sent as the stored JSON string.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createAccount } from "../../domain/actions/accounts";
import { login, registerUser, type AuthDeps } from "../../domain/actions/auth";
import { setBudget } from "../../domain/actions/budgets";
import { startImport } from "../../domain/actions/imports";
import { createTransaction, type CreateTransactionDeps } from "../../domain/actions/transactions";
import type { JsonDocument, ReadCache, StatementParser } from "../../domain/ports";
import { authenticate } from "../../domain/queries/authenticate";
import { getImport } from "../../domain/queries/imports";
import { listAccounts, listCategories } from "../../domain/queries/tenant-lists";
import { listTransactions } from "../../domain/queries/transactions";
import {
  createAccountBody,
  createTransactionBody,
  idempotencyKeyHeader,
  idParams,
  importQuery,
  listTransactionsQuery,
  loginBody,
  registerBody,
  setBudgetBody,
} from "./api-schemas";
import { API, MAX_CSV_BYTES, routePath, type ApiOperation } from "./api-contract";
import { bearerToken } from "./bearer";
import { HttpError } from "./errors";
import { openApiJson } from "./openapi";
import { parseInput } from "./validation";

export type ApiDeps = AuthDeps & CreateTransactionDeps & { readonly cache: ReadCache; readonly parser: StatementParser };

/**
 * Set on a 201/202 whose write is committed but whose follow-ups (cache refresh, realtime events,
 * background task) could not run yet: they wait in the outbox and run within seconds.
 */
export const FOLLOW_UP_HEADER = "follow-up";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated tenant (set by the auth hook on /api routes). */
    userId: string;
  }
}

const sendJson = (reply: FastifyReply, status: number, json: JsonDocument) =>
  reply.status(status).type("application/json; charset=utf-8").send(json);

/** Registers a handler at the operation's method and path (api-contract.ts holds both). */
const on = (scope: FastifyInstance, operation: ApiOperation, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
  scope.route({ method: operation.method, url: routePath(operation), handler });

export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.addContentTypeParser("text/csv", { parseAs: "string", bodyLimit: MAX_CSV_BYTES }, (_request, body, done) => done(null, body));

  on(app, API.openapi, async (_request, reply) => sendJson(reply, 200, openApiJson()));
  on(app, API.register, async (request, reply) =>
    reply.status(201).send(await registerUser(deps, parseInput(registerBody, request.body, "body"))),
  );
  on(app, API.login, async (request) => login(deps, parseInput(loginBody, request.body, "body")));

  app.register(async (tenantScope) => {
    tenantScope.decorateRequest("userId", "");
    // Before the body is read: an unauthenticated upload is refused without buffering it.
    tenantScope.addHook("onRequest", async (request) => {
      request.userId = await authenticate(deps.tokens, bearerToken(request.headers.authorization));
    });

    on(tenantScope, API.listAccounts, async (request, reply) => sendJson(reply, 200, await listAccounts(deps, request.userId)));
    on(tenantScope, API.createAccount, async (request, reply) =>
      reply.status(201).send(await createAccount(deps, request.userId, parseInput(createAccountBody, request.body, "body"))),
    );
    on(tenantScope, API.listCategories, async (request, reply) => sendJson(reply, 200, await listCategories(deps, request.userId)));
    on(tenantScope, API.setBudget, async (request, reply) => {
      const body = parseInput(setBudgetBody, request.body, "body");
      return reply.status(201).send(await setBudget(deps, request.userId, { categoryId: body.category_id, monthlyLimitCents: body.monthly_limit }));
    });

    on(tenantScope, API.listTransactions, async (request, reply) =>
      sendJson(reply, 200, await listTransactions(deps, request.userId, parseInput(listTransactionsQuery, request.query, "query"))),
    );
    on(tenantScope, API.createTransaction, async (request, reply) => {
      const idempotencyKey = parseInput(idempotencyKeyHeader, request.headers["idempotency-key"], "Idempotency-Key");
      const body = parseInput(createTransactionBody, request.body, "body");
      const result = await createTransaction(deps, {
        userId: request.userId,
        accountId: body.account_id,
        amountCents: body.amount,
        description: body.description,
        occurredAt: body.occurred_at,
        categoryId: body.category_id ?? null,
        idempotencyKey,
      });
      if (result.replayed) reply.header("idempotent-replayed", "true");
      if (result.followUps === "deferred") reply.header(FOLLOW_UP_HEADER, "deferred");
      return reply.status(201).send(result.transaction);
    });

    on(tenantScope, API.startImport, async (request, reply) => {
      const { account_id: accountId } = parseInput(importQuery, request.query, "query");
      if (typeof request.body !== "string") {
        throw new HttpError(415, "send the statement as a text/csv body", { "content-type": "must be text/csv" });
      }
      return reply.status(202).send(await startImport(deps, request.userId, accountId, request.body));
    });
    on(tenantScope, API.getImport, async (request) => getImport(deps, request.userId, parseInput(idParams, request.params, "path").id));
  });
}
