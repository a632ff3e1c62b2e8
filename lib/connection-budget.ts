/**
 * The PostgreSQL connection budget, computed in one place: the ConnectionBudget construct derives
 * `max_connections` from it and fails synth when it does not fit, and policy rule VZ-SQL-005 runs
 * the same computation over the synthesized workloads. Pure arithmetic, no project imports.
 */

/**
 * Connections kept free under `max_connections` for operators, migrations run by hand and Cloud
 * SQL's own processes (PostgreSQL reserves 3 for superusers on top of what Cloud SQL uses).
 */
export const DEFAULT_CONNECTION_RESERVE = 20;

/** Something that opens PostgreSQL connections: up to `maxInstances` processes, `poolSize` each. */
export interface ConnectionConsumer {
  readonly name: string;
  readonly maxInstances: number;
  readonly poolSize: number;
}

export interface ConnectionBudgetInput {
  readonly consumers: readonly ConnectionConsumer[];
  /** Connections kept free. @default DEFAULT_CONNECTION_RESERVE */
  readonly reserve?: number;
  /**
   * An explicit `max_connections`. When omitted it is derived as budget + reserve; when given,
   * the budget must fit under it minus the reserve. @default budget + reserve
   */
  readonly maxConnections?: number;
}

export interface ConnectionBudgetResult {
  /** Sum over consumers of maxInstances x poolSize: the most connections the services can open at once. */
  readonly budget: number;
  readonly reserve: number;
  readonly maxConnections: number;
  readonly fits: boolean;
  /** One line per consumer with its share, for messages. */
  readonly breakdown: string;
}

export function computeConnectionBudget(input: ConnectionBudgetInput): ConnectionBudgetResult {
  const reserve = input.reserve ?? DEFAULT_CONNECTION_RESERVE;
  const budget = input.consumers.reduce((sum, c) => sum + c.maxInstances * c.poolSize, 0);
  const maxConnections = input.maxConnections ?? budget + reserve;
  const breakdown = input.consumers
    .map((c) => `${c.name}: ${c.maxInstances} instances x ${c.poolSize} connections = ${c.maxInstances * c.poolSize}`)
    .join("; ");
  return { budget, reserve, maxConnections, fits: budget <= maxConnections - reserve, breakdown };
}
