/**
 * The realtime WebSocket's handshake, shared by the server (gateway.ts) and the web dashboard:
 * a browser cannot set headers on a WebSocket, so it offers `[REALTIME_SUBPROTOCOL,
 * BEARER_SUBPROTOCOL_PREFIX + token]` and the server answers with REALTIME_SUBPROTOCOL alone.
 * No imports: the dashboard's bundle includes this file.
 */
/** The WebSocket's path on the realtime role; the load balancer and the local proxy route it there. */
export const REALTIME_PATH = "/ws";

export const REALTIME_SUBPROTOCOL = "valorize.v1";
export const BEARER_SUBPROTOCOL_PREFIX = "bearer.";

/** The server's first message on a socket: its subscription is live, events from now on arrive. */
export const READY_MESSAGE_TYPE = "ready";
