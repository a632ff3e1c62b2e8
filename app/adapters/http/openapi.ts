/**
 * The api's OpenAPI 3.1 description, generated from api-contract.ts (the same zod schemas the
 * handlers validate with) by zod-openapi, which renders them with zod's own `z.toJSONSchema`:
 * request schemas as their input type, answers as their output type. Served at
 * `GET /api/openapi.json` and committed as docs/openapi.json (`npm run openapi`).
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { API, type ApiOperation } from "./api-contract";
import { errorResponse } from "./api-schemas";

export const OPENAPI_TITLE = "valorize api";
export const OPENAPI_VERSION = "1.0.0";
/** Where `npm run openapi` commits the document, relative to the repository root. */
export const OPENAPI_FILE = "docs/openapi.json";

const errorContent = { "application/json": { schema: errorResponse } };
const error = (description: string) => ({ description, content: errorContent });

/** The refusals any operation of this shape can answer with, besides its own. */
function responses(operation: ApiOperation): ZodOpenApiResponsesObject {
  const { success } = operation;
  const result: ZodOpenApiResponsesObject = {
    [String(success.status)]: {
      description: success.description,
      content: { "application/json": { schema: success.schema } },
      ...(success.headers ? { headers: success.headers } : {}),
    },
  };
  const add = (status: number, description: string) => void (result[String(status) as `4${string}`] ??= error(description));
  for (const [status, description] of Object.entries(operation.errors ?? {})) add(Number(status), description);
  add(400, "invalid input: `error.fields` names each bad field");
  if (operation.authenticated) add(401, "missing, unknown or expired bearer token");
  if (operation.params) add(414, "a path segment is longer than 100 characters");
  if (operation.body) {
    add(413, `the body is larger than ${operation.body.maxBytes ? `${operation.body.maxBytes} bytes` : "the limit"}`);
    add(415, `the body is not ${operation.body.contentType}`);
  }
  add(503, "a dependency (PostgreSQL, Redis) is unreachable or the instance is draining; retry later");
  return result;
}

function operationObject(name: string, operation: ApiOperation): ZodOpenApiOperationObject {
  return {
    operationId: name,
    summary: operation.summary,
    tags: [operation.tag],
    security: operation.authenticated ? [{ bearer: [] }] : [],
    requestParams: {
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.params ? { path: operation.params } : {}),
      ...(operation.headers ? { header: operation.headers } : {}),
    },
    ...(operation.body
      ? { requestBody: { required: true, content: { [operation.body.contentType]: { schema: operation.body.schema } } } }
      : {}),
    responses: responses(operation),
  };
}

/** The document, built from every operation in api-contract.ts. */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, operation] of Object.entries(API) as Array<[string, ApiOperation]>) {
    const method = operation.method.toLowerCase() as "get" | "post";
    paths[operation.path] = { ...paths[operation.path], [method]: operationObject(name, operation) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: OPENAPI_TITLE,
      version: OPENAPI_VERSION,
      description:
        "Personal finance API: accounts, transactions (idempotent writes with Idempotency-Key), budgets and CSV imports. " +
        "Every error is `{ error: { code, message, fields? } }`.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "a token from /api/auth/register or /api/auth/login" } } },
    paths,
  });
}

let cached: string | undefined;

/** The document as JSON text, built on first use (the contract does not change at run time). */
export function openApiJson(): string {
  cached ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  return cached;
}
