/**
 * The HTTP base every role shares: fastify with JSON errors, `GET /healthz` (the process is up,
 * whatever its dependencies do) and `GET /readyz` (PostgreSQL and Redis answer; 503 while draining
 * or when they do not), and a fast 503 for other requests while a dependency is down.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "../logging";
import { refuseWhileUnavailable, unavailableDependency, type Dependency } from "./dependencies";
import { trackConnections, type DrainOptions, type DrainResult } from "./drain";
import { createErrorHandler, errorBody } from "./errors";

export const JSON_BODY_LIMIT = 16 * 1024;
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
  /** Readiness fails from now on, so load balancers stop sending new work before we close. */
  markDraining(): void;
  /**
   * Stops accepting connections, lets every request in flight finish (answered with
   * `Connection: close`), ends idle keep-alive connections after a grace, and resolves when all
   * are closed (see drain.ts). Then `app.close()` finds nothing left to cut.
   */
  drain(options?: DrainOptions): Promise<DrainResult>;
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
  });
  let draining = false;
  const connections = trackConnections(app.server);

  // JSON only (routes add what else they take, e.g. text/csv): other bodies get a 415.
  app.removeContentTypeParser("text/plain");
  const dependencies = options.dependencies ?? [];
  app.setErrorHandler(createErrorHandler(options.project, dependencies));
  refuseWhileUnavailable(app, dependencies, HEALTH_ROUTES);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`)),
  );
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
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
    markDraining: () => void (draining = true),
    drain: (drainOptions) => {
      draining = true;
      return connections.drain(drainOptions);
    },
  };
}
