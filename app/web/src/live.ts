/**
 * The dashboard's realtime connection: the token goes in the subprotocols, never in the URL. A
 * dropped connection (the realtime instance restarted, the network blinked) is reopened with
 * exponential backoff and jitter; each time the server says "ready" the subscription is live, and
 * the owner catches up through the API on whatever happened while it was away.
 */
import { BEARER_SUBPROTOCOL_PREFIX, READY_MESSAGE_TYPE, REALTIME_SUBPROTOCOL } from "../../adapters/realtime/protocol";
import type { RealtimeEvent } from "../../domain/events";

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

export interface LiveHandlers {
  /** The subscription is live (again): events from now on will arrive. */
  onReady(): void;
  onEvent(event: RealtimeEvent): void;
  onState(state: LiveState): void;
  /** Several attempts in a row failed: the owner may check whether the token still works. */
  onRepeatedFailure?(attempts: number): void;
}

/** Backoff: 250 ms doubling up to 10 s, each wait drawn from its upper half so clients spread out. */
export const BACKOFF = { initialMs: 250, maxMs: 10_000 } as const;
export function backoffDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `/ws` (this origin, as behind a load balancer) or an absolute ws(s):// URL as the api says. */
export function resolveRealtimeUrl(configured: string, location: { readonly protocol: string; readonly host: string }): string {
  if (/^wss?:\/\//.test(configured)) return configured;
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${configured}`;
}

export class LiveConnection {
  private socket?: WebSocket;
  private attempt = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open("connecting");
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, "signed out");
    this.socket = undefined;
    this.handlers.onState("offline");
  }

  private open(state: LiveState): void {
    this.handlers.onState(state);
    const socket = new WebSocket(this.url, [REALTIME_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${this.token}`]);
    this.socket = socket;
    socket.addEventListener("message", (message) => {
      let event: { type: string };
      try {
        event = JSON.parse(String(message.data)) as { type: string };
      } catch {
        return;
      }
      if (event.type === READY_MESSAGE_TYPE) {
        this.attempt = 0;
        this.handlers.onState("live");
        this.handlers.onReady();
      } else {
        this.handlers.onEvent(event as RealtimeEvent);
      }
    });
    // A failed handshake (401, server down) ends in "close" too, with code 1006.
    socket.addEventListener("close", () => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = undefined;
      const delay = backoffDelay(this.attempt++);
      if (this.attempt >= 3) this.handlers.onRepeatedFailure?.(this.attempt);
      this.handlers.onState("reconnecting");
      this.timer = setTimeout(() => this.open("reconnecting"), delay);
    });
  }
}
