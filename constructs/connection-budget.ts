import { Construct } from "../lib/cdktf";

/** Something that opens PostgreSQL connections: up to `maxInstances` processes, `poolSize` each. */
export interface ConnectionConsumer {
  readonly name: string;
  readonly maxInstances: number;
  readonly poolSize: number;
}

export interface ConnectionBudgetProps {
  readonly consumers: readonly ConnectionConsumer[];
  /** Connections kept free for operators, migrations and Cloud SQL's own processes. */
  readonly reserve: number;
  /**
   * An explicit `max_connections`. When omitted it is derived as budget + reserve; when given,
   * the budget must fit under it minus the reserve.
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

export function computeConnectionBudget(props: ConnectionBudgetProps): ConnectionBudgetResult {
  const budget = props.consumers.reduce((sum, c) => sum + c.maxInstances * c.poolSize, 0);
  const maxConnections = props.maxConnections ?? budget + props.reserve;
  const breakdown = props.consumers
    .map((c) => `${c.name}: ${c.maxInstances} instances x ${c.poolSize} connections = ${c.maxInstances * c.poolSize}`)
    .join("; ");
  return { budget, reserve: props.reserve, maxConnections, fits: budget <= maxConnections - props.reserve, breakdown };
}

/**
 * Checks that every service at full scale-out cannot exhaust PostgreSQL: the sum of
 * (max instances x pool size) must fit under `max_connections` minus a reserve. A violation fails
 * synth with the numbers. Without an explicit `max_connections` the construct derives it, and the
 * database is configured with `maxConnections`.
 */
export class ConnectionBudget extends Construct {
  readonly maxConnections: number;
  readonly result: ConnectionBudgetResult;

  constructor(scope: Construct, id: string, props: ConnectionBudgetProps) {
    super(scope, id);
    this.result = computeConnectionBudget(props);
    this.maxConnections = this.result.maxConnections;
    this.node.addValidation({
      validate: () =>
        this.result.fits
          ? []
          : [
              `Connection budget exceeded: the services can open ${this.result.budget} PostgreSQL connections ` +
                `(${this.result.breakdown}) but max_connections ${this.result.maxConnections} minus reserve ${this.result.reserve} ` +
                `leaves ${this.result.maxConnections - this.result.reserve}. Lower maxInstances or dbPoolSize, or raise database.maxConnections.`,
            ],
    });
  }
}
