import { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import { describe, expect, it } from "vitest";
import { observabilitySchema } from "../environments/observability";
import { burnRateThreshold, DEFAULT_BURN_RATE_WINDOWS } from "../lib/burn-rate";
import { MOSAIC_COLUMNS } from "../lib/dashboard";
import { BASE } from "../test/support/fixtures";
import { resourcesOf, synthStack } from "../test/support/synth";
import { latencyBucketBound, Observability, type ObservabilityTarget } from "./observability";

const target: ObservabilityTarget = {
  services: { api: "vz-test-api", realtime: "vz-test-realtime", worker: "vz-test-worker" },
  database: { id: "acme-test-1:vz-test-pg", maxConnections: 200 },
  cache: { id: "projects/acme-test-1/locations/us-central1/instances/vz-test-redis" },
  queues: ["vz-test-categorise-0", "vz-test-import-0"],
  edge: { publicHost: "valorize.example.com", usesHttps: true, urlMap: "vz-test-url-map" },
};

function synthObservability(settings: object = {}, edge: ObservabilityTarget["edge"] = target.edge) {
  return synthStack((stack) => new Observability(stack, "observability", { ...BASE, environment: "test", target: { ...target, edge }, settings: observabilitySchema.parse(settings) }));
}

const notifications = { pageEmails: ["oncall@example.com"], ticketEmails: ["team@example.com"] };
const { raw, json } = synthObservability({ notifications });
const slos = Object.values(resourcesOf(json, "google_monitoring_slo")) as any[];
const policies = Object.values(resourcesOf(json, "google_monitoring_alert_policy")) as any[];
const burnPolicies = policies.filter((p) => p.conditions[0].condition_threshold.filter.startsWith("select_slo_burn_rate"));
const sloOf = (id: string) => slos.find((s) => s.slo_id === id);

describe("Observability: SLOs from the spec", () => {
  it("creates the study's SLOs: api availability and latency, realtime availability, worker task success", () => {
    expect(slos.map((s) => s.slo_id).sort()).toEqual(["api-availability", "api-latency", "realtime-availability", "worker-task-success"]);
    for (const s of slos) expect(s.rolling_period_days).toBe(28);
    expect(sloOf("api-availability").goal).toBe(0.995);
    expect(sloOf("api-latency").goal).toBe(0.95);
  });

  it("counts 5xx as bad for availability, on the service's own Cloud Run requests", () => {
    const ratio = sloOf("api-availability").request_based_sli.good_total_ratio;
    expect(ratio.total_service_filter).toBe('metric.type="run.googleapis.com/request_count" resource.type="cloud_run_revision" resource.label.service_name="vz-test-api"');
    expect(ratio.bad_service_filter).toBe(`${ratio.total_service_filter} metric.label.response_code_class="5xx"`);
  });

  it("measures latency as a distribution cut at the histogram bucket bound just above 300 ms", () => {
    const cut = sloOf("api-latency").request_based_sli.distribution_cut;
    expect(cut.distribution_filter).toContain('metric.type="run.googleapis.com/request_latencies"');
    expect(cut.range.max).toBe(304.913);
    expect(latencyBucketBound(300)).toBeCloseTo(1.4 ** 17, 2);
    expect(latencyBucketBound(1.4 ** 10)).toBeCloseTo(1.4 ** 10, 2);
    expect(latencyBucketBound(29)).toBeCloseTo(1.4 ** 11, 2);
  });

  it("counts only 2xx task attempts as worker successes", () => {
    expect(sloOf("worker-task-success").request_based_sli.good_total_ratio.good_service_filter).toMatch(/service_name="vz-test-worker" metric.label.response_code_class="2xx"$/);
  });

  it("attaches each SLO to a Cloud Run service in Service Monitoring", () => {
    const services = Object.values(resourcesOf(json, "google_monitoring_service")) as any[];
    expect(services.map((s) => s.basic_service)).toEqual(
      expect.arrayContaining([{ service_type: "CLOUD_RUN", service_labels: { service_name: "vz-test-api", location: "us-central1" } }]),
    );
    expect(services).toHaveLength(3);
  });
});

describe("Observability: multi-window burn-rate alerts", () => {
  it("creates three policies per SLO, each pairing a long and a short window with AND, no lookback over Cloud Monitoring's 24 h", () => {
    expect(burnPolicies).toHaveLength(3 * slos.length);
    for (const policy of burnPolicies) {
      expect(policy.combiner).toBe("AND");
      expect(policy.conditions).toHaveLength(2);
      const [long, short] = policy.conditions.map((c: any) => c.condition_threshold);
      expect(long.threshold_value).toBe(short.threshold_value);
      const lookback = (f: string) => Number(/"(\d+)s"\)$/.exec(f)![1]);
      expect(lookback(long.filter)).toBe(lookback(short.filter) * 12);
      expect(lookback(long.filter)).toBeLessThanOrEqual(24 * 3600);
      expect(long.comparison).toBe("COMPARISON_GT");
      expect(long.duration).toBe("0s");
    }
  });

  it("computes thresholds from the SLO window (28 days: 13.44, 5.6, 2.8)", () => {
    const longLookback = (p: any) => Number(/"(\d+)s"\)$/.exec(p.conditions[0].condition_threshold.filter)![1]);
    const byWindow = (list: any[]) => [...list].sort((a, b) => longLookback(a) - longLookback(b));
    const api = byWindow(burnPolicies.filter((p) => p.display_name.includes("api availability")));
    expect(api.map((p) => p.conditions[0].condition_threshold.threshold_value)).toEqual(DEFAULT_BURN_RATE_WINDOWS.map((w) => Number(burnRateThreshold(w, 28).toFixed(4))));
    expect(api.map((p) => p.conditions[0].condition_threshold.threshold_value)).toEqual([13.44, 5.6, 2.8]);
    const thirtyDays = synthObservability({ slos: [{ service: "api", sli: "availability", objective: 0.999, windowDays: 30 }] }).json;
    const values = byWindow((Object.values(resourcesOf(thirtyDays, "google_monitoring_alert_policy")) as any[]).filter((p) => p.conditions[0].condition_threshold.filter.startsWith("select_slo_burn_rate"))).map(
      (p) => p.conditions[0].condition_threshold.threshold_value,
    );
    expect(values).toEqual([14.4, 6, 3]);
  });

  it("reads the burn rate of its own SLO", () => {
    for (const policy of burnPolicies) {
      expect(policy.conditions[0].condition_threshold.filter).toMatch(/^select_slo_burn_rate\("\$\{google_monitoring_slo\.observability_[\w-]+\.name\}", "\d+s"\)$/);
    }
  });

  it("routes pages to page channels and tickets to ticket channels, with a runbook", () => {
    const pages = burnPolicies.filter((p) => p.severity === "CRITICAL");
    const tickets = burnPolicies.filter((p) => p.severity === "WARNING");
    expect(pages).toHaveLength(2 * slos.length);
    expect(tickets).toHaveLength(slos.length);
    for (const p of pages) expect(p.notification_channels).toEqual([expect.stringMatching(/channel-page-0/)]);
    for (const p of tickets) expect(p.notification_channels).toEqual([expect.stringMatching(/channel-ticket-0/)]);
    for (const p of burnPolicies) expect(p.documentation.content).toContain("Runbook:");
    const channels = Object.values(resourcesOf(json, "google_monitoring_notification_channel")) as any[];
    expect(channels.map((c) => c.labels.email_address).sort()).toEqual(["oncall@example.com", "team@example.com"]);
  });
});

