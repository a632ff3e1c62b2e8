/**
 * A pg connection pool from the database settings: a plain URL locally, or the Cloud SQL
 * connector (private IP, IAM or password auth) on Google Cloud. `max` is exactly DB_POOL_SIZE:
 * the infrastructure budgets the instance's max_connections from it.
 */
import { AuthTypes, Connector, IpAddressTypes } from "@google-cloud/cloud-sql-connector";
import pg from "pg";
import type { DatabaseConfig } from "../../config";
import type { Dependency } from "../http/dependencies";

export interface PostgresPool {
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** bigint and numeric columns as JS numbers: our cents and counts stay far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export async function createPostgresPool(config: DatabaseConfig, applicationName: string): Promise<PostgresPool> {
  const common: pg.PoolConfig = {
    max: config.poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: applicationName,
    // Tests and benchmarks isolate themselves in a schema; the default is public.
    options: `-c search_path=${config.schema}`,
    types,
  };
  if (config.kind === "url") {
    const pool = new pg.Pool({ ...common, connectionString: config.url });
    return { pool, close: () => pool.end() };
  }
  const connector = new Connector();
  const driverOptions = await connector.getOptions({
    instanceConnectionName: config.connectionName,
    ipType: config.ipType as IpAddressTypes,
    authType: config.auth === "iam" ? AuthTypes.IAM : AuthTypes.PASSWORD,
  });
  const pool = new pg.Pool({
    ...common,
    ...driverOptions,
    user: config.user,
    database: config.database,
    password: config.auth === "password" ? config.password : undefined,
  });
  return {
    pool,
    close: async () => {
      await pool.end();
      connector.close();
    },
  };
}

/**
 * SQLSTATEs of a server that cannot serve right now: class 08 (connection exception), 57P01-57P03
 * (shut down by an administrator or a crash, or starting up: a restart or a Cloud SQL failover),
 * 53300 (too many connections).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;
/** Socket errors of the driver (Redis's are wrapped by ioredis, so these are PostgreSQL's). */
const SOCKET_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
/** What pg itself throws when a connection dies or cannot be made in time. */
const DRIVER_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

export function isPostgresUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_STATES.test(code) || SOCKET_ERRORS.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isPostgresUnavailableError);
  return DRIVER_MESSAGES.test(error.message);
}

/** PostgreSQL as a dependency; pg has no connection state to read, so only failures tell. */
export const postgresDependency: Dependency = { name: "postgresql", failedBecauseOf: isPostgresUnavailableError };
