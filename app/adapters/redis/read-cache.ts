/**
 * Cache-aside with per-tenant versioned keys. A read looks up the tenant's version, then the view
 * under that version; a write bumps the version (one INCR, no KEYS scan) so every older view is
 * orphaned and expires on its own. A slow reader that loaded stale rows stores them under the old
 * version, where no one will read them.
 */
import type { Redis } from "ioredis";
import type { ReadCache } from "../../domain/ports";
import type { RedisKeys } from "./keys";

/** Longer than any view's TTL, so a version never resets while views under it are alive. */
const VERSION_TTL_SECONDS = 7 * 24 * 3600;

export class VersionedReadCache implements ReadCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async getOrLoad(userId: string, view: string, load: () => Promise<string>): Promise<string> {
    const version = (await this.redis.get(this.keys.tenantVersion(userId))) ?? "0";
    const key = this.keys.view(userId, version, view);
    const cached = await this.redis.get(key);
    if (cached !== null) return cached;
    const fresh = await load();
    await this.redis.set(key, fresh, "EX", this.ttlSeconds);
    return fresh;
  }

  async invalidate(userId: string): Promise<void> {
    const key = this.keys.tenantVersion(userId);
    await this.redis.multi().incr(key).expire(key, VERSION_TTL_SECONDS).exec();
  }
}
