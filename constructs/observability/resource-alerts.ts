/**
 * Saturation tickets: Cloud SQL CPU, memory, disk and connections, Redis memory and the task
 * backlog, each compared with a threshold after aggregating the metric's series as
 * RESOURCE_ALERT_SERIES records.
 */
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import type { Construct } from "../../lib/cdktf";
import type { MetricFilters } from "./filters";

/** How a resource alert turns a metric's time series into the one value it compares. */
export interface ResourceAggregation {
  readonly perSeriesAligner: string;
  readonly crossSeriesReducer?: string;
  readonly groupByFields?: readonly string[];
}

/**
 * What series each resource alert's metric has, and so how the alert aggregates them. A
 * threshold is compared with every series that comes out of the aggregation, so a metric with one
 * series per database, node or queue must be reduced across them whenever the threshold is about
 * the whole (as max_connections is); otherwise each part is compared alone and the whole can pass
 * the limit without an alert. Series as listed in Google Cloud's metrics list
 * (https://cloud.google.com/monitoring/api/metrics_gcp_c for cloudsql and cloudtasks,
 * https://cloud.google.com/monitoring/api/metrics_gcp_p_z for redis) and the monitored resources'
 * labels (https://cloud.google.com/monitoring/api/resources).
 */
export const RESOURCE_ALERT_SERIES = {
  /** `database/cpu/utilization`: no metric labels; one series per instance (cloudsql_database). */
  sqlCpu: { perSeriesAligner: "ALIGN_MEAN" },
  /** `database/memory/utilization`: no metric labels; one series per instance. */
  sqlMemory: { perSeriesAligner: "ALIGN_MEAN" },
  /** `database/disk/utilization`: no metric labels; one series per instance. */
  sqlDisk: { perSeriesAligner: "ALIGN_MAX" },
  /**
   * `database/postgresql/num_backends`: metric label `database` ("Name of the database"), so one
   * series per database (the app's, postgres, cloudsqladmin, ...), while max_connections limits
   * them together: summed across databases per instance.
   */
  sqlConnections: { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.database_id"] },
  /**
   * `stats/memory/usage_ratio`: one series per node (redis_instance's `node_id`; metric label
   * `role`, primary or replica, on the Standard tier). Each node's ratio is against that node's
   * own memory, so summing would be wrong: the fullest node decides (REDUCE_MAX per instance).
   */
  redisMemory: { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_MAX", groupByFields: ["resource.label.instance_id"] },
  /**
   * `queue/depth`: no metric labels; one series per queue (cloud_tasks_queue's `queue_id`).
   * Categorisation is sharded over several queues (4 in dev, 8 in prod), so a per-queue threshold
   * would mean a different total per environment: the alert is on the backlog of all queues
   * together, which is what decides how long the worker needs to catch up.
   */
  queueDepth: { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM" },
} as const satisfies Record<string, ResourceAggregation>;

/** Thresholds of the saturation tickets and the error-budget ticket. */
export interface AlertThresholds {
  /** Ticket when less than this share of an SLO's error budget is left in its rolling window. @default 0.25 */
  readonly errorBudgetLeft?: number;
  /** @default 0.8 */
  readonly sqlCpu?: number;
  /** @default 0.9 */
  readonly sqlMemory?: number;
  /** @default 0.85 */
  readonly sqlDisk?: number;
  /** Connections in use as a share of max_connections (all databases together). @default 0.8 */
  readonly sqlConnections?: number;
  /** The fullest node's memory ratio. @default 0.8 */
  readonly redisMemory?: number;
  /** Tasks waiting in all the queues together. @default 10000 */
  readonly queueDepth?: number;
  /** How long a resource must stay above its threshold before a ticket. @default 10 */
  readonly durationMinutes?: number;
}

export type ResolvedAlertThresholds = { readonly [K in keyof AlertThresholds]-?: number };

export const DEFAULT_ALERT_THRESHOLDS: ResolvedAlertThresholds = {
  errorBudgetLeft: 0.25,
  sqlCpu: 0.8,
  sqlMemory: 0.9,
  sqlDisk: 0.85,
  sqlConnections: 0.8,
  redisMemory: 0.8,
  queueDepth: 10_000,
  durationMinutes: 10,
};

export interface ResourceAlertContext {
  readonly project: string;
  readonly namePrefix: string;
  readonly filters: MetricFilters;
  readonly maxConnections: number;
  /** Ticket channel names. */
  readonly channels: readonly string[];
  readonly alerts: ResolvedAlertThresholds;
}

/** Creates the saturation tickets in `scope` (the Observability construct), as `resource-<id>`. */
export function resourceAlerts(scope: Construct, context: ResourceAlertContext): MonitoringAlertPolicy[] {
  const { alerts, filters, maxConnections } = context;
  const policy = (id: string, title: string, filter: string, threshold: number, aggregation: ResourceAggregation, runbook: string) =>
    new MonitoringAlertPolicy(scope, `resource-${id}`, {
      project: context.project,
      displayName: `${context.namePrefix}: ${title}`,
      combiner: "OR",
      severity: "WARNING",
      notificationChannels: [...context.channels],
      documentation: { mimeType: "text/markdown", content: runbook },
      conditions: [
        {
          displayName: title,
          conditionThreshold: {
            filter,
            aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: aggregation.perSeriesAligner, crossSeriesReducer: aggregation.crossSeriesReducer, groupByFields: aggregation.groupByFields && [...aggregation.groupByFields] }],
            comparison: "COMPARISON_GT",
            thresholdValue: threshold,
            duration: `${alerts.durationMinutes * 60}s`,
            trigger: { count: 1 },
          },
        },
      ],
    });
  const connections = Math.floor(maxConnections * alerts.sqlConnections);
  return [
    policy("sql-cpu", `Cloud SQL CPU above ${alerts.sqlCpu * 100} %`, filters.sql("cpu/utilization"), alerts.sqlCpu, RESOURCE_ALERT_SERIES.sqlCpu, "Cloud SQL CPU is high: look for slow queries in Query Insights; consider a larger tier or read replicas."),
    policy("sql-memory", `Cloud SQL memory above ${alerts.sqlMemory * 100} %`, filters.sql("memory/utilization"), alerts.sqlMemory, RESOURCE_ALERT_SERIES.sqlMemory, "Cloud SQL memory is high: check connection count and work_mem-heavy queries."),
    policy("sql-disk", `Cloud SQL disk above ${alerts.sqlDisk * 100} %`, filters.sql("disk/utilization"), alerts.sqlDisk, RESOURCE_ALERT_SERIES.sqlDisk, "Cloud SQL disk is filling: automatic growth is on up to the configured limit; check the limit and what grows."),
    policy(
      "sql-connections",
      `Cloud SQL connections above ${Math.round(alerts.sqlConnections * 100)} % of max_connections (${connections} of ${maxConnections})`,
      filters.sql("postgresql/num_backends"),
      connections,
      RESOURCE_ALERT_SERIES.sqlConnections,
      "PostgreSQL connections (all databases together) approach max_connections: the connection budget assumed fewer; check pool sizes and max instances.",
    ),
    policy("redis-memory", `Redis memory above ${alerts.redisMemory * 100} %`, filters.redis("stats/memory/usage_ratio"), alerts.redisMemory, RESOURCE_ALERT_SERIES.redisMemory, "Redis memory is high: the read cache evicts (allkeys-lru), but a full instance slows everything; consider a larger size."),
    policy("queue-depth", `Task backlog above ${alerts.queueDepth} (all queues together)`, filters.queue("depth"), alerts.queueDepth, RESOURCE_ALERT_SERIES.queueDepth, "Tasks are piling up: check worker errors and instance count, and the queues' rate limits."),
  ];
}
