/**
 * The faults, done to the local system: processes this run started (killed with a signal, started
 * again on the same port) and the run's own throwaway PostgreSQL and Redis. Never anything else.
 */
import type { ThrowawayPostgres, ThrowawayRedis } from "../local/data-services";
import type { LocalSystem } from "../local/system";
import type { LocalFaultName, ResilienceSettings } from "./faults";
import { postgresServes, redisServes, watchOutage } from "./probes";
import type { Injected } from "./run";

export interface LocalTargets {
  readonly system: LocalSystem;
  readonly postgres: ThrowawayPostgres;
  readonly redis: ThrowawayRedis;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/** A new api instance listening (its launcher logged it) after `since`, other than `except`. */
async function replacementListening(system: LocalSystem, since: number, except: readonly number[]): Promise<number> {
  return until("a replacement api instance listening", () => {
    for (const line of system.clusterLog("api")) {
      const pid = Number(/^api instance (\d+) listening$/.exec(line.message)?.[1]);
      if (line.at >= since && pid && !except.includes(pid)) return pid;
    }
    return undefined;
  });
}

/** The realtime instance the resilience run stops (its second one). */
export const STOPPED_REALTIME = 1;
const realtimeRole = (index: number) => (index === 0 ? "realtime" : (`realtime-${index + 1}` as const));

export async function injectLocal(name: LocalFaultName, targets: LocalTargets, settings: ResilienceSettings, now: () => number): Promise<Injected> {
  const { system, postgres, redis } = targets;
  const down = settings.downSeconds * 1000;
  switch (name) {
    case "worker-kill":
    case "dispatcher-kill": {
      const role = name === "worker-kill" ? "worker" : "dispatcher";
      const pids = role === "worker" ? system.instancePids("worker") : [];
      const injectedAt = now();
      await system.kill(role, "SIGKILL");
      const downFrom = now();
      await sleep(down);
      await system.revive(role);
      return { injectedAt, downFrom, backAt: now(), detail: `${role} killed${pids.length ? ` (instances ${pids.join(", ")} and their launcher)` : ""}, started again after ${settings.downSeconds} s` };
    }
    case "api-kill": {
      const before = system.instancePids("api");
      const victim = before[0]!;
      const since = Date.now();
      const injectedAt = now();
      process.kill(victim, "SIGKILL");
      const replacement = await replacementListening(system, since, before);
      return { injectedAt, downFrom: injectedAt, backAt: now(), detail: `api instance ${victim} killed; replacement ${replacement} listening` };
    }
    case "api-rolling-restart": {
      const original = system.instancePids("api");
      const injectedAt = now();
      const steps: string[] = [];
      const seen = [...original];
      for (const pid of original) {
        const since = Date.now();
        const started = now();
        process.kill(pid, "SIGTERM");
        const replacement = await replacementListening(system, since, seen);
        seen.push(replacement);
        steps.push(`${pid} -> ${replacement} in ${(now() - started).toFixed(1)} s`);
      }
      return { injectedAt, downFrom: injectedAt, backAt: now(), detail: `SIGTERM to each api instance in turn: ${steps.join("; ")}` };
    }
    case "redis-restart": {
      const outage = watchOutage(() => redisServes(redis.port), now);
      const injectedAt = now();
      await redis.stop("SIGKILL");
      const downFrom = now();
      await sleep(down);
      await redis.start();
      const observedDown = await outage;
      return { injectedAt, downFrom, backAt: now(), ...(observedDown ? { observedDown } : {}), detail: `redis-server on port ${redis.port} killed, started again after ${settings.downSeconds} s (append-only file in ${redis.dir})` };
    }
    case "postgres-restart": {
      const outage = watchOutage(() => postgresServes(postgres.url), now);
      const injectedAt = now();
      await postgres.restart();
      const backAt = now();
      const observedDown = await outage;
      const refused = observedDown ? `; it refused queries for ${Math.round((observedDown.to - observedDown.from) * 1000)} ms` : "";
      return { injectedAt, downFrom: injectedAt, backAt, ...(observedDown ? { observedDown } : {}), detail: `pg_ctl restart -m fast on port ${postgres.port}: ${Math.round((backAt - injectedAt) * 1000)} ms until it returned${refused}` };
    }
    case "realtime-kill": {
      const role = realtimeRole(STOPPED_REALTIME);
      const injectedAt = now();
      await system.kill(role, "SIGKILL");
      const downFrom = now();
      await sleep(down);
      await system.revive(role);
      return { injectedAt, downFrom, backAt: now(), detail: `${role} (instance ${STOPPED_REALTIME + 1} of 2) killed, started again after ${settings.downSeconds} s` };
    }
  }
}
