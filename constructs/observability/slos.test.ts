import { describe, expect, it } from "vitest";
import { burnRateThreshold, DEFAULT_BURN_RATE_WINDOWS } from "../../lib/burn-rate";
import { alertPolicies, notifications, synthObservability } from "../../test/support/observability";
import { resourcesOf } from "../../test/support/synth";
import { latencyBucketBound } from "./slos";

const { json } = synthObservability({ notifications });
const slos = Object.values(resourcesOf(json, "google_monitoring_slo")) as any[];
const policies = alertPolicies(json);
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

  it("takes the threshold from its props", () => {
    const custom = synthObservability({ alerts: { errorBudgetLeft: 0.4 } }).json;
    const values = (Object.values(resourcesOf(custom, "google_monitoring_alert_policy")) as any[])
      .filter((p) => p.conditions[0].condition_threshold.filter.startsWith("select_slo_budget_fraction"))
      .map((p) => p.conditions[0].condition_threshold.threshold_value);
    expect(new Set(values)).toEqual(new Set([0.4]));
  });
});
