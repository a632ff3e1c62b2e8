/**
 * The versioned cache-aside store on a real Redis: per-tenant invalidation without scans, the race
 * where a slow reader stores rows loaded before a write, and losses of Redis data (a restart
 * without persistence, a failover to a replica that lacks the newest writes, an evicted version)
 * on throwaway redis-servers.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { throwawayRedis } from "../../loadtests/local/data-services";
import { redisKeys } from "../adapters/redis/keys";
import { VersionedReadCache } from "../adapters/redis/read-cache";
import { deleteKeys, REDIS_URL } from "./support/isolation";
import { eventually } from "./support/roles";

const keys = redisKeys(`test:cache${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`);
let redis: Redis;
let cache: VersionedReadCache;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  cache = new VersionedReadCache(redis, keys, 60);
  await cache.ready();
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

  it("serves a stored view only under exactly its tag, the server's run and the version (no prefix look-alikes)", async () => {
    const runId = /run_id:(\w+)/.exec(await redis.info("server"))![1];
    await redis.set(keys.tenantVersion("frank"), "ab");
    await redis.set(keys.view("frank", "v"), `${runId}.abc\nloaded under abc`);
    expect(text(await cache.getOrLoad("frank", "v", async () => "fresh"))).toBe("fresh");
    expect(await redis.get(keys.view("frank", "v"))).toBe(`${runId}.ab\nfresh`);
    expect(text(await cache.getOrLoad("frank", "v", async () => "unused"))).toBe("fresh");
    await redis.set(keys.view("frank", "w"), `${runId}.ab`);
    expect(text(await cache.getOrLoad("frank", "w", async () => "loaded"))).toBe("loaded");
    await redis.set(keys.view("frank", "x"), "0123abcd.ab\nloaded by another server's run");
    expect(text(await cache.getOrLoad("frank", "x", async () => "reloaded"))).toBe("reloaded");
  });

  it("gives a tenant without a version key a fresh one, so an evicted version never brings back what was cached before a write", async () => {
    expect(text(await cache.getOrLoad("judy", "v", async () => "before the write"))).toBe("before the write");
    const first = await redis.get(keys.tenantVersion("judy"));
    expect(first).toMatch(/^[A-Za-z0-9_-]{12}$/);
    await cache.invalidate("judy");
    await redis.del(keys.tenantVersion("judy")); // evicted (volatile-lru) or lost
    expect(text(await cache.getOrLoad("judy", "v", async () => "after the write"))).toBe("after the write");
    expect(await redis.get(keys.tenantVersion("judy"))).not.toBe(first);
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

describe("VersionedReadCache when Redis loses data", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "valorize-cache-loss-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A cache on its own throwaway Redis; `during` gets the server and the cache. */
  async function withThrowawayRedis(name: string, during: (server: Awaited<ReturnType<typeof throwawayRedis>>, cache: VersionedReadCache) => Promise<void>) {
    const serverDir = join(dir, name);
    await mkdir(serverDir);
    const server = await throwawayRedis({ dir: serverDir, durable: false });
    const connection = new Redis(server.url, { maxRetriesPerRequest: 2 });
    connection.on("error", () => undefined);
    try {
      const local = new VersionedReadCache(connection, redisKeys("loss:"), 300);
      await local.ready();
      await during(server, local);
    } finally {
      connection.disconnect();
      await server.stop();
    }
  }

  it("never serves the pre-write page after Redis restarts empty (Memorystore Basic)", async () => {
    await withThrowawayRedis("restart", async (server, local) => {
      expect(text(await local.getOrLoad("kim", "page", async () => "before the write"))).toBe("before the write");
      await local.invalidate("kim"); // the write, answered before Redis goes away
      await server.stop();
      await server.start(); // no persistence: every key is gone, the tenant's version with them
      await local.ready();
      expect(text(await local.getOrLoad("kim", "page", async () => "after the write"))).toBe("after the write");
    });
  });

  it("never serves the pre-write page after a failover to a replica that missed the write", async () => {
    await withThrowawayRedis("failover", async (server, local) => {
      const admin = new Redis(server.url);
      try {
        expect(text(await local.getOrLoad("lee", "page", async () => "before the write"))).toBe("before the write");
        await admin.save(); // what the replica has: the version and the view from before the write
        await local.invalidate("lee"); // the write's new version, not yet replicated
        await server.stop("SIGKILL");
        await server.start(); // comes back from the snapshot: the old version is current again
        await eventually(async () => (await admin.get(redisKeys("loss:").view("lee", "page"))) !== null, 10_000, "the snapshot to load");
        await local.ready();
        expect(text(await local.getOrLoad("lee", "page", async () => "after the write"))).toBe("after the write");
      } finally {
        admin.disconnect();
      }
    });
  });
});
