/**
 * Cache-aside with per-tenant versions. Each view is stored under one key per tenant and query,
 * its value prefixed with the tenant version it was loaded under; a read fetches the version and
 * the view in one MGET and serves the view only when the versions match. A write replaces the
 * version with a fresh unique value (one SET, no KEYS scan), so every older view stops matching
 * and is overwritten by the next load or expires. A slow reader that loaded rows before a write
 * stores them under the old version, where they never match again.
 *
 * (A plain MGET costs Redis a fraction of a Lua script resolving a versioned key name, and the
 * hot path is one round trip either way.)
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { JsonDocument, ReadCache } from "../../domain/ports";
import type { RedisKeys } from "./keys";

/** Longer than any view's TTL, so a version never disappears while views under it are alive. */
const VERSION_TTL_SECONDS = 7 * 24 * 3600;
/** The version written before the first write of a tenant. */
const INITIAL_VERSION = "0";
/** Versions are base64url or "0": a newline never occurs in one. */
const SEPARATOR = 0x0a;

/** The stored bytes when they were loaded under `version`, without the version prefix. */
function payloadFor(stored: Buffer | null, version: string): Buffer | undefined {
  if (!stored || stored.length <= version.length || stored[version.length] !== SEPARATOR) return undefined;
  return stored.toString("latin1", 0, version.length) === version ? stored.subarray(version.length + 1) : undefined;
}

export class VersionedReadCache implements ReadCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<JsonDocument> {
    const viewKey = this.keys.view(userId, view);
    // Buffers all the way: the cached bytes go to the socket without a UTF-8 decode and re-encode.
    const [storedVersion, stored] = await this.redis.mgetBuffer(this.keys.tenantVersion(userId), viewKey);
    const version = storedVersion?.toString("latin1") ?? INITIAL_VERSION;
    const cached = payloadFor(stored ?? null, version);
    if (cached) return cached;
    const fresh = await load();
    await this.redis.set(viewKey, `${version}\n${fresh}`, "EX", this.ttlSeconds);
    return fresh;
  }

  async invalidate(userId: string): Promise<void> {
    // Any value never used before will do; a random one needs no read-modify-write.
    await this.redis.set(this.keys.tenantVersion(userId), randomBytes(9).toString("base64url"), "EX", VERSION_TTL_SECONDS);
  }
}
