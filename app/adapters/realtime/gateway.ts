/**
 * The WebSocket endpoint `/ws`. A client authenticates with the API token during the upgrade:
 * `Authorization: Bearer <token>` (servers, k6), or, from a browser, which cannot set headers on a
 * WebSocket, the subprotocols `["valorize.v1", "bearer.<token>"]` (the server answers
 * `valorize.v1`, never the token). A token in the URL is refused with a 400: URLs land in load
 * balancer and proxy logs. A bad token gets a 401 and no socket. Each socket
 * receives its tenant's events, fed by the Redis subscription shared by all the tenant's sockets
 * on this instance.
 *
 * - Heartbeats: a ping every interval; a socket that did not answer the previous one is dropped.
 * - Backpressure: a socket whose unsent buffer exceeds the limit is closed (1013, cut a second
 *   later if it cannot even read that) instead of queueing without bound; the client reconnects
 *   and refetches.
 * - Shutdown: every socket gets a 1001 "going away" close, then the stragglers are cut.
 * - Redis subscription interrupted: events published meanwhile are lost for good (pub/sub keeps
 *   nothing), so every socket gets a 1012 close at once and the client reconnects and refetches;
 *   until the subscription is back, upgrades get a 503 with Retry-After, as the api answers while a
 *   dependency is down.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { DomainError } from "../../domain/errors";
import { bearerToken } from "../http/bearer";
import { dependencyUnavailableBody, RETRY_AFTER_SECONDS } from "../http/dependencies";
import type { Logger } from "../logging";
import type { TenantEventSubscriber } from "../redis/events";
import { BEARER_SUBPROTOCOL_PREFIX, READY_MESSAGE_TYPE, REALTIME_PATH, REALTIME_SUBPROTOCOL } from "./protocol";

export interface GatewaySettings {
  readonly subscriber: TenantEventSubscriber;
  /** The tenant of a token; throws DomainError(unauthenticated) for a bad one. */
  readonly authenticate: (token: string | undefined) => Promise<string>;
  readonly heartbeatMs: number;
  readonly maxBufferedBytes: number;
  readonly logger: Logger;
}

/** The subprotocol the server speaks; browsers send it beside `bearer.<token>`. */
export { REALTIME_SUBPROTOCOL };

/** The token a browser passed as the `bearer.<token>` subprotocol, if any. */
export function subprotocolToken(header: string | undefined): string | undefined {
  const offered = (header ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX))?.slice(BEARER_SUBPROTOCOL_PREFIX.length) || undefined;
}

const CLOSE_GOING_AWAY = 1001;
/** RFC 6455 registry: "the service is restarted"; the client reconnects (and here refetches what it missed). */
const CLOSE_SERVICE_RESTART = 1012;
const CLOSE_TRY_AGAIN_LATER = 1013;
const SHUTDOWN_CLOSE_WAIT_MS = 2_000;
/** A client too slow to read our close frame is cut after this long. */
const SLOW_CLIENT_CLOSE_WAIT_MS = 1_000;

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 503: "Service Unavailable" };

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string, fields?: Record<string, string>): void {
  answerUpgrade(socket, status, { error: { code, message, ...(fields && { fields }) } });
}

