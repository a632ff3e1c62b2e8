/**
 * Cache-aside with per-tenant versioned keys. A read looks up the tenant's version and the view
 * under that version; a write replaces the version with a fresh unique value (one SET, no KEYS
 * scan) so every older view is orphaned and expires on its own. A slow reader that loaded stale rows stores them under the old
 * version, where no one will read them.
 */
import { randomBytes } from "node:crypto";
import type { Redis, Result } from "ioredis";
import type { JsonDocument, ReadCache } from "../../domain/ports";
import type { RedisKeys } from "./keys";

/** Longer than any view's TTL, so a version never disappears while views under it are alive. */
const VERSION_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Version lookup and view lookup in one round trip (the hot path of every cached read). The view
 * key is assembled from the version inside Redis: fine on a single-shard Memorystore instance.
 */
const READ_VIEW_SCRIPT = `
local version = redis.call('GET', KEYS[1]) or '0'
return {version, redis.call('GET', ARGV[1] .. version .. ARGV[2]) or false}`;

type ReadViewReply = [version: Buffer, view: Buffer | null];

declare module "ioredis" {
  interface RedisCommander<Context> {
    readViewBuffer(versionKey: string, viewPrefix: string, viewSuffix: string): Result<ReadViewReply, Context>;
  }
}

export class VersionedReadCache implements ReadCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {
    // Defined once per connection (several caches may share one); ioredis adds the *Buffer variant.
    if (typeof (redis as Partial<Redis>).readViewBuffer !== "function") redis.defineCommand("readView", { numberOfKeys: 1, lua: READ_VIEW_SCRIPT });
  }

  async getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<JsonDocument> {
    const [viewPrefix, viewSuffix] = this.keys.viewParts(userId, view);
    // Buffers all the way: the cached bytes go to the socket without a UTF-8 decode and re-encode.
    const [version, cached] = await this.redis.readViewBuffer(this.keys.tenantVersion(userId), viewPrefix, viewSuffix);
    if (cached) return cached;
    const fresh = await load();
    await this.redis.set(viewPrefix + version.toString() + viewSuffix, fresh, "EX", this.ttlSeconds);
    return fresh;
  }

  async invalidate(userId: string): Promise<void> {
    // Any value never used before will do; a random one needs no read-modify-write.
    await this.redis.set(this.keys.tenantVersion(userId), randomBytes(9).toString("base64url"), "EX", VERSION_TTL_SECONDS);
  }
}
