import { describe, expect, it } from "vitest";
import { alertPolicies, dashboardTiles, notifications, synthObservability } from "../../test/support/observability";
import { resourcesOf } from "../../test/support/synth";

const { json } = synthObservability({ notifications });
const policies = alertPolicies(json);

describe("Observability: resource alerts", () => {
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
    const tile = dashboardTiles(json).find((t) => t.widget.title === "Cloud SQL connections vs max_connections")!;
    const tileAggregation = tile.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.aggregation;
    expect({ reducer: tileAggregation.crossSeriesReducer, groupBy: tileAggregation.groupByFields }).toEqual({ reducer: "REDUCE_SUM", groupBy: ["resource.label.database_id"] });
  });

  it("alerts on the backlog of all queues together, and on the fullest Redis node", () => {
    expect(byMetric()["cloudtasks.googleapis.com/queue/depth"]!.aggregations[0]).toMatchObject({ per_series_aligner: "ALIGN_MAX", cross_series_reducer: "REDUCE_SUM" });
    expect(byMetric()["cloudtasks.googleapis.com/queue/depth"]!.aggregations[0].group_by_fields).toBeUndefined();
    expect(byMetric()["redis.googleapis.com/stats/memory/usage_ratio"]!.aggregations[0]).toMatchObject({ cross_series_reducer: "REDUCE_MAX", group_by_fields: ["resource.label.instance_id"] });
  });
});
