/**
 * One error shape for every 4xx/5xx: `{ "error": { "code", "message", "fields"? } }`. Internal
 * details (stacks, SQL) never reach the client; they are logged with the request's trace.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type DomainErrorKind } from "../../domain/errors";
import { traceFields } from "../logging";
import { sendDependencyUnavailable, unavailableDependency, type Dependency } from "./dependencies";

const STATUS_BY_KIND: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
};

/** Fastify's and Node's own 4xx (HTTP syntax, body parsing, content types, limits) under stable codes. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "bad_request",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  417: "expectation_failed",
  431: "headers_too_large",
};

/** The part of the request each of fastify's own refusals is about, and the rule it broke. */
const FIELD_BY_FASTIFY_CODE: Readonly<Record<string, readonly [field: string, rule: string]>> = {
  FST_ERR_BAD_URL: ["path", "must be valid percent-encoded UTF-8"],
  FST_ERR_MAX_PARAM_LENGTH: ["path", "has a segment longer than 100 characters"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["content-type", "is not a media type this route takes"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["content-length", "does not match the body"],
  FST_ERR_CTP_BODY_TOO_LARGE: ["body", "is too large"],
  FST_ERR_CTP_EMPTY_JSON_BODY: ["body", "must not be empty"],
  // Also prototype poisoning: secure-json-parse refuses `__proto__` and `constructor.prototype` keys.
  FST_ERR_CTP_INVALID_JSON_BODY: ["body", "must be valid JSON without __proto__ or constructor.prototype keys"],
};

/** An HTTP-level refusal (wrong media type...) raised by a route rather than by a use case. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly fields?: Readonly<Record<string, string>> };
}

export function errorBody(code: string, message: string, fields?: Readonly<Record<string, string>>): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** The error code of an HTTP status this app answers with. */
export const codeForStatus = (status: number): string => CODE_BY_STATUS[status] ?? (status >= 500 ? "internal" : "bad_request");

export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    return { status: STATUS_BY_KIND[error.kind], body: errorBody(error.code, error.message, error.fields) };
  }
  const status = (error as FastifyError | undefined)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const message = (error as Error).message || "bad request";
    const named = FIELD_BY_FASTIFY_CODE[(error as FastifyError).code];
    const fields = error instanceof HttpError ? error.fields : named ? { [named[0]]: named[1] } : undefined;
    return { status, body: errorBody(codeForStatus(status), message, fields) };
  }
  return { status: 500, body: errorBody("internal", "internal error; it has been logged") };
}

/** `dependencies`: a failure caused by one of them being down is a 503 naming it, not a 500. */
export function createErrorHandler(project: string | undefined, dependencies: readonly Dependency[] = []) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(error);
    const down = status >= 500 ? unavailableDependency(dependencies, error) : undefined;
    if (down) {
      request.log.warn({ ...traceFields(request.headers, project), error, dependency: down.name, method: request.method, url: request.url }, "dependency unavailable");
      return sendDependencyUnavailable(reply, down);
    }
    if (status >= 500) {
      request.log.error({ ...traceFields(request.headers, project), error, method: request.method, url: request.url }, "request failed");
    }
    return reply.status(status).send(body);
  };
}
