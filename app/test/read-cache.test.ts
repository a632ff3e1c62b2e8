/**
 * The versioned cache-aside store on a real Redis: per-tenant invalidation without scans, and the
 * race where a slow reader stores rows loaded before a write.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "../adapters/redis/keys";
import { VersionedReadCache } from "../adapters/redis/read-cache";
import { deleteKeys, REDIS_URL } from "./support/isolation";

const keys = redisKeys(`test:cache${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`);
let redis: Redis;
let cache: VersionedReadCache;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  cache = new VersionedReadCache(redis, keys, 60);
});

afterAll(async () => {
  await deleteKeys(redis, `${keys.prefix}*`);
  await redis.quit();
});

const text = (value: string | Uint8Array) => (typeof value === "string" ? value : Buffer.from(value).toString());

describe("VersionedReadCache", () => {
  it("loads on a miss, then serves the stored bytes without loading", async () => {
    let loads = 0;
    const load = async () => `{"n":${++loads}}`;
    expect(text(await cache.getOrLoad("alice", "page-1", load))).toBe('{"n":1}');
    expect(text(await cache.getOrLoad("alice", "page-1", load))).toBe('{"n":1}');
    expect(loads).toBe(1);
  });

  it("invalidates every view of one tenant at once, and only that tenant", async () => {
    await cache.getOrLoad("bob", "a", async () => "bob-a-1");
    await cache.getOrLoad("bob", "b", async () => "bob-b-1");
    await cache.getOrLoad("carol", "a", async () => "carol-a-1");
    await cache.invalidate("bob");
    expect(text(await cache.getOrLoad("bob", "a", async () => "bob-a-2"))).toBe("bob-a-2");
    expect(text(await cache.getOrLoad("bob", "b", async () => "bob-b-2"))).toBe("bob-b-2");
    expect(text(await cache.getOrLoad("carol", "a", async () => "carol-a-2"))).toBe("carol-a-1");
  });

  it("never serves what a slow reader loaded before a write", async () => {
    let finishLoad!: (value: string) => void;
    let loadStarted!: () => void;
    const loading = new Promise<void>((resolve) => (loadStarted = resolve));
    const slowRead = cache.getOrLoad("dave", "page", () => {
      loadStarted(); // the reader has looked up the version and missed
      return new Promise<string>((resolve) => (finishLoad = resolve));
    });
    await loading;
    await cache.invalidate("dave"); // a write commits meanwhile
    finishLoad("stale rows");
    expect(text(await slowRead)).toBe("stale rows"); // that reader got what it loaded...
    expect(text(await cache.getOrLoad("dave", "page", async () => "fresh rows"))).toBe("fresh rows"); // ...nobody else does
  });

  it("serves a stored view only under exactly its version (no prefix look-alikes)", async () => {
    await redis.set(keys.tenantVersion("frank"), "ab");
    await redis.set(keys.view("frank", "v"), "abc\nloaded under abc");
    expect(text(await cache.getOrLoad("frank", "v", async () => "fresh"))).toBe("fresh");
    expect(await redis.get(keys.view("frank", "v"))).toBe("ab\nfresh");
    expect(text(await cache.getOrLoad("frank", "v", async () => "unused"))).toBe("fresh");
    await redis.set(keys.view("frank", "w"), "ab");
    expect(text(await cache.getOrLoad("frank", "w", async () => "loaded"))).toBe("loaded");
  });

  it("serves its own copy while the tenant version stands, without the view's bytes in Redis", async () => {
    let loads = 0;
    await cache.getOrLoad("gina", "v", async () => `gina-${++loads}`);
    await redis.del(keys.view("gina", "v"));
    expect(text(await cache.getOrLoad("gina", "v", async () => `gina-${++loads}`))).toBe("gina-1");
    expect(loads).toBe(1);
  });

  it("sees a write made through another instance on the very next read", async () => {
    const other = new VersionedReadCache(redis, keys, 60);
    await cache.getOrLoad("hank", "v", async () => "before");
    expect(text(await other.getOrLoad("hank", "v", async () => "unused"))).toBe("before"); // shared through Redis
    await other.invalidate("hank");
    expect(text(await cache.getOrLoad("hank", "v", async () => "after"))).toBe("after");
  });

  it("keeps no more than its byte budget in memory", async () => {
    const small = new VersionedReadCache(redis, keys, 60, 4096);
    for (let i = 0; i < 8; i++) await small.getOrLoad("ida", `v${i}`, async () => "x".repeat(1000));
    await redis.del(...Array.from({ length: 8 }, (_, i) => keys.view("ida", `v${i}`)));
    let reloaded = 0;
    for (let i = 0; i < 8; i++) await small.getOrLoad("ida", `v${i}`, async () => (reloaded++, "y"));
    expect(reloaded).toBeGreaterThanOrEqual(5); // at most 3 of 8 views of ~1 KB fit in 4 KB
  });

  it("expires views and keeps the version key alive longer", async () => {
    await cache.getOrLoad("erin", "v", async () => "x");
    const view = await redis.ttl(keys.view("erin", "v"));
    expect(view).toBeGreaterThan(0);
    expect(view).toBeLessThanOrEqual(60);
    await cache.invalidate("erin");
    expect(await redis.ttl(keys.tenantVersion("erin"))).toBeGreaterThan(24 * 3600);
  });
});
