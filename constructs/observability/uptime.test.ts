import { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import { describe, expect, it } from "vitest";
import { alertPolicies, notifications, synthObservability, target } from "../../test/support/observability";
import { resourcesOf } from "../../test/support/synth";

const { raw, json } = synthObservability({ notifications });
const policies = alertPolicies(json);

describe("Observability: uptime check", () => {
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
    const http = synthObservability({ target: { ...target, edge: { ...target.edge, usesHttps: false } } }).json;
    const check = Object.values(resourcesOf(http, "google_monitoring_uptime_check_config"))[0] as any;
    expect(check.http_check).toMatchObject({ port: 80, use_ssl: false, validate_ssl: false });
  });
});
