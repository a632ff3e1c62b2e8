import { Construct } from "../lib/cdktf";
import { computeConnectionBudget, type ConnectionBudgetResult, type ConnectionConsumer } from "../lib/connection-budget";

export interface ConnectionBudgetProps {
  readonly consumers: readonly ConnectionConsumer[];
  /**
   * Connections kept free for operators, migrations and Cloud SQL's own processes.
   * @default DEFAULT_CONNECTION_RESERVE (20, lib/connection-budget.ts)
   */
  readonly reserve?: number;
  /**
   * An explicit `max_connections`. When omitted it is derived as budget + reserve; when given,
   * the budget must fit under it minus the reserve. @default budget + reserve
   */
  readonly maxConnections?: number;
}

/**
 * Checks that every service at full scale-out cannot exhaust PostgreSQL: the sum of
 * (max instances x pool size) must fit under `max_connections` minus a reserve. A violation fails
 * synth with the numbers. Without an explicit `max_connections` the construct derives it, and the
 * database is configured with `maxConnections`. The arithmetic is lib/connection-budget.ts, which
 * policy rule VZ-SQL-005 also runs.
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
