/**
 * Cache-aside with per-tenant versions. Each view is stored under one key per tenant and query,
 * its value prefixed with the tenant version it was loaded under; a read fetches the version and
 * the view in one MGET and serves the view only when the versions match. A write replaces the
 * version with a fresh unique value (one SET, no KEYS scan), so every older view stops matching
 * and is overwritten by the next load or expires. A slow reader that loaded rows before a write
 * stores them under the old version, where they never match again.
 *
 * Each instance also keeps the views it served in memory, under the version they belong to. The
 * tenant version is still read from Redis on every request, so a write on any instance is seen
 * by the next read on every instance, exactly as without the local layer; what the local layer
 * saves is moving kilobytes of view out of Redis and through the client's parser per request.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
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

interface LocalView {
  readonly version: string;
  readonly payload: Buffer;
}

/** Default memory for one instance's local views. */
export const DEFAULT_LOCAL_CACHE_BYTES = 64 * 1024 * 1024;

export class VersionedReadCache implements ReadCache {
  private readonly local: LRUCache<string, LocalView>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
    localBytes: number = DEFAULT_LOCAL_CACHE_BYTES,
  ) {
    this.local = new LRUCache<string, LocalView>({
      maxSize: localBytes,
      sizeCalculation: (entry, key) => entry.payload.length + key.length + 64,
      ttl: ttlSeconds * 1000,
    });
  }

  async getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<JsonDocument> {
    const viewKey = this.keys.view(userId, view);
    const versionKey = this.keys.tenantVersion(userId);
    const known = this.local.get(viewKey);
    // Buffers all the way: the cached bytes go to the socket without a UTF-8 decode and re-encode.
    let version: string;
    let stored: Buffer | null;
    if (known) {
      version = (await this.redis.getBuffer(versionKey))?.toString("latin1") ?? INITIAL_VERSION;
      if (known.version === version) return known.payload;
      stored = await this.redis.getBuffer(viewKey);
    } else {
      const [storedVersion, storedView] = await this.redis.mgetBuffer(versionKey, viewKey);
      version = storedVersion?.toString("latin1") ?? INITIAL_VERSION;
      stored = storedView ?? null;
    }
    const shared = payloadFor(stored, version);
    if (shared) {
      // A copy: the reply's bytes may be a slice of a much larger socket buffer.
      this.local.set(viewKey, { version, payload: Buffer.from(shared) });
      return shared;
    }
    const fresh = await load();
    await this.redis.set(viewKey, `${version}\n${fresh}`, "EX", this.ttlSeconds);
    this.local.set(viewKey, { version, payload: Buffer.from(fresh) });
    return fresh;
  }

  async invalidate(userId: string): Promise<void> {
    // Any value never used before will do; a random one needs no read-modify-write.
    await this.redis.set(this.keys.tenantVersion(userId), randomBytes(9).toString("base64url"), "EX", VERSION_TTL_SECONDS);
  }
}
