/**
 * ioredis connections from REDIS_URL, REDIS_PASSWORD (Memorystore AUTH) and REDIS_CA_CERT (the
 * instance's server CA for TLS; rediss:// URLs).
 */
import { Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../../config";

export type RedisPurpose = "commands" | "subscriber" | "queue";

export function redisOptions(config: RedisConfig, purpose: RedisPurpose): RedisOptions {
  return {
    password: config.password,
    tls: config.url.startsWith("rediss://") ? { ca: config.caCert, minVersion: "TLSv1.2" } : undefined,
    connectionName: `valorize-${purpose}`,
    // Commands issued concurrently share one socket write and round trip: the lever for the cached
    // read path and for the dispatcher's many in-flight jobs. (Subscribers only listen.)
    enableAutoPipelining: purpose !== "subscriber",
    // Fail fast when Redis is away (requests get a 503, readiness turns red); BullMQ needs null.
    maxRetriesPerRequest: purpose === "queue" ? null : 2,
    enableOfflineQueue: true,
  };
}

export function createRedis(config: RedisConfig, purpose: RedisPurpose): Redis {
  return new Redis(config.url, redisOptions(config, purpose));
}
