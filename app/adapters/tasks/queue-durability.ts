/**
 * Whether the Redis holding the local task queues keeps them across a restart. Cloud Tasks never
 * loses a queued task; the local stand-in only matches that when Redis writes an append-only file
 * (with `appendfsync everysec` a crash of Redis itself loses nothing it acknowledged, a crash of
 * the machine up to about a second). Without one, a restart empties every queue.
 */
import type { Redis } from "ioredis";

export async function queueDurabilityProblem(redis: Redis): Promise<string | undefined> {
  const info = await redis.info("persistence");
  if (/^aof_enabled:1\s*$/m.test(info)) return undefined;
  return (
    "the Redis at REDIS_URL keeps no append-only file (aof_enabled:0), so the local task queues are lost if it restarts " +
    "(Cloud Tasks never loses a queued task): start redis-server with --appendonly yes --appendfsync everysec, " +
    "or run CONFIG SET appendonly yes on it"
  );
}
