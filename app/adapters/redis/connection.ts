/**
 * ioredis connections from REDIS_URL, REDIS_PASSWORD (Memorystore AUTH) and REDIS_CA_CERT (the
 * instance's server CA for TLS; rediss:// URLs).
 */
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../../config";
import type { Dependency } from "../http/dependencies";

/**
 * Memorystore is reported to serve a certificate naming the instance IP in its subject CN, and
 * clients connect by that IP. Node only matches an IP host against IP SANs, so the standard check would
 * refuse a genuine server. With the chain pinned to the instance's own CA (REDIS_CA_CERT), a CN
 * equal to the IP we dialled identifies the server as well; any other mismatch still fails.
 */
export function memorystoreServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  const standard = checkServerIdentity(host, cert);
  if (!standard) return undefined;
  const commonName = cert.subject?.CN;
  const names = Array.isArray(commonName) ? commonName : [commonName];
  return isIP(host) !== 0 && names.includes(host) ? undefined : standard;
}

export type RedisPurpose = "commands" | "subscriber" | "queue";

/**
 * REDIS_CA_CERT may hold several CAs, one PEM block after another: Memorystore lists two during a
 * CA rotation and the stack stores all of them (constructs/cache.ts). Node's TLS trusts every
 * certificate in a PEM string passed as `ca` ("Any string or Buffer can contain multiple PEM CAs
 * concatenated together", Node's tls.createSecureContext), so the bundle goes in as it is.
 */
export function redisOptions(config: RedisConfig, purpose: RedisPurpose): RedisOptions {
  return {
    password: config.password,
    tls: config.url.startsWith("rediss://")
      ? { ca: config.caCert, minVersion: "TLSv1.2", ...(config.caCert && { checkServerIdentity: memorystoreServerIdentity }) }
      : undefined,
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

/** What ioredis rejects a command with when the connection is down (its retries exhausted or the socket gone). */
const CONNECTION_ERROR_NAMES = new Set(["MaxRetriesPerRequestError", "AbortError"]);
const CONNECTION_ERROR_MESSAGES = ["Connection is closed.", "Stream isn't writeable"];

export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return CONNECTION_ERROR_NAMES.has(error.name) || CONNECTION_ERROR_MESSAGES.some((message) => error.message.startsWith(message));
}

/** Redis as a dependency: down whenever the connection is not ready (reconnecting, or never up). */
export function redisDependency(redis: Redis): Dependency {
  return { name: "redis", reachable: () => redis.status === "ready", failedBecauseOf: isRedisConnectionError };
}
