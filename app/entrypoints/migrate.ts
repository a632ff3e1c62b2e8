import { untilConnected, MIGRATE_CONNECT_RETRY, type ConnectRetry } from "../adapters/postgres/connect-retry";
import { createPostgresPool, type PostgresPool } from "../adapters/postgres/pool";
import { migrate } from "../adapters/postgres/migrator";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";

/**
 * The migrate role (a Cloud Run Job, or `npm run migrate`): waits until the database lets it in
 * (a fresh deploy's IAM grants may still be propagating), applies pending migrations, then grants.
 */
export async function runMigrations(config: AppConfig, logger: Logger, retry: ConnectRetry = MIGRATE_CONNECT_RETRY): Promise<void> {
  const postgres = await untilConnected(() => openAndCheck(config, logger), retry, logger);
  try {
    const applied = await migrate(postgres.pool, { schema: config.database.schema, grantTo: config.grantTo, logger });
    logger.info({ applied, schema: config.database.schema, grantedTo: config.grantTo }, applied.length ? "migrations applied" : "schema up to date");
  } finally {
    await postgres.close();
  }
}

/** A pool that has logged in once: the connector's setup and the first login are what IAM gates. */
async function openAndCheck(config: AppConfig, logger: Logger): Promise<PostgresPool> {
  const postgres = await createPostgresPool(config.database, "valorize-migrate");
  try {
    await postgres.pool.query("SELECT 1");
    return postgres;
  } catch (error) {
    await postgres.close().catch((closeError: unknown) => logger.debug({ error: closeError }, "closing the refused pool failed"));
    throw error;
  }
}
