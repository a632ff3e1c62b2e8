import { createPostgresPool } from "../adapters/postgres/pool";
import { migrate } from "../adapters/postgres/migrator";
import type { Logger } from "../adapters/logging";
import type { AppConfig } from "../config";

/** The migrate role (a Cloud Run Job, or `npm run migrate`): applies pending migrations, then grants. */
export async function runMigrations(config: AppConfig, logger: Logger): Promise<void> {
  const postgres = await createPostgresPool(config.database, "valorize-migrate");
  try {
    const applied = await migrate(postgres.pool, { schema: config.database.schema, grantTo: config.grantTo, logger });
    logger.info({ applied, schema: config.database.schema, grantedTo: config.grantTo }, applied.length ? "migrations applied" : "schema up to date");
  } finally {
    await postgres.close();
  }
}
