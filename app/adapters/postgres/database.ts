import type pg from "pg";
import type { Database, Repositories } from "../../domain/ports";
import { postgresRepositories } from "./repositories";

/** The Database port over a pg pool: `transaction` pins one client for BEGIN ... COMMIT. */
export class PostgresDatabase implements Database {
  readonly repos: Repositories;

  constructor(private readonly pool: pg.Pool) {
    this.repos = postgresRepositories(pool);
  }

  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection that cannot even roll back is broken: hand it back for disposal, not reuse.
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(postgresRepositories(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** For readiness probes. */
  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }
}
