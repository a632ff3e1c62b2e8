/**
 * WebSocket clients as the app's users run them: connected to a realtime instance, they receive
 * their tenant's events; when the socket closes they reconnect (to their instance, else to another
 * one, as a load balancer would send them) and, once the new subscription is live (the server's
 * `ready`), catch up through the API on what they may have missed meanwhile.
 *
 * Each client is one of the steady load's users, so every write answered 201 for that user must
 * show up on its socket as a `transaction.created` event, or be found by a catch-up.
 */
import WebSocket from "ws";
import type { LoadUser } from "../requests";
import type { RetryingClient } from "./client";
import type { Recorder } from "./load";

/** A time the socket was closed, and what followed. Seconds since the load started. */
export interface Gap {
  readonly closedAt: number;
  readonly code: number;
  /** The instance it was connected to. */
  readonly instance: number;
  /** The server said `ready` again (on `instance` of the reconnection). */
  readyAt?: number;
  reconnectedTo?: number;
  /** The catch-up through the API finished (or failed: caughtUp false). */
  caughtUpAt?: number;
  caughtUp?: boolean;
}

const READY_TIMEOUT_MS = 5_000;
/** A catch-up reads back to this long before the close: a write sent earlier may have been committed (retried) later. */
const CATCH_UP_MARGIN_MS = 30_000;

export class RealtimeClient {
  /** transaction.created events received: transaction id -> seconds since the load started. */
  readonly received = new Map<string, number>();
  /** Transactions found by catch-ups through the API. */
  readonly caughtUp = new Set<string>();
  readonly gaps: Gap[] = [];
  /** The instance the socket is connected to now. */
  instance: number;
  private socket?: WebSocket;
  private closing = false;

  constructor(
    /** Index of the client's user among the steady load's users. */
    readonly userIndex: number,
    private readonly user: LoadUser,
    /** The instance it first connects to. */
    readonly home: number,
    private readonly urls: readonly string[],
    private readonly api: RetryingClient,
    private readonly recorder: Recorder,
    /** Every event's JSON as it arrives (the effect audit of a deployed environment listens here). */
    private readonly onMessage?: (raw: string) => void,
  ) {
    this.instance = home;
  }

  /** Connects to the home instance and resolves once the subscription is live. */
  async connect(): Promise<void> {
    await this.open(this.home);
  }

  private open(instance: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.urls[instance]!, { headers: { authorization: `Bearer ${this.user.token}` } });
      let ready = false;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error("no ready in time"));
      }, READY_TIMEOUT_MS);
      socket.on("message", (data) => {
        this.onMessage?.(String(data));
        let event: { type?: string; transaction?: { id?: string } };
        try {
          event = JSON.parse(String(data));
        } catch {
          return;
        }
        if (event.type === "ready" && !ready) {
          ready = true;
          clearTimeout(timer);
          this.socket = socket;
          this.instance = instance;
          resolve();
        } else if (event.type === "transaction.created" && event.transaction?.id && !this.received.has(event.transaction.id)) {
          this.received.set(event.transaction.id, this.recorder.now());
        }
      });
      socket.on("error", () => undefined); // the close that follows says it
      socket.on("unexpected-response", (_request, response) => {
        response.resume();
        clearTimeout(timer);
        socket.terminate();
        reject(new Error(`upgrade answered ${response.statusCode}`));
      });
      socket.on("close", (code) => {
        clearTimeout(timer);
        if (!ready) return reject(new Error(`closed (${code}) before ready`));
        if (this.socket === socket) this.closed(code);
      });
    });
  }

  private closed(code: number): void {
    this.socket = undefined;
    if (this.closing) return;
    const gap: Gap = { closedAt: this.recorder.now(), code, instance: this.instance };
    this.gaps.push(gap);
    void this.reconnect(gap);
  }

  /** Its own instance first, then the others; backing off between rounds (100 ms doubling to 1 s). */
  private async reconnect(gap: Gap): Promise<void> {
    const order = [this.home, ...this.urls.map((_, i) => i).filter((i) => i !== this.home)];
    for (let round = 0; !this.closing; round++) {
      for (const instance of order) {
        if (this.closing) return;
        try {
          await this.open(instance);
          gap.readyAt = this.recorder.now();
          gap.reconnectedTo = instance;
          await this.catchUp(gap);
          return;
        } catch {
          // that instance is not there (yet): try the next
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** round)));
    }
  }

  /**
   * Reads the account's newest transactions (100 a page) back to a little before the close:
   * everything committed meanwhile is in them, since the subscription was live before the read.
   */
  private async catchUp(gap: Gap): Promise<void> {
    const since = Date.now() - (this.recorder.now() - gap.closedAt) * 1000 - CATCH_UP_MARGIN_MS;
    try {
      for (let page = 1; page <= 20; page++) {
        const outcome = await this.api.send(
          { method: "GET", path: `/api/transactions?account_id=${this.user.accountIds[0]}&per_page=100&page=${page}`, headers: { authorization: `Bearer ${this.user.token}` } },
          (attempt) => this.recorder.otherAttempt(attempt),
        );
        if (outcome.status !== 200) throw new Error(`catch-up answered ${outcome.status}`);
        const body = JSON.parse(outcome.body) as { data: Array<{ id: string; occurred_at: string }>; has_more: boolean };
        for (const row of body.data) this.caughtUp.add(row.id);
        const oldest = body.data.at(-1);
        if (!body.has_more || !oldest || Date.parse(oldest.occurred_at) < since) break;
      }
      gap.caughtUp = true;
    } catch {
      gap.caughtUp = false;
    }
    gap.caughtUpAt = this.recorder.now();
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.closing = true;
    this.socket?.close();
  }
}

/**
 * `perInstance` clients on each realtime instance, client j of instance i acting as load user
 * i x perInstance + j. Resolves once every one is subscribed.
 */
export async function connectClients(urls: readonly string[], perInstance: number, users: readonly LoadUser[], api: RetryingClient, recorder: Recorder): Promise<RealtimeClient[]> {
  const clients: RealtimeClient[] = [];
  urls.forEach((_, instance) => {
    for (let j = 0; j < perInstance; j++) {
      const userIndex = instance * perInstance + j;
      clients.push(new RealtimeClient(userIndex, users[userIndex]!, instance, urls, api, recorder));
    }
  });
  await Promise.all(clients.map((c) => c.connect()));
  return clients;
}
