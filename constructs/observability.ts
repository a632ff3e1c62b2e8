import { MonitoringAlertPolicy, type MonitoringAlertPolicyConditions } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
import { MonitoringNotificationChannel } from "@cdktf/provider-google/lib/monitoring-notification-channel";
import { MonitoringService } from "@cdktf/provider-google/lib/monitoring-service";
import { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
import { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import type { ObservabilitySettings, SloSpec } from "../environments/observability";
import type { ServiceRole } from "../environments/schema";
import { burnRateConditions, hoursToExhaustion, type Severity } from "../lib/burn-rate";
import { Construct } from "../lib/cdktf";
import { dashboardJson, header, ratioSeries, scorecard, series, xyChart, type TileSpec } from "../lib/dashboard";

/**
 * Cloud Run reports `request_latencies` in exponential buckets (scale 1 ms, growth factor 1.4).
 * A `distribution_cut` between two bucket bounds is interpolated, so the latency SLI counts
 * "within threshold" up to the first bucket bound at or above the configured threshold: for
 * 300 ms that is 1.4^17 = 304.9 ms. The SLI is then exact (whole buckets), at the price of a
 * threshold 1.6 % looser than the SLO's wording. Check the bounds with `timeSeries.list` on the
 * metric (bucketOptions) if Cloud Run ever changes them.
 */
export const CLOUD_RUN_LATENCY_BUCKETS = { scaleMs: 1, growthFactor: 1.4 } as const;

/** The first exponential bucket bound at or above `thresholdMs`. */
export function latencyBucketBound(thresholdMs: number, buckets = CLOUD_RUN_LATENCY_BUCKETS): number {
  const exponent = Math.ceil(Math.log(thresholdMs / buckets.scaleMs) / Math.log(buckets.growthFactor) - 1e-9);
  return Number((buckets.scaleMs * buckets.growthFactor ** exponent).toFixed(3));
}

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

export interface ObservabilityProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** Environment name, for titles and labels. */
  readonly environment: string;
  readonly target: ObservabilityTarget;
  /** SLO specs, notification routing, uptime check and resource thresholds (environments/observability.ts). */
  readonly settings: ObservabilitySettings;
}

/**
 * A chart legend naming a label. Terraform would read `${...}` as its own interpolation, so the
 * dollar is doubled to reach the dashboard literally.
 */
const legend = (label: string) => `$\${${label}}`;

const runFilter = (metric: string, service: string) => `metric.type="run.googleapis.com/${metric}" resource.type="cloud_run_revision" resource.label.service_name="${service}"`;

/**
 * SLOs, multi-window burn-rate alerts, the uptime check, resource alerts and a dashboard for one
 * environment, generated from a short SLO spec per service (like Sloth or slo-generator).
 *
 * Per SLO: a request-based SLI on Cloud Run metrics; three burn-rate alert policies, each pairing
 * a long and a short window with AND (page: 1 h/5 min and 6 h/30 min; ticket: 1 d/2 h), with
 * thresholds computed from the objective's window (lib/burn-rate.ts); and a ticket when little of
 * the error budget is left. The last stands in for the Workbook's 3 d/6 h slow-burn ticket, which
 * Cloud Monitoring cannot evaluate (burn-rate lookbacks stop at 24 h): a slow, steady burn shows
 * up as a shrinking budget. Pages go to the page channels, tickets to the ticket channels; every
 * policy carries a runbook.
 */
export class Observability extends Construct {
  readonly services: Readonly<Partial<Record<ServiceRole, MonitoringService>>>;
  readonly slos: readonly { readonly spec: SloSpec; readonly slo: MonitoringSlo }[];
  readonly burnRateAlerts: readonly MonitoringAlertPolicy[];
  /** One ticket per SLO when less than `alerts.errorBudgetLeft` of its budget remains. */
  readonly budgetAlerts: readonly MonitoringAlertPolicy[];
  readonly resourceAlerts: readonly MonitoringAlertPolicy[];
  readonly uptimeCheck: MonitoringUptimeCheckConfig;
  readonly uptimeAlert: MonitoringAlertPolicy;
  readonly dashboard: MonitoringDashboard;
  readonly channels: Readonly<Record<Severity, readonly MonitoringNotificationChannel[]>>;
  private readonly props: ObservabilityProps;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.props = props;
    const { settings, target } = props;

    this.channels = {
      page: settings.notifications.pageEmails.map((email, i) => this.emailChannel(`page-${i}`, email, "page")),
      ticket: settings.notifications.ticketEmails.map((email, i) => this.emailChannel(`ticket-${i}`, email, "ticket")),
    };

    const services: Partial<Record<ServiceRole, MonitoringService>> = {};
    for (const role of new Set(settings.slos.map((s) => s.service))) {
      services[role] = new MonitoringService(this, `${role}-service`, {
        project: props.project,
        serviceId: `${props.namePrefix}-${role}`,
        displayName: `${props.namePrefix} ${role}`,
        basicService: { serviceType: "CLOUD_RUN", serviceLabels: { service_name: target.services[role], location: props.region } },
      });
    }
    this.services = services;

    this.slos = settings.slos.map((spec) => ({ spec, slo: this.slo(spec, services[spec.service]!) }));
    this.burnRateAlerts = this.slos.flatMap(({ spec, slo }) => this.burnRateAlertsFor(spec, slo));
    this.budgetAlerts = this.slos.map(({ spec, slo }) => this.budgetAlertFor(spec, slo));

    this.uptimeCheck = new MonitoringUptimeCheckConfig(this, "uptime", {
      project: props.project,
      displayName: `${props.namePrefix} edge ${settings.uptime.path}`,
      timeout: "10s",
      period: `${settings.uptime.periodSeconds}s`,
      selectedRegions: [...settings.uptime.regions],
      httpCheck: {
        path: settings.uptime.path,
        port: target.edge.usesHttps ? 443 : 80,
        useSsl: target.edge.usesHttps,
        validateSsl: target.edge.usesHttps,
        acceptedResponseStatusCodes: [{ statusClass: "STATUS_CLASS_2XX" }],
      },
      monitoredResource: { type: "uptime_url", labels: { project_id: props.project, host: target.edge.publicHost } },
    });
    this.uptimeAlert = new MonitoringAlertPolicy(this, "uptime-alert", {
      project: props.project,
      displayName: `${props.namePrefix}: edge health check failing`,
      combiner: "OR",
      severity: "CRITICAL",
      notificationChannels: this.channels.page.map((c) => c.name),
      documentation: { mimeType: "text/markdown", content: `The public health endpoint ${settings.uptime.path} on ${target.edge.publicHost} fails from at least two checker regions. Check the load balancer, the api service and its /readyz (database and Redis reachability).` },
      conditions: [
        {
          displayName: "Uptime check failing in 2+ regions",
          conditionThreshold: {
            filter: `metric.type="monitoring.googleapis.com/uptime_check/check_passed" resource.type="uptime_url" metric.label.check_id="${this.uptimeCheck.uptimeCheckId}"`,
            aggregations: [{ alignmentPeriod: "1200s", perSeriesAligner: "ALIGN_NEXT_OLDER", crossSeriesReducer: "REDUCE_COUNT_FALSE", groupByFields: ["resource.label.project_id", "resource.label.host"] }],
            comparison: "COMPARISON_GT",
            thresholdValue: 1,
            duration: "60s",
            trigger: { count: 1 },
          },
        },
      ],
    });

    this.resourceAlerts = this.resourceAlertPolicies();
    this.dashboard = new MonitoringDashboard(this, "dashboard", {
      project: props.project,
      dashboardJson: dashboardJson(`${props.namePrefix} (${props.environment})`, this.dashboardTiles()),
    });
  }

  private emailChannel(id: string, email: string, severity: Severity): MonitoringNotificationChannel {
    return new MonitoringNotificationChannel(this, `channel-${id}`, {
      project: this.props.project,
      displayName: `${this.props.namePrefix} ${severity}: ${email}`,
      type: "email",
      labels: { email_address: email },
    });
  }

  private slo(spec: SloSpec, service: MonitoringService): MonitoringSlo {
    const name = this.props.target.services[spec.service];
    const base = {
      project: this.props.project,
      service: service.serviceId,
      sloId: `${spec.service}-${spec.sli}`,
      goal: spec.objective,
      rollingPeriodDays: spec.windowDays,
    };
    const requests = runFilter("request_count", name);
    switch (spec.sli) {
      case "availability":
        return new MonitoringSlo(this, `${spec.service}-${spec.sli}`, {
          ...base,
          displayName: `${spec.service}: ${(spec.objective * 100).toFixed(2)} % of requests without 5xx (${spec.windowDays} d)`,
          requestBasedSli: { goodTotalRatio: { totalServiceFilter: requests, badServiceFilter: `${requests} metric.label.response_code_class="5xx"` } },
        });
      case "task-success":
        return new MonitoringSlo(this, `${spec.service}-${spec.sli}`, {
          ...base,
          displayName: `${spec.service}: ${(spec.objective * 100).toFixed(2)} % of task attempts succeed (${spec.windowDays} d)`,
          requestBasedSli: { goodTotalRatio: { totalServiceFilter: requests, goodServiceFilter: `${requests} metric.label.response_code_class="2xx"` } },
        });
      case "latency":
        return new MonitoringSlo(this, `${spec.service}-${spec.sli}`, {
          ...base,
          displayName: `${spec.service}: ${(spec.objective * 100).toFixed(2)} % of requests within ${spec.thresholdMs} ms (${spec.windowDays} d)`,
          requestBasedSli: { distributionCut: { distributionFilter: runFilter("request_latencies", name), range: { max: latencyBucketBound(spec.thresholdMs!) } } },
        });
    }
  }

  private burnRateAlertsFor(spec: SloSpec, slo: MonitoringSlo): MonitoringAlertPolicy[] {
    return burnRateConditions(spec.windowDays).map(({ window, threshold, longLookback, shortLookback }) => {
      const condition = (lookback: string, label: string): MonitoringAlertPolicyConditions => ({
        displayName: `${label} burn rate > ${threshold.toFixed(2)}`,
        conditionThreshold: {
          filter: `select_slo_burn_rate("${slo.name}", "${lookback}")`,
          comparison: "COMPARISON_GT",
          thresholdValue: Number(threshold.toFixed(4)),
          duration: "0s",
          trigger: { count: 1 },
        },
      });
      const exhaustion = hoursToExhaustion(threshold, spec.windowDays);
      return new MonitoringAlertPolicy(this, `${spec.service}-${spec.sli}-burn-${window.longWindowHours}h`, {
        project: this.props.project,
        displayName: `${this.props.namePrefix} ${spec.service} ${spec.sli}: ${window.severity} burn ${window.longWindowHours}h/${window.shortWindowMinutes}m`,
        combiner: "AND",
        severity: window.severity === "page" ? "CRITICAL" : "WARNING",
        notificationChannels: this.channels[window.severity].map((c) => c.name),
        alertStrategy: { autoClose: "1800s" },
        documentation: {
          mimeType: "text/markdown",
          subject: `[${window.severity.toUpperCase()}] ${spec.service} ${spec.sli} SLO burning ${threshold.toFixed(1)}x`,
          content:
            `${spec.service} is spending its ${spec.sli} error budget ${threshold.toFixed(1)}x faster than the ${spec.windowDays}-day SLO allows ` +
            `(${Math.round(window.budgetFraction * 100)} % of the budget within ${window.longWindowHours} h; at this rate the budget is gone in ${exhaustion.toFixed(0)} h).\n\n` +
            `Runbook: open the ${this.props.namePrefix} dashboard; check recent deploys (Cloud Run revisions), 5xx and latency by service, Cloud SQL CPU and connections, Redis memory and queue depth. Roll back the last revision if it correlates.`,
        },
        conditions: [condition(longLookback, `${window.longWindowHours}h`), condition(shortLookback, `${window.shortWindowMinutes}m`)],
      });
    });
  }

  private budgetAlertFor(spec: SloSpec, slo: MonitoringSlo): MonitoringAlertPolicy {
    const left = this.props.settings.alerts.errorBudgetLeft;
    const percent = `${Math.round(left * 100)} %`;
    return new MonitoringAlertPolicy(this, `${spec.service}-${spec.sli}-budget-left`, {
      project: this.props.project,
      displayName: `${this.props.namePrefix} ${spec.service} ${spec.sli}: less than ${percent} of the error budget left`,
      combiner: "OR",
      severity: "WARNING",
      notificationChannels: this.channels.ticket.map((c) => c.name),
      alertStrategy: { autoClose: "86400s" },
      documentation: {
        mimeType: "text/markdown",
        subject: `[TICKET] ${spec.service} ${spec.sli}: under ${percent} of the ${spec.windowDays}-day error budget left`,
        content:
          `${spec.service} has spent more than ${100 - Math.round(left * 100)} % of its ${spec.sli} error budget for the rolling ${spec.windowDays} days. ` +
          `No fast burn may have paged: this catches slow, steady burns.\n\n` +
          `Runbook: open the ${this.props.namePrefix} dashboard and the SLO's budget chart; find when the budget started to fall (a deploy, a dependency, growing traffic); ` +
          `slow down risky releases until the budget recovers, and plan the fix.`,
      },
      conditions: [
        {
          displayName: `error budget left < ${left}`,
          conditionThreshold: {
            filter: `select_slo_budget_fraction("${slo.name}")`,
            comparison: "COMPARISON_LT",
            thresholdValue: left,
            duration: "0s",
            trigger: { count: 1 },
          },
        },
      ],
    });
  }

  private resourceAlertPolicies(): MonitoringAlertPolicy[] {
    const { alerts } = this.props.settings;
    const { database, cache, queues } = this.props.target;
    const sql = (metric: string) => `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${database.id}"`;
    const duration = `${alerts.durationMinutes * 60}s`;
    const policy = (id: string, title: string, filter: string, threshold: number, aggregation: ResourceAggregation, runbook: string) =>
      new MonitoringAlertPolicy(this, `resource-${id}`, {
        project: this.props.project,
        displayName: `${this.props.namePrefix}: ${title}`,
        combiner: "OR",
        severity: "WARNING",
        notificationChannels: this.channels.ticket.map((c) => c.name),
        documentation: { mimeType: "text/markdown", content: runbook },
        conditions: [
          {
            displayName: title,
            conditionThreshold: {
              filter,
              aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: aggregation.perSeriesAligner, crossSeriesReducer: aggregation.crossSeriesReducer, groupByFields: aggregation.groupByFields && [...aggregation.groupByFields] }],
              comparison: "COMPARISON_GT",
              thresholdValue: threshold,
              duration,
              trigger: { count: 1 },
            },
          },
        ],
      });
    const queueFilter = queues.map((q) => `"${q}"`).join(", ");
    return [
      policy("sql-cpu", `Cloud SQL CPU above ${alerts.sqlCpu * 100} %`, sql("cpu/utilization"), alerts.sqlCpu, RESOURCE_ALERT_SERIES.sqlCpu, "Cloud SQL CPU is high: look for slow queries in Query Insights; consider a larger tier or read replicas."),
      policy("sql-memory", `Cloud SQL memory above ${alerts.sqlMemory * 100} %`, sql("memory/utilization"), alerts.sqlMemory, RESOURCE_ALERT_SERIES.sqlMemory, "Cloud SQL memory is high: check connection count and work_mem-heavy queries."),
      policy("sql-disk", `Cloud SQL disk above ${alerts.sqlDisk * 100} %`, sql("disk/utilization"), alerts.sqlDisk, RESOURCE_ALERT_SERIES.sqlDisk, "Cloud SQL disk is filling: automatic growth is on up to the configured limit; check the limit and what grows."),
      policy(
        "sql-connections",
        `Cloud SQL connections above ${Math.round(alerts.sqlConnections * 100)} % of max_connections (${Math.floor(database.maxConnections * alerts.sqlConnections)} of ${database.maxConnections})`,
        sql("postgresql/num_backends"),
        Math.floor(database.maxConnections * alerts.sqlConnections),
        RESOURCE_ALERT_SERIES.sqlConnections,
        "PostgreSQL connections (all databases together) approach max_connections: the connection budget assumed fewer; check pool sizes and max instances.",
      ),
      policy("redis-memory", `Redis memory above ${alerts.redisMemory * 100} %`, `metric.type="redis.googleapis.com/stats/memory/usage_ratio" resource.type="redis_instance" resource.label.instance_id="${cache.id}"`, alerts.redisMemory, RESOURCE_ALERT_SERIES.redisMemory, "Redis memory is high: the read cache evicts (allkeys-lru), but a full instance slows everything; consider a larger size."),
      policy("queue-depth", `Task backlog above ${alerts.queueDepth} (all queues together)`, `metric.type="cloudtasks.googleapis.com/queue/depth" resource.type="cloud_tasks_queue" resource.label.queue_id=one_of(${queueFilter})`, alerts.queueDepth, RESOURCE_ALERT_SERIES.queueDepth, "Tasks are piling up: check worker errors and instance count, and the queues' rate limits."),
    ];
  }

  private dashboardTiles(): TileSpec[] {
    const { target, settings } = this.props;
    const half = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 24, height: 16 });
    const third = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 16, height: 16 });
    const full = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 48, height: 4 });
    const rate = { perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM" };
    const latencyThreshold = settings.slos.find((s) => s.sli === "latency")?.thresholdMs ?? 300;
    const tiles: TileSpec[] = [];

    tiles.push(full(header("Error budgets")));
    for (const { spec, slo } of this.slos) {
      tiles.push({ widget: scorecard(`${spec.service} ${spec.sli}: error budget left`, `select_slo_budget_fraction("${slo.name}")`, { dangerBelow: 0, warningBelow: 0.25 }), width: 12, height: 8 });
    }

    for (const role of ["api", "realtime", "worker"] as const) {
      const name = target.services[role];
      tiles.push(full(header(`${role} (${name})`)));
      tiles.push(
        third(xyChart(`${role}: requests/s by class`, [series(runFilter("request_count", name), { ...rate, groupByFields: ["metric.label.response_code_class"] }, legend("metric.label.response_code_class"), "STACKED_AREA")])),
        third(xyChart(`${role}: 5xx ratio`, [ratioSeries(`${runFilter("request_count", name)} metric.label.response_code_class="5xx"`, runFilter("request_count", name), rate)], { thresholds: [{ value: 0.005, label: "0.5 % error SLO" }] })),
        third(
          xyChart(
            `${role}: latency P50/P95/P99`,
            (["50", "95", "99"] as const).map((p) => series(runFilter("request_latencies", name), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: `REDUCE_PERCENTILE_${p}` }, `P${p}`)),
            { yLabel: "ms", thresholds: role === "realtime" ? [] : [{ value: latencyThreshold, label: `${latencyThreshold} ms SLO` }] },
          ),
        ),
        third(xyChart(`${role}: instances`, [series(runFilter("container/instance_count", name), { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["metric.label.state"] }, legend("metric.label.state"), "STACKED_AREA")])),
        third(xyChart(`${role}: CPU utilisation P95`, [series(runFilter("container/cpu/utilizations", name), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" })])),
        third(xyChart(`${role}: memory utilisation P95`, [series(runFilter("container/memory/utilizations", name), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" })])),
      );
    }

    const sql = (metric: string) => `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${target.database.id}"`;
    tiles.push(full(header("Cloud SQL")));
    tiles.push(
      third(xyChart("Cloud SQL CPU", [series(sql("cpu/utilization"), { perSeriesAligner: "ALIGN_MEAN" })], { thresholds: [{ value: settings.alerts.sqlCpu, label: "alert" }] })),
      third(xyChart("Cloud SQL memory", [series(sql("memory/utilization"), { perSeriesAligner: "ALIGN_MEAN" })], { thresholds: [{ value: settings.alerts.sqlMemory, label: "alert" }] })),
      third(xyChart("Cloud SQL connections vs max_connections", [series(sql("postgresql/num_backends"), RESOURCE_ALERT_SERIES.sqlConnections)], { thresholds: [{ value: target.database.maxConnections, label: "max_connections" }] })),
    );

    const redis = (metric: string) => `metric.type="redis.googleapis.com/${metric}" resource.type="redis_instance" resource.label.instance_id="${target.cache.id}"`;
    tiles.push(full(header("Memorystore for Redis")));
    tiles.push(
      { widget: xyChart("Redis memory usage ratio", [series(redis("stats/memory/usage_ratio"), RESOURCE_ALERT_SERIES.redisMemory)], { thresholds: [{ value: settings.alerts.redisMemory, label: "alert" }] }), width: 12, height: 16 },
      { widget: xyChart("Redis main-thread CPU", [series(redis("stats/cpu_utilization_main_thread"), { perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM" })]), width: 12, height: 16 },
      { widget: xyChart("Redis cache hit ratio", [series(redis("stats/cache_hit_ratio"), { perSeriesAligner: "ALIGN_MEAN" })]), width: 12, height: 16 },
      { widget: xyChart("Redis connected clients", [series(redis("clients/connected"), { perSeriesAligner: "ALIGN_MAX" })]), width: 12, height: 16 },
    );

    const queue = (metric: string) => `metric.type="cloudtasks.googleapis.com/queue/${metric}" resource.type="cloud_tasks_queue" resource.label.queue_id=one_of(${target.queues.map((q) => `"${q}"`).join(", ")})`;
    tiles.push(full(header("Cloud Tasks and the load balancer")));
    tiles.push(
      half(xyChart("Queue depth", [series(queue("depth"), { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.queue_id"] }, legend("resource.label.queue_id"), "STACKED_AREA")])),
      half(xyChart("Task attempts by response", [series(queue("task_attempt_count"), { ...rate, groupByFields: ["metric.label.response_code"] }, legend("metric.label.response_code"), "STACKED_BAR")])),
    );
    const lb = (metric: string) => `metric.type="loadbalancing.googleapis.com/https/${metric}" resource.type="https_lb_rule" resource.label.url_map_name="${target.edge.urlMap}"`;
    tiles.push(
      half(xyChart("Load balancer requests/s by class", [series(lb("request_count"), { ...rate, groupByFields: ["metric.label.response_code_class"] }, legend("metric.label.response_code_class"), "STACKED_AREA")])),
      half(xyChart("Load balancer latency P95", [series(lb("total_latencies"), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" })], { yLabel: "ms", thresholds: [{ value: latencyThreshold, label: `${latencyThreshold} ms SLO` }] })),
    );
    return tiles;
  }
}

/** `projects/<p>/locations/<r>/instances/<name>`, Memorystore's instance_id label. */
export function redisInstanceId(project: string, region: string, name: string): string {
  return `projects/${project}/locations/${region}/instances/${name}`;
}

