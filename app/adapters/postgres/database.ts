import { LRUCache } from "lru-cache";
import type pg from "pg";
import type { Database, Repositories, RuleRepository } from "../../domain/ports";
import type { TenantRule } from "../../domain/model";
import { batchedBudgets, batchedTransactions } from "./batching";
import { postgresRepositories } from "./repositories";

/**
 * A tenant's categorisation rules change far less often than they are read (once per task), so
 * the autocommit reads go through a short-lived per-process cache.
 */
function cachedRules(rules: RuleRepository, ttlMs: number): RuleRepository {
  // fetchMethod coalesces concurrent misses: a burst of tasks for one tenant loads its rules once.
  const cache = new LRUCache<string, TenantRule[]>({ max: 10_000, ttl: ttlMs, fetchMethod: (userId) => rules.list(userId) });
  return {
    insertMany: async (userId, newRules) => {
      cache.delete(userId);
      await rules.insertMany(userId, newRules);
    },
    list: async (userId) => (await cache.fetch(userId)) ?? rules.list(userId),
  };
}

/** The Database port over a pg pool: `transaction` pins one client for BEGIN ... COMMIT. */
export class PostgresDatabase implements Database {
  readonly repos: Repositories;

  constructor(
    private readonly pool: pg.Pool,
    options: {
      /** Cache each tenant's rules this long in-process (autocommit reads only). */
      readonly ruleCacheMs?: number;
      /** Batch concurrent single-row calls of the categorisation path (see batching.ts). */
      readonly batchHotCalls?: boolean;
    } = {},
  ) {
    const repos = postgresRepositories(pool);
    this.repos = {
      ...repos,
      ...(options.ruleCacheMs ? { rules: cachedRules(repos.rules, options.ruleCacheMs) } : {}),
      ...(options.batchHotCalls
        ? { transactions: batchedTransactions(pool, repos.transactions), budgets: batchedBudgets(pool, repos.budgets) }
        : {}),
    };
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
