/**
 * `npm run experiment -- --scenarios resilience` locally: the whole system on servers of its own
 * (2 api processes, a worker, the dispatcher, 2 realtime instances), then run.ts's scenario with
 * the faults of local-faults.ts: processes killed and started again, the run's own Redis killed
 * and started again, its own PostgreSQL restarted. The audit reads PostgreSQL directly and counts
 * categorisations on the Redis backplane.
 *
 * It stops PostgreSQL and Redis, so it never uses the servers the other scenarios use
 * (DATABASE_URL / REDIS_URL or the ones on 5432 / 6379): it starts throwaway ones in a temporary
 * directory and removes them afterwards, also on failure or Ctrl-C.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { redisKeys } from "../../app/adapters/redis/keys";
import { ExperimentError } from "../errors";
import type { ExperimentContext } from "../experiment/context";
import { throwawayPostgres, throwawayRedis, type ThrowawayPostgres, type ThrowawayRedis } from "../local/data-services";
import { LocalSystem } from "../local/system";
import { registerUsers } from "../node/register-users";
import { PROFILES } from "../scenarios";
import { BackplaneListener, DatabaseAudit } from "./audit";
import { CategorisationCounter } from "../categorisation-events";
import { RetryingClient } from "./client";
import { LOCAL_FAULTS, type LocalFaultName } from "./faults";
import { injectLocal, STOPPED_REALTIME } from "./local-faults";
import { runResilience, type ResilienceTarget } from "./run";
import type { ResilienceResult } from "./types";

async function ownServers(dir: string): Promise<{ postgres: ThrowawayPostgres; redis: ThrowawayRedis }> {
  const why = "the resilience scenario stops and restarts PostgreSQL and Redis, so it runs on servers of its own and never touches one it did not start (DATABASE_URL, REDIS_URL and the servers on 127.0.0.1:5432/6379 are left alone)";
  let postgres: ThrowawayPostgres;
  try {
    postgres = await throwawayPostgres(dir);
  } catch (error) {
    throw new ExperimentError(`${why}; it could not start a PostgreSQL server (${(error as Error).message}): install PostgreSQL's server binaries (initdb, pg_ctl; apt-get install postgresql), or leave resilience out of --scenarios`);
  }
  try {
    // Durable like the Docker stack's and the experiment's: the local queues live in it.
    return { postgres, redis: await throwawayRedis({ dir, durable: true }) };
  } catch (error) {
    await postgres.stop().catch(() => undefined);
    throw new ExperimentError(`${why}; it could not start a Redis server (${(error as Error).message}): install redis-server (apt-get install redis-server), or leave resilience out of --scenarios`);
  }
}

/**
 * Its processes run without CPU quotas: it measures loss and recovery, not capacity, and the
 * instances the api cluster starts in place of killed ones would escape a quota set at start.
 */
export async function runResilienceLocal(ctx: ExperimentContext, bundle: string): Promise<ResilienceResult> {
  const settings = PROFILES[ctx.options.profile].resilience;
  const runId = Math.random().toString(16).slice(2, 10);
  ctx.eta.start("resilience");
  const dir = await mkdtemp(join(tmpdir(), "valorize-resilience-"));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  ctx.cleanup(removeDir);
  let system: LocalSystem | undefined;
  let servers: { postgres: ThrowawayPostgres; redis: ThrowawayRedis } | undefined;
  let api: RetryingClient | undefined;
  let pool: pg.Pool | undefined;
  try {
    servers = await ownServers(dir);
    const { postgres, redis } = servers;
    ctx.cleanup(() => postgres.stop());
    ctx.cleanup(() => redis.stop());
    const dataServices = `throwaway PostgreSQL on 127.0.0.1:${postgres.port} and Redis on 127.0.0.1:${redis.port} (append-only file, fsync every second), both started by this run`;
    ctx.log(`resilience: ${dataServices}, in ${dir}`);
    system = await LocalSystem.start({ databaseUrl: postgres.url, redisUrl: redis.url, bundle, apiInstances: 2, workerInstances: 1, realtimeInstances: 2, runId, logDir: join(ctx.outDir, "logs", "resilience") });
    const running = system;
    ctx.cleanup(() => running.stop());
    ctx.log(`resilience: system up at ${system.baseUrl} (2 api processes, a worker, the dispatcher, 2 realtime instances)`);
    api = new RetryingClient(system.baseUrl);
    // Audits on the run's schema; the pool rides out the PostgreSQL restart.
    pool = new pg.Pool({ connectionString: postgres.url, max: 2, options: `-c search_path=${system.schema}` });
    pool.on("error", () => undefined);
    const audits = pool;
    const target: ResilienceTarget = {
      environment: "local",
      faults: LOCAL_FAULTS,
      baseUrl: system.baseUrl,
      realtimeUrls: system.realtimeUrls,
      probeTargets: { api: system.baseUrl, worker: system.workerUrl, realtime: system.realtimeUrls[0]!.replace(/^ws/, "http").replace(/\/ws$/, "") },
      dataServices,
      api,
      registerUsers: (count) => registerUsers(running.baseUrl, count, `res-${runId}`, 8),
      gate: () => running.taskQueues(),
      categorised: async (ids) => {
        const { rows } = await audits.query<{ n: string }>("SELECT count(*) AS n FROM transactions WHERE id = ANY($1::uuid[]) AND category_id IS NOT NULL", [ids]);
        return Number(rows[0]!.n);
      },
      inject: (spec, s, now) => injectLocal(spec.name as LocalFaultName, { system: running, postgres, redis }, s, now),
      stoppedClients: (clients) => clients.flatMap((c, i) => (c.instance === STOPPED_REALTIME ? [i] : [])),
      audit: (users, prefix) => new DatabaseAudit(audits, prefix, users.map((u) => u.accountIds[0]!)),
      countEffects: async () => {
        const counter = new CategorisationCounter();
        const listener = new BackplaneListener(redis.url, `${redisKeys(running.keyPrefix).events("")}*`, counter);
        await listener.start();
        return { duplicatesOf: (id) => counter.duplicatesOf(id), close: () => listener.close() };
      },
    };
    return await runResilience(ctx, target, settings, runId);
  } finally {
    await api?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await system?.stop().catch(() => undefined);
    await servers?.redis.stop().catch(() => undefined);
    await servers?.postgres.stop().catch(() => undefined);
    await removeDir();
    ctx.eta.finish("resilience");
  }
}
