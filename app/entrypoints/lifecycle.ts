/**
 * Running a role until Cloud Run (or Ctrl-C) stops it. Cloud Run sends SIGTERM and SIGKILL 10 s
 * later (https://cloud.google.com/run/docs/container-contract, "Instance shutdown"). On SIGTERM
 * we fail readiness, stop accepting connections, let the requests in flight finish and close the
 * keep-alive connections cleanly (see adapters/http/drain.ts), close pools, and exit 0, all well
 * before the SIGKILL: the drain gives up at DRAIN_DEADLINE_MS (cutting what is left), and
 * SHUTDOWN_GRACE_MS (8 s by default) is the last resort, which exits 1.
 */
import type { DrainOptions } from "../adapters/http/drain";
import type { HttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";

export interface RoleInstance {
  readonly server: HttpServer;
  /** Drains and closes everything the role opened. */
  close(): Promise<void>;
}

/**
 * The drain's budget inside Cloud Run's 10 s: a second for idle keep-alive connections to bring one
 * more request, six for requests in flight (an upload, a push), leaving two for pools before the
 * default 8 s grace.
 */
export const DRAIN: Required<DrainOptions> = { idleGraceMs: 1_000, deadlineMs: 6_000 };

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

/** Drains the HTTP side first (readiness turns red, in-flight requests finish), then closes the rest. */
export async function closeInOrder(server: HttpServer, ...rest: Array<() => Promise<unknown>>): Promise<void> {
  server.markDraining();
  const { cut } = await server.drain(DRAIN);
  if (cut > 0) server.app.log.warn({ cut, deadlineMs: DRAIN.deadlineMs }, "requests still in flight at the drain deadline were cut");
  await server.app.close();
  for (const close of rest) await close();
}
