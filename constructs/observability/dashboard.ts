/**
 * The environment's dashboard: error budget per SLO; traffic, 5xx ratio, latency percentiles,
 * instances, CPU and memory per service; Cloud SQL, Redis, Cloud Tasks and the load balancer.
 * Every SLO line and alert line comes from the SLO specs and alert thresholds the alerts use.
 */
import { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
import type { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
import type { Construct } from "../../lib/cdktf";
import { dashboardJson, header, ratioSeries, scorecard, series, xyChart, type TileSpec } from "../../lib/dashboard";
import type { ServiceRole } from "../../lib/service-roles";
import type { MetricFilters, ObservabilityTarget } from "./filters";
import { RESOURCE_ALERT_SERIES, type ResolvedAlertThresholds } from "./resource-alerts";
import type { SloSpec } from "./slos";

/** Roles whose requests are long-lived connections (WebSockets): their latency is connection lifetime, so no SLO line. */
const LONG_LIVED_ROLES: readonly ServiceRole[] = ["realtime"];

export interface DashboardContext {
  readonly project: string;
  /** The dashboard's title. */
  readonly title: string;
  readonly target: ObservabilityTarget;
  readonly filters: MetricFilters;
  readonly slos: readonly { readonly spec: SloSpec; readonly slo: MonitoringSlo }[];
  readonly alerts: ResolvedAlertThresholds;
}

/** Creates the dashboard in `scope` (the Observability construct). */
export function dashboard(scope: Construct, context: DashboardContext): MonitoringDashboard {
  return new MonitoringDashboard(scope, "dashboard", { project: context.project, dashboardJson: dashboardJson(context.title, dashboardTiles(context)) });
}

/**
 * A chart legend naming a label. Terraform would read `${...}` as its own interpolation, so the
 * dollar is doubled to reach the dashboard literally.
 */
const legend = (label: string) => `$\${${label}}`;

const half = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 24, height: 16 });
const third = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 16, height: 16 });
const quarter = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 12, height: 16 });
const full = (widget: TileSpec["widget"]): TileSpec => ({ widget, width: 48, height: 4 });
const rate = { perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM" };

/** The 5xx share a role's availability (or task-success) SLO allows, as a chart line. */
function errorRatioLine(slos: readonly SloSpec[], role: ServiceRole) {
  const slo = slos.find((s) => s.service === role && s.sli !== "latency");
  if (!slo) return [];
  // Rounded: 1 - 0.995 is 0.0050000000000000044 in binary floating point.
  const ratio = Number((1 - slo.objective).toFixed(6));
  return [{ value: ratio, label: `${Number((ratio * 100).toFixed(4))} % error SLO` }];
}

function dashboardTiles(context: DashboardContext): TileSpec[] {
  const { target, filters, alerts } = context;
  const specs = context.slos.map(({ spec }) => spec);
  // The public latency objective (the api's), drawn on every request latency chart.
  const latencyThreshold = specs.find((s) => s.sli === "latency")?.thresholdMs;
  const latencyLine = latencyThreshold === undefined ? [] : [{ value: latencyThreshold, label: `${latencyThreshold} ms SLO` }];
  const tiles: TileSpec[] = [full(header("Error budgets"))];
  for (const { spec, slo } of context.slos) {
    tiles.push({ widget: scorecard(`${spec.service} ${spec.sli}: error budget left`, `select_slo_budget_fraction("${slo.name}")`, { dangerBelow: 0, warningBelow: alerts.errorBudgetLeft }), width: 12, height: 8 });
  }

  for (const role of Object.keys(target.services) as ServiceRole[]) {
    const name = target.services[role];
    const requests = filters.run("request_count", name);
    const percentile = (metric: string, p: string) => series(filters.run(metric, name), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: `REDUCE_PERCENTILE_${p}` });
    tiles.push(full(header(`${role} (${name})`)));
    tiles.push(
      third(xyChart(`${role}: requests/s by class`, [series(requests, { ...rate, groupByFields: ["metric.label.response_code_class"] }, legend("metric.label.response_code_class"), "STACKED_AREA")])),
      third(xyChart(`${role}: 5xx ratio`, [ratioSeries(`${requests} metric.label.response_code_class="5xx"`, requests, rate)], { thresholds: errorRatioLine(specs, role) })),
      third(
        xyChart(
          `${role}: latency P50/P95/P99`,
          (["50", "95", "99"] as const).map((p) => series(filters.run("request_latencies", name), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: `REDUCE_PERCENTILE_${p}` }, `P${p}`)),
          { yLabel: "ms", thresholds: LONG_LIVED_ROLES.includes(role) ? [] : latencyLine },
        ),
      ),
      third(xyChart(`${role}: instances`, [series(filters.run("container/instance_count", name), { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["metric.label.state"] }, legend("metric.label.state"), "STACKED_AREA")])),
      third(xyChart(`${role}: CPU utilisation P95`, [percentile("container/cpu/utilizations", "95")])),
      third(xyChart(`${role}: memory utilisation P95`, [percentile("container/memory/utilizations", "95")])),
    );
  }

  tiles.push(full(header("Cloud SQL")));
  tiles.push(
    third(xyChart("Cloud SQL CPU", [series(filters.sql("cpu/utilization"), { perSeriesAligner: "ALIGN_MEAN" })], { thresholds: [{ value: alerts.sqlCpu, label: "alert" }] })),
    third(xyChart("Cloud SQL memory", [series(filters.sql("memory/utilization"), { perSeriesAligner: "ALIGN_MEAN" })], { thresholds: [{ value: alerts.sqlMemory, label: "alert" }] })),
    third(xyChart("Cloud SQL connections vs max_connections", [series(filters.sql("postgresql/num_backends"), RESOURCE_ALERT_SERIES.sqlConnections)], { thresholds: [{ value: target.database.maxConnections, label: "max_connections" }] })),
  );

  tiles.push(full(header("Memorystore for Redis")));
  tiles.push(
    quarter(xyChart("Redis memory usage ratio", [series(filters.redis("stats/memory/usage_ratio"), RESOURCE_ALERT_SERIES.redisMemory)], { thresholds: [{ value: alerts.redisMemory, label: "alert" }] })),
    quarter(xyChart("Redis main-thread CPU", [series(filters.redis("stats/cpu_utilization_main_thread"), { perSeriesAligner: "ALIGN_RATE", crossSeriesReducer: "REDUCE_SUM" })])),
    quarter(xyChart("Redis cache hit ratio", [series(filters.redis("stats/cache_hit_ratio"), { perSeriesAligner: "ALIGN_MEAN" })])),
    quarter(xyChart("Redis connected clients", [series(filters.redis("clients/connected"), { perSeriesAligner: "ALIGN_MAX" })])),
  );

  tiles.push(full(header("Cloud Tasks and the load balancer")));
  tiles.push(
    half(xyChart("Queue depth", [series(filters.queue("depth"), { perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.queue_id"] }, legend("resource.label.queue_id"), "STACKED_AREA")])),
    half(xyChart("Task attempts by response", [series(filters.queue("task_attempt_count"), { ...rate, groupByFields: ["metric.label.response_code"] }, legend("metric.label.response_code"), "STACKED_BAR")])),
    half(xyChart("Load balancer requests/s by class", [series(filters.lb("request_count"), { ...rate, groupByFields: ["metric.label.response_code_class"] }, legend("metric.label.response_code_class"), "STACKED_AREA")])),
    half(xyChart("Load balancer latency P95", [series(filters.lb("total_latencies"), { perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" })], { yLabel: "ms", thresholds: latencyLine })),
  );
  return tiles;
}
