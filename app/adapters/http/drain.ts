/**
 * Stopping an HTTP server without cutting anyone off. Cloud Run sends SIGTERM and, 10 s later,
 * SIGKILL (container runtime contract, "Instance shutdown":
 * https://cloud.google.com/run/docs/container-contract; "Graceful shutdowns on Cloud Run: Deep
 * dive", https://cloud.google.com/blog/topics/developers-practitioners/graceful-shutdowns-cloud-run-deep-dive:
 * "your application will have 10 seconds to exit"). Locally the api cluster restarts processes the
 * same way while clients hold keep-alive connections to them.
 *
 * Node's own `server.close()` destroys idle keep-alive sockets at once: a client that is sending
 * its next request on one at that moment gets ECONNRESET; and a connection whose request was in
 * flight stays open after its response, so the close never completes. Instead, on drain:
 * 1. stop accepting connections (net.Server#close, which leaves open ones alone);
 * 2. answer every request still to be answered with `Connection: close`, so each connection ends
 *    cleanly right after its response and the client opens its next one elsewhere;
 * 3. give idle connections `idleGraceMs` to bring one more request (answered the same way), then
 *    end them; from then on a connection is ended as soon as it goes idle;
 * 4. at `deadlineMs`, destroy whatever is left (a request that outlives it is cut and counted).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import net, { type Socket } from "node:net";

export interface DrainOptions {
  /** How long an idle keep-alive connection may still bring a request. @default 1000 */
  readonly idleGraceMs?: number;
  /** When to stop waiting and destroy what is left. @default 6000 */
  readonly deadlineMs?: number;
}

export interface DrainResult {
  /** Requests still unanswered at the deadline, whose connections were destroyed. */
  readonly cut: number;
}

export interface ConnectionDrainer {
  readonly draining: boolean;
  drain(options?: DrainOptions): Promise<DrainResult>;
}

/** How long an ended idle connection may stay half-open before it is destroyed. */
const HALF_OPEN_MS = 1000;

/** FIN, not RST: nothing of the client's is thrown away; a client that does not close its side is cut after a second. */
function endIdle(socket: Socket): void {
  socket.end();
  setTimeout(() => socket.destroy(), HALF_OPEN_MS).unref();
}

export function trackConnections(server: Server): ConnectionDrainer {
  /** Open connections and how many requests each has in flight. */
  const connections = new Map<Socket, number>();
  const unanswered = new Set<ServerResponse>();
  let draining = false;
  let endWhenIdle = false;

  server.on("connection", (socket: Socket) => {
    connections.set(socket, 0);
    socket.once("close", () => connections.delete(socket));
  });
  // Before the framework's listener: the header must be set before any response is written.
  server.prependListener("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    unanswered.add(response);
    if (draining) response.setHeader("connection", "close");
    response.once("close", () => {
      unanswered.delete(response);
      const inFlight = (connections.get(socket) ?? 1) - 1;
      if (!connections.has(socket)) return;
      connections.set(socket, inFlight);
      if (inFlight === 0 && endWhenIdle) endIdle(socket);
    });
  });

  return {
    get draining() {
      return draining;
    },
    async drain(options = {}) {
      const idleGraceMs = options.idleGraceMs ?? 1000;
      const deadlineMs = options.deadlineMs ?? 6000;
      draining = true;
      if (!server.listening) return { cut: 0 };
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      for (const response of unanswered) if (!response.headersSent) response.setHeader("connection", "close");
      let cut = 0;
      const graceTimer = setTimeout(() => {
        endWhenIdle = true;
        for (const [socket, inFlight] of connections) if (inFlight === 0) endIdle(socket);
      }, idleGraceMs);
      const deadlineTimer = setTimeout(() => {
        cut = unanswered.size;
        for (const socket of connections.keys()) socket.destroy();
      }, deadlineMs);
      try {
        await closed;
      } finally {
        clearTimeout(graceTimer);
        clearTimeout(deadlineTimer);
      }
      return { cut };
    },
  };
}
