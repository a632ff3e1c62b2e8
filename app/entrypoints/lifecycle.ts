/**
 * Running a role until Cloud Run (or Ctrl-C) stops it. On SIGTERM Cloud Run gives 10 s: we stop
 * taking work, drain what is in flight, close sockets and pools, and exit before the deadline.
 */
import type { HttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";

export interface RoleInstance {
  readonly server: HttpServer;
  /** Drains and closes everything the role opened. */
  close(): Promise<void>;
}

export async function serveUntilStopped(role: RoleInstance, config: AppConfig, logger: Logger): Promise<void> {
  // A deep accept queue: a burst of new connections (the dispatcher opening its pool) must wait
  // in it rather than overflow.
  await role.server.app.listen({ host: "0.0.0.0", port: config.port, backlog: 4096 });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      logger.error({ graceMs: config.shutdownGraceMs }, "shutdown took too long; exiting");
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    role
      .close()
      .then(() => {
        logger.info("stopped cleanly");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** Closes the HTTP side first (readiness turns red, in-flight requests finish), then the rest. */
export async function closeInOrder(server: HttpServer, ...rest: Array<() => Promise<unknown>>): Promise<void> {
  server.markDraining();
  await server.app.close();
  for (const close of rest) await close();
}