describe("Observability: error budget left (the slow-burn ticket)", () => {
  const budgetPolicies = policies.filter((p) => p.conditions[0].condition_threshold.filter.startsWith("select_slo_budget_fraction"));

  it("tickets once per SLO when less than a quarter of its budget is left, on its own SLO", () => {
    expect(budgetPolicies).toHaveLength(slos.length);
    for (const policy of budgetPolicies) {
      const condition = policy.conditions[0].condition_threshold;
      expect(condition).toMatchObject({ comparison: "COMPARISON_LT", threshold_value: 0.25, duration: "0s" });
      expect(condition.filter).toMatch(/^select_slo_budget_fraction\("\$\{google_monitoring_slo\.observability_[\w-]+\.name\}"\)$/);
      expect(policy.severity).toBe("WARNING");
      expect(policy.notification_channels).toEqual([expect.stringMatching(/channel-ticket-0/)]);
      expect(policy.documentation.content).toContain("Runbook:");
    }
    const targets = budgetPolicies.map((p) => /google_monitoring_slo\.(observability_[\w-]+)\.name/.exec(p.conditions[0].condition_threshold.filter)![1]);
    expect(new Set(targets).size).toBe(slos.length);
  });

  it("takes the threshold from config, and refuses one outside (0, 1) naming the setting", () => {
    const custom = synthObservability({ alerts: { errorBudgetLeft: 0.4 } }).json;
    const values = (Object.values(resourcesOf(custom, "google_monitoring_alert_policy")) as any[])
      .filter((p) => p.conditions[0].condition_threshold.filter.startsWith("select_slo_budget_fraction"))
      .map((p) => p.conditions[0].condition_threshold.threshold_value);
    expect(new Set(values)).toEqual(new Set([0.4]));
    expect(() => observabilitySchema.parse({ alerts: { errorBudgetLeft: 1 } })).toThrow(/errorBudgetLeft must be below 1/);
  });
});

