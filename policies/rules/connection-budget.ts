/**
 * PostgreSQL connections: what every Cloud Run workload can open at full scale-out must fit under
 * `max_connections`, recomputed from the synthesized services and jobs so that a workload left out
 * of the ConnectionBudget construct, or a pool size changed by an override, is still counted. The
 * arithmetic is the construct's (lib/connection-budget.ts).
 */
import { computeConnectionBudget, type ConnectionConsumer } from "../../lib/connection-budget";
import { blocks, mentions, rule, show, type StackResources, type SynthesizedResource } from "../model";
import { SQL_INSTANCE } from "./cloud-sql";
import { envOf, envValue, literalName, maxConcurrentInstances, numeric, RUN_WORKLOADS } from "./workloads";

/** The env var through which the app sizes its PostgreSQL pool (lib/cloud-run.ts, AppService). */
export const POOL_SIZE_ENV = "DB_POOL_SIZE";

export const sqlConnectionBudget = rule({
  id: "VZ-SQL-005",
  severity: "ERROR",
  title: "Connection budget fits max_connections",
  rationale: "At full scale-out the workloads' pools must not exhaust PostgreSQL, or new instances fail to connect exactly under peak load.",
  fix: `Lower maxInstances or dbPoolSize of the workloads, or raise max_connections (database.maxConnections); each workload with a database sets ${POOL_SIZE_ENV}.`,
  appliesTo: [SQL_INSTANCE],
  check: (instance, stack, context) => {
    const flag = blocks(instance.config, "settings", "database_flags").find((f) => f.name === "max_connections");
    const maxConnections = numeric(flag?.value);
    if (maxConnections === undefined) {
      return [`max_connections is ${flag ? show(flag.value) : "not set (the tier's default applies)"}; set the database flag to a number so the budget can be checked`];
    }
    const problems: string[] = [];
    const consumers: ConnectionConsumer[] = [];
    for (const workload of consumersOf(instance, stack)) {
      const label = literalName(workload) ?? workload.path;
      const instances = maxConcurrentInstances(workload);
      const pool = numeric(envValue(workload, POOL_SIZE_ENV));
      if (instances === undefined) problems.push(`${label}: its instance count is not a number known at synth`);
      if (pool === undefined) problems.push(`${label}: connects to this instance with ${POOL_SIZE_ENV} ${show(envValue(workload, POOL_SIZE_ENV))}, which is not a number known at synth`);
      if (instances === undefined || pool === undefined) continue;
      consumers.push({ name: label, maxInstances: instances, poolSize: pool });
    }
    const { budget, reserve, fits } = computeConnectionBudget({ consumers, reserve: context.connectionReserve, maxConnections });
    if (!fits) {
      const shares = consumers.map((c) => `${c.name} ${c.maxInstances} x ${c.poolSize} = ${c.maxInstances * c.poolSize}`);
      problems.push(`workloads can open ${budget} connections (${shares.join("; ")}) + reserve ${reserve} = ${budget + reserve} > max_connections ${maxConnections}`);
    }
    return problems;
  },
});

/**
 * Workloads that open connections to this instance: those whose env refers to it (e.g.
 * DB_CONNECTION_NAME), and, when the stack has a single instance, any workload with a pool size.
 */
function consumersOf(instance: SynthesizedResource, stack: StackResources): SynthesizedResource[] {
  const single = stack.ofType(SQL_INSTANCE).length === 1;
  return stack.ofType(...RUN_WORKLOADS).filter((workload) => {
    const env = envOf(workload);
    return mentions(env, instance) || (single && env.some((entry) => entry.name === POOL_SIZE_ENV));
  });
}
