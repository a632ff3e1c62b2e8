/**
 * The HTTP base every role shares: fastify with JSON errors, `GET /healthz` (the process is up,
 * whatever its dependencies do) and `GET /readyz` (PostgreSQL and Redis answer; 503 while draining
 * or when they do not), and a fast 503 for other requests while a dependency is down.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../logging";
import { refuseWhileUnavailable, unavailableDependency, type Dependency } from "./dependencies";
import { trackConnections, type DrainOptions, type DrainResult } from "./drain";
import { codeForStatus, createErrorHandler, errorBody, type ErrorBody } from "./errors";

export const JSON_BODY_LIMIT = 16 * 1024;
export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
const READINESS_TIMEOUT_MS = 2_000;

export interface HttpServerOptions {
  readonly logger: Logger;
  readonly project?: string;
  /** Resolves when the role's dependencies are reachable. */
  readonly ready: () => Promise<void>;
  /** What the role needs to answer requests; while one is down, requests get a 503 naming it. */
  readonly dependencies?: readonly Dependency[];
}

/** The probes: answered whatever the dependencies do (readiness reports them itself). */
const HEALTH_ROUTES = ["/healthz", "/readyz"] as const;

export interface HttpServer {
  readonly app: FastifyInstance;
  /** Every route registered, as `METHOD /path` (fastify's path syntax), for checks such as the OpenAPI test. */
  readonly routes: readonly string[];
  /** Readiness fails from now on, so load balancers stop sending new work before we close. */
  markDraining(): void;
  /**
   * Stops accepting connections, lets every request in flight finish (answered with
   * `Connection: close`), ends idle keep-alive connections after a grace, and resolves when all
   * are closed (see drain.ts). Then `app.close()` finds nothing left to cut.
   */
  drain(options?: DrainOptions): Promise<DrainResult>;
}

/**
 * A whole HTTP/1.1 response for a request Node refused before fastify saw it (there is no reply
 * object then, only the socket), in the app's error shape; the connection closes after it.
 */
function rawErrorResponse(status: number, body: ErrorBody): string {
  const json = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(json)}`,
    "Connection: close",
    "",
    json,
  ].join("\r\n");
}

/** Which part of the request Node's HTTP parser (llhttp) choked on, by its error code. */
const FIELD_BY_PARSER_ERROR: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: "method",
  HPE_INVALID_URL: "path",
  HPE_INVALID_VERSION: "version",
  HPE_INVALID_CONSTANT: "request line",
  HPE_INVALID_HEADER_TOKEN: "headers",
  HPE_HEADER_OVERFLOW: "headers",
  HPE_LF_EXPECTED: "headers",
  HPE_CR_EXPECTED: "headers",
  HPE_INVALID_CONTENT_LENGTH: "content-length",
  HPE_UNEXPECTED_CONTENT_LENGTH: "content-length",
  HPE_INVALID_TRANSFER_ENCODING: "transfer-encoding",
  HPE_INVALID_CHUNK_SIZE: "body",
  HPE_INVALID_EOF_STATE: "body",
};

/**
 * Node's `clientError`: the request could not be parsed (or timed out) so no route ran. Answer in
 * the app's shape rather than fastify's default `{"error":"Bad Request","statusCode":400}`.
 */
function answerClientError(error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // A route already answered (say a 401 before reading a body that then turned out malformed):
  // a second response on the socket would corrupt the stream, so only close it.
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (!socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const message =
    status === 408 ? "the request did not arrive in time" : status === 431 ? "the request's headers are too large" : `malformed HTTP request: ${error.reason ?? error.code ?? "unreadable"}`;
  const field = FIELD_BY_PARSER_ERROR[error.code ?? ""] ?? "request";
  socket.end(rawErrorResponse(status, errorBody(codeForStatus(status), message, { [field]: message })));
}

/** The methods registered for a concrete path (`:param` matches one segment). */
function allowedMethods(routes: readonly string[], path: string): string[] {
  const allowed = new Set<string>();
  for (const route of routes) {
    const [method = "", pattern = ""] = route.split(" ");
    const segments = pattern.split("/");
    const actual = path.split("/");
    if (segments.length === actual.length && segments.every((segment, i) => segment.startsWith(":") ? actual[i] !== "" : segment === actual[i])) {
      allowed.add(method);
    }
  }
  return [...allowed].sort();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request log lines cost more CPU than the cached read they describe; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: true,
    // Shutdown drains connections itself (drain.ts) before fastify closes.
    return503OnClosing: true,
    forceCloseConnections: false,
    // Cloud Run's front end keeps connections open for a long time; stay above its idle timeout.
    keepAliveTimeout: 620_000,
    // Malformed HTTP, bad percent-encoding and over-long path parameters get the app's error shape.
    clientErrorHandler: answerClientError,
    frameworkErrors: createErrorHandler(options.project),
    // Node would answer a Host-less HTTP/1.1 request with an empty 400; the hook below names the header.
    http: { requireHostHeader: false },
  });
  let draining = false;
  const routes: string[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  const connections = trackConnections(app.server);

  // JSON only (routes add what else they take, e.g. text/csv): other bodies get a 415.
  app.removeContentTypeParser("text/plain");
  const dependencies = options.dependencies ?? [];
  app.setErrorHandler(createErrorHandler(options.project, dependencies));
  refuseWhileUnavailable(app, dependencies, HEALTH_ROUTES);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`)),
  );
  app.addHook("onRequest", async (request, reply) => {
    // RFC 9112, section 3.2: a server must answer 400 to an HTTP/1.1 request without a Host header.
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      return reply.status(400).send(errorBody("bad_request", "an HTTP/1.1 request needs a Host header", { host: "is required" }));
    }
    // A known path with another method: 405 with Allow (RFC 9110, section 15.5.6), decided before
    // any body is read, rather than a 404 or a complaint about the body of a method we do not serve.
    if (request.is404) {
      const path = request.url.split("?")[0] ?? "";
      const allowed = allowedMethods(routes, path);
      if (allowed.length > 0) {
        const message = `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`;
        return reply.status(405).header("allow", allowed.join(", ")).send(errorBody("method_not_allowed", message, { method: message }));
      }
    }
  });
  // Expectations other than 100-continue (which Node handles) and CONNECT, which Node would answer
  // with an empty 417 or a closed connection.
  app.server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify(errorBody("expectation_failed", "only Expect: 100-continue is supported", { expect: `${String(request.headers.expect)} is not supported` }));
    response.writeHead(417, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
  });
  app.server.on("connect", (_request: unknown, socket: Duplex) => {
    socket.end(rawErrorResponse(405, errorBody("method_not_allowed", "CONNECT is not supported", { method: "CONNECT is not supported" })));
  });
  app.get(HEALTH_PATH, async () => ({ status: "ok" }));
  app.get(READY_PATH, async (_request, reply) => {
    if (draining) return reply.status(503).send(errorBody("draining", "shutting down"));
    const down = unavailableDependency(dependencies);
    if (down) return reply.status(503).send(errorBody("not_ready", `dependencies unreachable: ${down.name} is down`));
    try {
      await withTimeout(options.ready(), READINESS_TIMEOUT_MS);
      return { status: "ready" };
    } catch (error) {
      return reply.status(503).send(errorBody("not_ready", `dependencies unreachable: ${(error as Error).message}`));
    }
  });

  return {
    app,
    routes,
    markDraining: () => void (draining = true),
    drain: (drainOptions) => {
      draining = true;
      return connections.drain(drainOptions);
    },
  };
}
