/**
 * `npm run seed -- --users N --tx-per-account M [--accounts-per-user K] [--out file.json]`
 * Migrates if needed, then bulk-inserts realistic data. Every seeded user's password is
 * `password123`; with --out, the users' emails, API tokens and account ids are written as JSON
 * (load tests read them).
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createLogger } from "../adapters/logging";
import { migrate } from "../adapters/postgres/migrator";
import { createPostgresPool } from "../adapters/postgres/pool";
import { seedDatabase } from "../adapters/postgres/seeder";
import { ScryptPasswordHasher } from "../adapters/security/password-hasher";
import { ConfigError, loadConfig } from "../config";

export const SEED_PASSWORD = "password123";

/** A bad command line: reported as a message, not a stack trace. */
class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000_000) {
    throw new UsageError(`--${name} must be a whole number between 1 and 10000000 (got ${JSON.stringify(value)})`);
  }
  return parsed;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        users: { type: "string" },
        "tx-per-account": { type: "string" },
        "accounts-per-user": { type: "string" },
        out: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: npm run seed -- --users N --tx-per-account M [--accounts-per-user K] [--out file.json]`);
  }
  const users = positiveInt("users", values.users);
  const txPerAccount = positiveInt("tx-per-account", values["tx-per-account"]);
  const accountsPerUser = positiveInt("accounts-per-user", values["accounts-per-user"], 1);

  const config = loadConfig("seed");
  const logger = createLogger({ level: config.log.level, role: "seed" });
  const postgres = await createPostgresPool(config.database, "valorize-seed");
  try {
    await migrate(postgres.pool, { schema: config.database.schema, logger });
    const started = performance.now();
    const seeded = await seedDatabase(postgres.pool, {
      users,
      accountsPerUser,
      txPerAccount,
      tokenSecret: config.tokenSecret,
      passwordHash: await new ScryptPasswordHasher().hash(SEED_PASSWORD),
      runId: randomUUID().slice(0, 8),
    });
    const seconds = (performance.now() - started) / 1000;
    const transactions = users * accountsPerUser * txPerAccount;
    if (values.out) await writeFile(values.out, JSON.stringify(seeded, null, 2));
    logger.info(
      { users, accounts: users * accountsPerUser, transactions, seconds: Number(seconds.toFixed(2)), out: values.out },
      `seeded ${transactions} transactions in ${seconds.toFixed(2)} s`,
    );
  } finally {
    await postgres.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