describe("Observability: uptime and resource alerts", () => {
  it("probes the public health endpoint over HTTPS from three regions and pages when it fails", () => {
    expect(raw).toHaveResourceWithProperties(MonitoringUptimeCheckConfig, {
      period: "60s",
      selected_regions: ["USA", "EUROPE", "ASIA_PACIFIC"],
      http_check: expect.objectContaining({ path: "/healthz", port: 443, use_ssl: true, validate_ssl: true }),
      monitored_resource: { type: "uptime_url", labels: { project_id: "acme-test-1", host: "valorize.example.com" } },
    });
    const uptime = policies.find((p) => p.conditions[0].condition_threshold.filter.includes("uptime_check/check_passed"));
    expect(uptime.severity).toBe("CRITICAL");
    expect(uptime.conditions[0].condition_threshold.filter).toMatch(/metric\.label\.check_id="\$\{google_monitoring_uptime_check_config\..*\.uptime_check_id\}"/);
  });

  it("checks plain HTTP on port 80 for an edge without TLS", () => {
    const http = synthObservability({}, { ...target.edge, usesHttps: false }).json;
    const check = Object.values(resourcesOf(http, "google_monitoring_uptime_check_config"))[0] as any;
    expect(check.http_check).toMatchObject({ port: 80, use_ssl: false, validate_ssl: false });
  });

  const resourcePolicies = () => policies.filter((p) => p.severity === "WARNING" && !p.conditions[0].condition_threshold.filter.startsWith("select_slo"));
  const byMetric = (): Record<string, any> => Object.fromEntries(resourcePolicies().map((p) => [/metric\.type="([^"]+)"/.exec(p.conditions[0].condition_threshold.filter)![1], p.conditions[0].condition_threshold]));

  it("tickets on Cloud SQL CPU, memory, disk and connections, Redis memory and queue depth, from config", () => {
    const metrics = byMetric();
    expect(Object.keys(metrics).sort()).toEqual([
      "cloudsql.googleapis.com/database/cpu/utilization",
      "cloudsql.googleapis.com/database/disk/utilization",
      "cloudsql.googleapis.com/database/memory/utilization",
      "cloudsql.googleapis.com/database/postgresql/num_backends",
      "cloudtasks.googleapis.com/queue/depth",
      "redis.googleapis.com/stats/memory/usage_ratio",
    ]);
    expect(metrics["cloudsql.googleapis.com/database/postgresql/num_backends"]!.threshold_value).toBe(160); // 80 % of 200
    expect(metrics["cloudsql.googleapis.com/database/cpu/utilization"]!.threshold_value).toBe(0.8);
    expect(metrics["cloudtasks.googleapis.com/queue/depth"]!.filter).toContain('queue_id=one_of("vz-test-categorise-0", "vz-test-import-0")');
    const custom = synthObservability({ alerts: { sqlCpu: 0.6, sqlConnections: 0.5, durationMinutes: 5 } }).json;
    const cpu = (Object.values(resourcesOf(custom, "google_monitoring_alert_policy")) as any[]).map((p) => p.conditions[0].condition_threshold).find((c) => c.filter.includes("cpu/utilization"));
    expect(cpu).toMatchObject({ threshold_value: 0.6, duration: "300s" });
  });

  /**
   * Which label splits each metric into several series, from Google Cloud's metrics list
   * (metrics_gcp_c: num_backends has the metric label `database`; cpu, memory and disk
   * utilization have none; queue/depth has none but one series per cloud_tasks_queue; and
   * metrics_gcp_p_z: usage_ratio is written per node of the redis_instance). A threshold is
   * compared with each series the aggregation leaves, so these must be reduced.
   */
  const SPLIT_BY: Record<string, string | undefined> = {
    "cloudsql.googleapis.com/database/cpu/utilization": undefined,
    "cloudsql.googleapis.com/database/memory/utilization": undefined,
    "cloudsql.googleapis.com/database/disk/utilization": undefined,
    "cloudsql.googleapis.com/database/postgresql/num_backends": "metric.label.database",
    "redis.googleapis.com/stats/memory/usage_ratio": "resource.label.node_id",
    "cloudtasks.googleapis.com/queue/depth": "resource.label.queue_id",
  };

  it("reduces across the series of every metric that has several, and never groups by the label that splits them", () => {
    for (const [metric, condition] of Object.entries(byMetric())) {
      expect(Object.keys(SPLIT_BY), metric).toContain(metric);
      const [aggregation] = condition.aggregations;
      if (SPLIT_BY[metric] === undefined) continue;
      expect(aggregation.cross_series_reducer, metric).toMatch(/^REDUCE_/);
      expect(aggregation.group_by_fields ?? [], metric).not.toContain(SPLIT_BY[metric]);
    }
  });

  it("compares the connections of all databases together with max_connections, as the dashboard tile does", () => {
    const [aggregation] = byMetric()["cloudsql.googleapis.com/database/postgresql/num_backends"]!.aggregations;
    expect(aggregation).toEqual({ alignment_period: "60s", per_series_aligner: "ALIGN_MAX", cross_series_reducer: "REDUCE_SUM", group_by_fields: ["resource.label.database_id"] });
    const tile = dashboardTiles().find((t) => t.widget.title === "Cloud SQL connections vs max_connections")!;
    const tileAggregation = tile.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.aggregation;
    expect({ reducer: tileAggregation.crossSeriesReducer, groupBy: tileAggregation.groupByFields }).toEqual({ reducer: "REDUCE_SUM", groupBy: ["resource.label.database_id"] });
  });

  it("alerts on the backlog of all queues together, and on the fullest Redis node", () => {
    expect(byMetric()["cloudtasks.googleapis.com/queue/depth"]!.aggregations[0]).toMatchObject({ per_series_aligner: "ALIGN_MAX", cross_series_reducer: "REDUCE_SUM" });
    expect(byMetric()["cloudtasks.googleapis.com/queue/depth"]!.aggregations[0].group_by_fields).toBeUndefined();
    expect(byMetric()["redis.googleapis.com/stats/memory/usage_ratio"]!.aggregations[0]).toMatchObject({ cross_series_reducer: "REDUCE_MAX", group_by_fields: ["resource.label.instance_id"] });
  });
});

const dashboardTiles = () =>
  JSON.parse((Object.values(resourcesOf(json, "google_monitoring_dashboard"))[0] as any).dashboard_json).mosaicLayout.tiles as Array<{ xPos?: number; yPos?: number; width: number; height: number; widget: any }>;

describe("Observability: dashboard", () => {
  // xPos and yPos are left out at 0 (proto3 defaults, see lib/dashboard.ts).
  const tiles = dashboardTiles().map((t) => ({ ...t, xPos: t.xPos ?? 0, yPos: t.yPos ?? 0 }));
  const titles = tiles.map((t) => t.widget.title as string);

  it("has per-service traffic, errors, latency, instances, CPU and memory", () => {
    for (const role of ["api", "realtime", "worker"]) {
      for (const chart of ["requests/s by class", "5xx ratio", "latency P50/P95/P99", "instances", "CPU utilisation P95", "memory utilisation P95"]) {
        expect(titles).toContain(`${role}: ${chart}`);
      }
    }
  });

  it("draws the 300 ms SLO line on api and worker latency, not on WebSocket connection times", () => {
    const latency = (role: string) => tiles.find((t) => t.widget.title === `${role}: latency P50/P95/P99`)!.widget.xyChart;
    expect(latency("api").thresholds).toEqual([expect.objectContaining({ value: 300 })]);
    expect(latency("api").dataSets.map((d: any) => d.legendTemplate)).toEqual(["P50", "P95", "P99"]);
    expect(latency("realtime").thresholds).toBeUndefined();
  });

  it("covers Cloud SQL (connections against max_connections), Redis, Cloud Tasks, the load balancer and every SLO's budget", () => {
    const connections = tiles.find((t) => t.widget.title === "Cloud SQL connections vs max_connections")!.widget.xyChart;
    expect(connections.thresholds[0].value).toBe(200);
    for (const title of ["Redis memory usage ratio", "Redis cache hit ratio", "Redis connected clients", "Redis main-thread CPU", "Queue depth", "Task attempts by response", "Load balancer requests/s by class", "Load balancer latency P95"]) {
      expect(titles).toContain(title);
    }
    const budgets = tiles.filter((t) => t.widget.scorecard);
    expect(budgets).toHaveLength(slos.length);
    for (const b of budgets) expect(b.widget.scorecard.timeSeriesQuery.timeSeriesFilter.filter).toMatch(/^select_slo_budget_fraction\(/);
  });

  it("lays tiles on the grid without overlaps", () => {
    for (const t of tiles) expect(t.xPos + t.width).toBeLessThanOrEqual(MOSAIC_COLUMNS);
    for (let i = 0; i < tiles.length; i++) {
      for (let j = i + 1; j < tiles.length; j++) {
        const [a, b] = [tiles[i]!, tiles[j]!];
        const overlap = a.xPos < b.xPos + b.width && b.xPos < a.xPos + a.width && a.yPos < b.yPos + b.height && b.yPos < a.yPos + a.height;
        expect(overlap, `${a.widget.title} / ${b.widget.title}`).toBe(false);
      }
    }
  });

  it("escapes chart legends so Terraform does not interpolate them", () => {
    const raw = (Object.values(resourcesOf(json, "google_monitoring_dashboard"))[0] as any).dashboard_json as string;
    expect(raw).toContain("$${metric.label.response_code_class}");
    expect(raw).not.toMatch(/[^$]\$\{metric\./);
  });
});
