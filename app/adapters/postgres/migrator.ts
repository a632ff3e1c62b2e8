/**
 * Schema migrations with node-pg-migrate (plain SQL files in app/migrations), safe to run again and
 * from several places at once: a session advisory lock per schema makes concurrent runs wait for
 * each other (node-pg-migrate's own lock would make the second one fail instead). Afterwards the
 * runtime roles get exactly the data privileges they need, now and for future tables.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runner } from "node-pg-migrate";
import pg from "pg";
import type { Logger } from "../logging";

/**
 * Where the SQL files are: app/migrations both from source (this file is app/adapters/postgres)
 * and from the bundle (app/dist/main.js, with app/migrations copied beside it in the image).
 */
export function migrationsDir(): string {
  const candidates = [process.env.MIGRATIONS_DIR, join(__dirname, "..", "migrations"), join(__dirname, "..", "..", "migrations")];
  const holdsMigrations = (dir: string | undefined): dir is string =>
    Boolean(dir) && existsSync(dir!) && readdirSync(dir!).some((file) => file.endsWith(".sql"));
  const found = candidates.find(holdsMigrations);
  if (!found) throw new Error(`migrations not found (looked in ${candidates.filter(Boolean).join(", ")}); set MIGRATIONS_DIR`);
  return found;
}

export interface MigrateOptions {
  readonly schema: string;
  /** PostgreSQL roles (the runtime services' IAM users) that get data access. */
  readonly grantTo?: readonly string[];
  readonly logger: Logger;
  readonly dir?: string;
}

export async function migrate(pool: pg.Pool, options: MigrateOptions): Promise<string[]> {
  const client = await pool.connect();
  const schema = pg.escapeIdentifier(options.schema);
  const lockKey = `valorize-migrate:${options.schema}`;
  try {
    // Lock first: two concurrent CREATE SCHEMA IF NOT EXISTS can both pass the check and one then
    // fails on pg_namespace's unique index.
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const applied = await runner({
        dbClient: client,
        dir: options.dir ?? migrationsDir(),
        direction: "up",
        migrationsTable: "pgmigrations",
        schema: options.schema,
        noLock: true,
        singleTransaction: true,
        checkOrder: true,
        log: (message) => options.logger.info(message),
      });
      if (options.grantTo?.length) await grantDataAccess(client, schema, options.grantTo);
      return applied.map((migration) => migration.name);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey]);
    }
  } finally {
    client.release();
  }
}

async function grantDataAccess(client: pg.PoolClient, schema: string, roles: readonly string[]): Promise<void> {
  const grantees = roles.map((role) => pg.escapeIdentifier(role)).join(", ");
  await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${grantees}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${grantees}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${grantees}`);
  await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${grantees}`);
  await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${grantees}`);
}
