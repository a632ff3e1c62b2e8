import { Redis } from "ioredis";
import { redisKeys } from "../../adapters/redis/keys";
import type { Isolated } from "./isolation";

export type PublishedEvent = { type: string } & Record<string, unknown>;

/** The realtime events published for a tenant (through Redis pub/sub) while `action` runs. */
export async function eventsDuring(isolated: Isolated, userId: string, action: () => Promise<unknown>): Promise<PublishedEvent[]> {
  const subscriber = new Redis(isolated.env.REDIS_URL!);
  const received: PublishedEvent[] = [];
  subscriber.on("message", (_channel: string, message: string) => received.push(JSON.parse(message)));
  await subscriber.subscribe(redisKeys(isolated.redisPrefix).events(userId));
  try {
    await action();
    // Everything was published before the action returned; one round trip flushes the delivery.
    await subscriber.ping();
    return received;
  } finally {
    await subscriber.quit();
  }
}
