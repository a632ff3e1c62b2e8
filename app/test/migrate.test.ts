/**
 * The migrate role: idempotent, safe when two runs race, and granting the runtime roles data
 * access (and no more) in the schema.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionRefusal } from "../adapters/postgres/connect-retry";
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

/**
 * On a first deploy the job starts while IAM grants made seconds earlier may not have taken effect
 * yet ("typically 2 minutes, potentially 7 minutes or longer"). Here the refusal is real: a
 * PostgreSQL role that may not log in until the test grants LOGIN, after the first refusal.
 */
describe("the migrate role waits out a refused login", () => {
  const late = `t_late_${randomBytes(4).toString("hex")}`;
  const lateSchema = `t_late${randomBytes(4).toString("hex")}`;
  const urlAs = (role: string) => {
    const url = new URL(DATABASE_URL);
    url.username = role;
    url.password = "";
    return url.toString();
  };
  /** A logger whose warnings the test can read. */
  const recording = () => {
    const warnings: Array<{ attempt: number; error: string }> = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    return { logger, warnings };
  };
  const quick = { maxRetryMs: 30_000, minDelayMs: 50, maxDelayMs: 250 };
  const configAs = async (role: string, schemaName: string) => (await import("../config")).loadConfig("migrate", { DATABASE_URL: urlAs(role), DB_SCHEMA: schemaName, DB_GRANT_TO: runtimeRole });

  beforeAll(async () => {
    await admin.query(`CREATE ROLE ${late} NOLOGIN`);
    const { rows } = await admin.query("SELECT current_database() AS db");
    await admin.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(rows[0].db)} TO ${late}`);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${lateSchema} CASCADE`);
    await admin.query(`DROP OWNED BY ${late}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${late}`);
  });

  it("retries with backoff until LOGIN is granted, then migrates and grants", async () => {
    const { logger, warnings } = recording();
    const run = runMigrations(await configAs(late, lateSchema), logger, quick);
    // Grant only once the role has been refused at least once, as a propagating grant would be.
    await expect.poll(() => warnings.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
    await admin.query(`ALTER ROLE ${late} LOGIN`);
    await run;
    expect(warnings[0]!.error).toMatch(/not permitted to log in/);
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'transactions'", [lateSchema]);
    expect(rows[0].n).toBe(1);
  });

  it("gives up after its time budget with the refusal, so a lasting problem still fails the deploy", async () => {
    const never = `t_never_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE ROLE ${never} NOLOGIN`);
    try {
      const { logger, warnings } = recording();
      await expect(runMigrations(await configAs(never, `${lateSchema}_x`), logger, { maxRetryMs: 1_000, minDelayMs: 50, maxDelayMs: 100 })).rejects.toThrow(/not permitted to log in/);
      expect(warnings.length).toBeGreaterThan(1);
    } finally {
      await admin.query(`DROP ROLE ${never}`);
    }
  });

  it("fails at once on what is not a refusal (a database that does not exist)", async () => {
    const { logger, warnings } = recording();
    const url = new URL(DATABASE_URL);
    url.pathname = `/t_missing_${randomBytes(4).toString("hex")}`;
    const config = (await import("../config")).loadConfig("migrate", { DATABASE_URL: url.toString(), DB_SCHEMA: lateSchema });
    await expect(runMigrations(config, logger, quick)).rejects.toThrow(/does not exist/);
    expect(warnings).toEqual([]);
  });

  it("counts the Cloud SQL Admin API's 403 (the connector before cloudsql.client applies) as a refusal, a SQL error not", () => {
    expect(isConnectionRefusal(Object.assign(new Error("Request failed with status code 403"), { status: 403 }))).toBe(true);
    expect(isConnectionRefusal(Object.assign(new Error("boom"), { response: { status: 503 } }))).toBe(true);
    expect(isConnectionRefusal(Object.assign(new Error('relation "x" does not exist'), { code: "42P01" }))).toBe(false);
    expect(isConnectionRefusal(Object.assign(new Error("bad request"), { status: 400 }))).toBe(false);
  });
});