function answerUpgrade(socket: Duplex, status: number, body: object, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  const reason = STATUS_TEXT[status] ?? "Error";
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n${extra}Connection: close\r\n\r\n${json}`,
  );
}

export class RealtimeGateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    perMessageDeflate: false,
    clientTracking: true,
    // Answer with our protocol only: echoing `bearer.<token>` would put the token in the response.
    handleProtocols: (offered) => (offered.has(REALTIME_SUBPROTOCOL) ? REALTIME_SUBPROTOCOL : false),
  });
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly settings: GatewaySettings) {
    this.heartbeat = setInterval(() => this.beat(), settings.heartbeatMs);
    this.heartbeat.unref();
    settings.subscriber.onInterrupted(() => this.feedInterrupted());
  }

  /** The subscription dropped: no socket may wait for events that will never come. */
  private feedInterrupted(): void {
    if (this.closing || this.wss.clients.size === 0) return;
    this.settings.logger.warn({ sockets: this.wss.clients.size }, "Redis subscription interrupted; closing sockets so that clients reconnect and refetch");
    for (const ws of this.wss.clients) {
      ws.close(CLOSE_SERVICE_RESTART, "event feed interrupted; reconnect and refetch");
      setTimeout(() => ws.terminate(), SLOW_CLIENT_CLOSE_WAIT_MS).unref();
    }
  }

  get connectionCount(): number {
    return this.wss.clients.size;
  }

  attach(server: Server): void {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.settings.logger.error({ error }, "websocket upgrade failed");
        socket.destroy();
      });
    });
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== REALTIME_PATH) return refuseUpgrade(socket, 404, "not_found", `WebSocket endpoint is ${REALTIME_PATH}`);
    if (this.closing) return refuseUpgrade(socket, 503, "draining", "shutting down; reconnect");
    if (!this.settings.subscriber.available) {
      return answerUpgrade(socket, 503, dependencyUnavailableBody({ name: "redis", failedBecauseOf: () => false }), { "Retry-After": String(RETRY_AFTER_SECONDS) });
    }
    if (url.searchParams.has("token")) {
      return refuseUpgrade(socket, 400, "validation_failed", "tokens in URLs end up in logs", {
        token: `send it as "Authorization: Bearer <token>" or as the WebSocket subprotocols ["${REALTIME_SUBPROTOCOL}", "${BEARER_SUBPROTOCOL_PREFIX}<token>"]`,
      });
    }
    let userId: string;
    try {
      userId = await this.settings.authenticate(bearerToken(request.headers.authorization) ?? subprotocolToken(request.headers["sec-websocket-protocol"]));
    } catch (error) {
      if (error instanceof DomainError) return refuseUpgrade(socket, 401, error.code, error.message);
      throw error;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.connected(ws, userId).catch((error: unknown) => {
        this.settings.logger.error({ error }, "websocket subscription failed");
        ws.close(CLOSE_TRY_AGAIN_LATER, "subscription failed");
      });
    });
  }

  private async connected(ws: WebSocket, userId: string): Promise<void> {
    this.alive.add(ws);
    ws.on("pong", () => this.alive.add(ws));
    ws.on("error", () => ws.terminate());
    let unsubscribe: (() => Promise<void>) | undefined;
    let closed = false;
    ws.on("close", () => {
      closed = true;
      unsubscribe?.().catch(() => undefined);
    });
    unsubscribe = await this.settings.subscriber.subscribe(userId, (message) => this.send(ws, message));
    if (closed) return void unsubscribe();
    // Tells the client its subscription is live: events published from now on will arrive.
    this.send(ws, JSON.stringify({ type: READY_MESSAGE_TYPE }));
  }

  private send(ws: WebSocket, message: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.settings.maxBufferedBytes) {
      this.settings.logger.warn({ buffered: ws.bufferedAmount }, "closing a websocket that does not keep up");
      ws.close(CLOSE_TRY_AGAIN_LATER, "too slow; reconnect");
      setTimeout(() => ws.terminate(), SLOW_CLIENT_CLOSE_WAIT_MS).unref();
      return;
    }
    ws.send(message);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  /** Refuses new sockets, says goodbye to the open ones, and cuts those that do not finish in time. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const open = [...this.wss.clients];
    await new Promise<void>((resolve) => {
      if (open.length === 0) return resolve();
      let remaining = open.length;
      const timer = setTimeout(() => {
        for (const ws of open) ws.terminate();
        resolve();
      }, SHUTDOWN_CLOSE_WAIT_MS);
      for (const ws of open) {
        ws.once("close", () => {
          if (--remaining === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        ws.close(CLOSE_GOING_AWAY, "server shutting down; reconnect");
      }
    });
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
