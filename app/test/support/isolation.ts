/**
 * A private corner of the shared PostgreSQL and Redis for one test file or benchmark run: its own
 * schema (migrated), Redis key prefix and queue prefix, so concurrent runs never see each other.
 * `cleanup` drops the schema and deletes the prefix's keys.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { createLogger } from "../../adapters/logging";
import { migrate } from "../../adapters/postgres/migrator";
import { loadConfig, type AppConfig, type Role } from "../../config";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Isolated {
  readonly id: string;
  readonly schema: string;
  readonly redisPrefix: string;
  readonly queuePrefix: string;
  /** Environment variables that point a role (process or in-process) at this corner. */
  readonly env: Readonly<Record<string, string>>;
  /** Superuser-ish access for assertions and fixtures (search_path = the schema). */
  readonly pool: pg.Pool;
  readonly redis: Redis;
  config(role: Role, overrides?: Readonly<Record<string, string>>): AppConfig;
  cleanup(): Promise<void>;
}

export async function isolate(label: string): Promise<Isolated> {
  const id = `${label.toLowerCase().replace(/[^a-z0-9]/g, "")}${randomBytes(4).toString("hex")}`;
  const schema = `t_${id}`;
  const redisPrefix = `test:${id}:`;
  const queuePrefix = `t-${id}`;
  const env = {
    DATABASE_URL,
    REDIS_URL,
    DB_SCHEMA: schema,
    DB_POOL_SIZE: "5",
    REDIS_KEY_PREFIX: redisPrefix,
    TASKS_QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  };
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  await migrate(pool, { schema, logger: createLogger({ level: "silent", role: "test" }) });
  const redis = new Redis(REDIS_URL);
  return {
    id,
    schema,
    redisPrefix,
    queuePrefix,
    env,
    pool,
    redis,
    config: (role, overrides = {}) => loadConfig(role, { ...env, ...overrides }),
    async cleanup() {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await pool.end();
      await deleteKeys(redis, `${redisPrefix}*`);
      await redis.quit();
    },
  };
}

/** SCAN (never KEYS) and UNLINK everything under a pattern. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}
