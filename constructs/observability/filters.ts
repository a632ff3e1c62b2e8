/**
 * Cloud Monitoring filters for the environment's resources, built once from the target and shared
 * by the SLOs, the alerts and the dashboard, so a chart and the alert beside it watch the same series.
 */
import type { ServiceRole } from "../../lib/service-roles";

export interface ObservabilityTarget {
  /** Cloud Run service names per role. */
  readonly services: Readonly<Record<ServiceRole, string>>;
  /** `project:instance` of Cloud SQL (the database_id label) and its max_connections. */
  readonly database: { readonly id: string; readonly maxConnections: number };
  /** Memorystore instance id (`projects/<p>/locations/<r>/instances/<name>`). */
  readonly cache: { readonly id: string };
  /** Cloud Tasks queue names. */
  readonly queues: readonly string[];
  /** The public edge: where the uptime check probes, and the URL map for LB metrics. */
  readonly edge: { readonly publicHost: string; readonly usesHttps: boolean; readonly urlMap: string };
}

export interface MetricFilters {
  /** A Cloud Run metric (`run.googleapis.com/<metric>`) of one service. */
  run(metric: string, service: string): string;
  /** A Cloud SQL metric (`cloudsql.googleapis.com/database/<metric>`) of the instance. */
  sql(metric: string): string;
  /** A Memorystore metric (`redis.googleapis.com/<metric>`) of the instance. */
  redis(metric: string): string;
  /** A Cloud Tasks metric (`cloudtasks.googleapis.com/queue/<metric>`) of the environment's queues. */
  queue(metric: string): string;
  /** A load balancer metric (`loadbalancing.googleapis.com/https/<metric>`) of the edge's URL map. */
  lb(metric: string): string;
}

export function metricFilters(target: ObservabilityTarget): MetricFilters {
  const queues = target.queues.map((q) => `"${q}"`).join(", ");
  return {
    run: (metric, service) => `metric.type="run.googleapis.com/${metric}" resource.type="cloud_run_revision" resource.label.service_name="${service}"`,
    sql: (metric) => `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${target.database.id}"`,
    redis: (metric) => `metric.type="redis.googleapis.com/${metric}" resource.type="redis_instance" resource.label.instance_id="${target.cache.id}"`,
    queue: (metric) => `metric.type="cloudtasks.googleapis.com/queue/${metric}" resource.type="cloud_tasks_queue" resource.label.queue_id=one_of(${queues})`,
    lb: (metric) => `metric.type="loadbalancing.googleapis.com/https/${metric}" resource.type="https_lb_rule" resource.label.url_map_name="${target.edge.urlMap}"`,
  };
}

/** `projects/<p>/locations/<r>/instances/<name>`, Memorystore's instance_id label. */
export function redisInstanceId(project: string, region: string, name: string): string {
  return `projects/${project}/locations/${region}/instances/${name}`;
}
