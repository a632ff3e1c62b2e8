/**
 * The realtime backplane: api and worker instances PUBLISH a tenant's events to its channel; each
 * realtime instance SUBSCRIBEs to the channels of the tenants connected to it (and only those).
 */
import type { Redis } from "ioredis";
import type { RealtimeEvent } from "../../domain/events";
import type { EventPublisher } from "../../domain/ports";
import type { RedisKeys } from "./keys";

export class RedisEventPublisher implements EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async publish(userId: string, event: RealtimeEvent): Promise<void> {
    await this.redis.publish(this.keys.events(userId), JSON.stringify(event));
  }
}

/** Receives the raw JSON of an event (forwarded to sockets as is, never re-parsed). */
export type EventListener = (message: string) => void;

export class TenantEventSubscriber {
  /** channel -> its listeners and the pending SUBSCRIBE, awaited by every joiner. */
  private readonly channels = new Map<string, { listeners: Set<EventListener>; ready: Promise<unknown> }>();
  private readonly interruptions = new Set<() => void>();
  private wasLive = false;
  private interrupted = false;

  /** `subscriber` must be a dedicated connection: in subscriber mode it can run nothing else. */
  constructor(
    private readonly subscriber: Redis,
    private readonly keys: RedisKeys,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      for (const listener of this.channels.get(channel)?.listeners ?? []) listener(message);
    });
    // Pub/sub keeps nothing for a subscriber that is away: whatever was published while the
    // connection was down (Redis restarting or failing over) is gone for good, even once ioredis
    // has reconnected and subscribed again. Listeners must learn of every such gap.
    subscriber.on("ready", () => {
      this.wasLive = true;
      this.interrupted = false;
    });
    subscriber.on("close", () => {
      if (!this.wasLive) return;
      this.wasLive = false;
      this.interrupted = true;
      for (const interrupted of this.interruptions) interrupted();
    });
  }

  /**
   * False from an interruption until the connection is ready again. (Before the first connection a
   * subscription simply waits for it, in ioredis's offline queue.)
   */
  get available(): boolean {
    return !this.interrupted;
  }

  /** Calls `listener` whenever the connection drops after it was live (events may have been lost). */
  onInterrupted(listener: () => void): void {
    this.interruptions.add(listener);
  }

  /** Starts delivering the tenant's events to `listener`; call the returned function to stop. */
  async subscribe(userId: string, listener: EventListener): Promise<() => Promise<void>> {
    const channel = this.keys.events(userId);
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { listeners: new Set(), ready: this.subscriber.subscribe(channel) };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    await entry.ready;
    return async () => {
      const current = this.channels.get(channel);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
      this.channels.delete(channel);
      await this.subscriber.unsubscribe(channel);
    };
  }

  get channelCount(): number {
    return this.channels.size;
  }
}
