/**
 * The migrate role: idempotent, safe when two runs race, and granting the runtime roles data
 * access (and no more) in the schema.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../adapters/logging";
import { migrate } from "../adapters/postgres/migrator";
import { runMigrations } from "../entrypoints/migrate";
import { DATABASE_URL } from "./support/isolation";

const logger = createLogger({ level: "silent", role: "test" });
const schema = `t_migrate${randomBytes(4).toString("hex")}`;
const runtimeRole = `t_runtime_${randomBytes(4).toString("hex")}`;
let admin: pg.Pool;

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  await admin.query(`CREATE ROLE ${runtimeRole} LOGIN`);
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP OWNED BY ${runtimeRole}`).catch(() => undefined);
  await admin.query(`DROP ROLE IF EXISTS ${runtimeRole}`);
  await admin.end();
});

describe("migrations", () => {
  it("apply once even when two runs race, and are a no-op afterwards", async () => {
    const [a, b] = await Promise.all([migrate(admin, { schema, logger }), migrate(admin, { schema, logger })]);
    expect([...a, ...b]).toEqual(["1732300000000_initial-schema", "1732400000000_outbox"]);
    expect(await migrate(admin, { schema, logger })).toEqual([]);
    const { rows } = await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema]);
    expect(rows.map((r) => r.table_name)).toEqual([
      "accounts",
      "api_tokens",
      "budgets",
      "categories",
      "categorisation_rules",
      "idempotency_keys",
      "imports",
      "notifications",
      "outbox",
      "pgmigrations",
      "transaction_splits",
      "transactions",
      "users",
    ]);
  });

  it("indexes transactions for the list queries", async () => {
    const { rows } = await admin.query("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'transactions'", [schema]);
    const definitions = rows.map((r) => r.indexdef as string);
    expect(definitions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\(account_id, occurred_at DESC, id DESC\)/),
        expect.stringMatching(/\(user_id, occurred_at DESC, id DESC\)/),
        expect.stringMatching(/UNIQUE INDEX .* \(import_id, import_row\) WHERE \(import_id IS NOT NULL\)/),
      ]),
    );
  });

  it("the migrate role grants DB_GRANT_TO data access but not DDL", async () => {
    await runMigrations(
      { ...(await import("../config")).loadConfig("migrate", { DATABASE_URL, DB_SCHEMA: schema, DB_GRANT_TO: runtimeRole }) },
      logger,
    );
    const runtime = new pg.Client({ connectionString: DATABASE_URL.replace("postgres@", `${runtimeRole}@`), options: `-c search_path=${schema}` });
    await runtime.connect();
    try {
      await runtime.query("INSERT INTO users (email, name, password_hash) VALUES ('g@example.com', 'G', 'x')");
      expect((await runtime.query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(1);
      await expect(runtime.query("DROP TABLE users")).rejects.toThrow(/must be owner/);
      await expect(runtime.query("CREATE TABLE sneaky (id int)")).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.end();
    }
  });
});
