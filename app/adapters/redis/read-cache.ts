/**
 * Cache-aside with per-tenant versions. Each view is stored under one key per tenant and query,
 * its value prefixed with the tag it was loaded under; a read fetches the version and the view in
 * one MGET and serves the view only when the tags match. A write replaces the version with a fresh
 * unique value (one SET, no KEYS scan), so every older view stops matching and is overwritten by
 * the next load or expires. A slow reader that loaded rows before a write stores them under the
 * old version, where they never match again.
 *
 * Each instance also keeps the views it served in memory, under the tag they belong to. The
 * tenant version is still read from Redis on every request, so a write on any instance is seen
 * by the next read on every instance, exactly as without the local layer; what the local layer
 * saves is moving kilobytes of view out of Redis and through the client's parser per request.
 *
 * A tag must never come back once Redis has lost the write that replaced it, or a view cached
 * before the write (in memory or in Redis) would be served as current. So:
 * - a missing version key (never written, evicted, or lost) is replaced by a fresh random one
 *   (SET NX), never read as a fixed "initial" value that existed before the loss;
 * - the tag is `<dataset epoch>.<version>` (see dataset-epoch.ts): after a restart or a failover
 *   that brought an older version back, the epoch differs, so nothing cached before matches;
 * - while the connection is being replaced, and for a reply that arrived over a replaced
 *   connection, the view is loaded from the database and not cached.
 * Randomness rather than a counter: a counter restarts from what the dataset remembers, which
 * after a loss is exactly a value already used.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { JsonDocument, ReadCache } from "../../domain/ports";
import { DatasetEpoch } from "./dataset-epoch";
import type { RedisKeys } from "./keys";

/** Longer than any view's TTL, so a version never disappears while views under it are alive. */
const VERSION_TTL_SECONDS = 7 * 24 * 3600;
/** Tags are hex, "." and base64url: a newline never occurs in one. */
const SEPARATOR = 0x0a;

const freshVersion = () => randomBytes(9).toString("base64url");

/** The stored bytes when they were loaded under `tag`, without the tag prefix. */
function payloadFor(stored: Buffer | null | undefined, tag: string): Buffer | undefined {
  if (!stored || stored.length <= tag.length || stored[tag.length] !== SEPARATOR) return undefined;
  return stored.toString("latin1", 0, tag.length) === tag ? stored.subarray(tag.length + 1) : undefined;
}

interface LocalView {
  readonly tag: string;
  readonly payload: Buffer;
}

/** Default memory for one instance's local views. */
export const DEFAULT_LOCAL_CACHE_BYTES = 64 * 1024 * 1024;

export class VersionedReadCache implements ReadCache {
  private readonly local: LRUCache<string, LocalView>;
  private readonly epoch: DatasetEpoch;

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
    this.epoch = new DatasetEpoch(redis, keys.datasetEpoch);
    // Views of a lost epoch can never match again: give their memory back at once.
    this.epoch.onChange(() => this.local.clear());
  }

  /** Resolves once cached views can be served (the connection is ready and its dataset known). */
  ready(): Promise<void> {
    return this.epoch.known();
  }

  async getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<JsonDocument> {
    const epoch = this.epoch.current;
    if (!epoch) return load();
    const viewKey = this.keys.view(userId, view);
    const versionKey = this.keys.tenantVersion(userId);
    const known = this.local.get(viewKey);
    // Buffers all the way: the cached bytes go to the socket without a UTF-8 decode and re-encode.
    let version: string | undefined;
    let stored: Buffer | null | undefined;
    if (known) {
      version = (await this.redis.getBuffer(versionKey))?.toString("latin1");
    } else {
      const [storedVersion, storedView] = await this.redis.mgetBuffer(versionKey, viewKey);
      version = storedVersion?.toString("latin1");
      stored = storedView;
    }
    version ??= await this.createVersion(versionKey);
    if (!this.epoch.isCurrent(epoch)) return load();
    const tag = `${epoch.id}.${version}`;
    if (known) {
      if (known.tag === tag) return known.payload;
      stored = await this.redis.getBuffer(viewKey);
      if (!this.epoch.isCurrent(epoch)) return load();
    }
    const shared = payloadFor(stored, tag);
    if (shared) {
      // A copy: the reply's bytes may be a slice of a much larger socket buffer.
      this.local.set(viewKey, { tag, payload: Buffer.from(shared) });
      return shared;
    }
    const fresh = await load();
    await this.redis.set(viewKey, `${tag}\n${fresh}`, "EX", this.ttlSeconds);
    this.local.set(viewKey, { tag, payload: Buffer.from(fresh) });
    return fresh;
  }

  async invalidate(userId: string): Promise<void> {
    // Any value never used before will do; a random one needs no read-modify-write.
    await this.redis.set(this.keys.tenantVersion(userId), freshVersion(), "EX", VERSION_TTL_SECONDS);
  }

  /** A version for a tenant whose key is missing: ours, or the one a concurrent reader set first. */
  private async createVersion(versionKey: string): Promise<string> {
    const candidate = freshVersion();
    const created = await this.redis.set(versionKey, candidate, "EX", VERSION_TTL_SECONDS, "NX");
    if (created === "OK") return candidate;
    return (await this.redis.get(versionKey)) ?? candidate;
  }
}
