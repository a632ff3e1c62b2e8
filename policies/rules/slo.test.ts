import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringCustomService } from "@cdktf/provider-google/lib/monitoring-custom-service";
import { MonitoringService } from "@cdktf/provider-google/lib/monitoring-service";
import { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
import { describe, expect, it } from "vitest";
import type { TerraformStack } from "../../lib/cdktf";
import { runRule, smallStack } from "../../test/support/policies";
import { burnRateLookbacksAccepted, lookbackSeconds, publicServiceSloWithBurnRateAlert } from "./slo";

const service = (stack: TerraformStack, ingress = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER") =>
  new CloudRunV2Service(stack, "api", { name: "vz-api", location: "us-central1", ingress, template: { containers: [{ image: "app" }] } });

/** An availability SLO; its filters name the service only when `filterService` is given. */
const availabilitySlo = (stack: TerraformStack, monitoringService: string, filterService?: string) => {
  const scope = `metric.type="run.googleapis.com/request_count" resource.type="cloud_run_revision"${filterService ? ` resource.label.service_name="${filterService}"` : ""}`;
  return new MonitoringSlo(stack, "availability", {
    service: monitoringService,
    sloId: "availability",
    goal: 0.995,
    rollingPeriodDays: 28,
    requestBasedSli: { goodTotalRatio: { badServiceFilter: `${scope} metric.label.response_code_class="5xx"`, totalServiceFilter: scope } },
  });
};

const burnRateAlert = (stack: TerraformStack, sloName: string, enabled = true, lookbacks: readonly [string, string] = ['"3600s"', '"300s"']) =>
  new MonitoringAlertPolicy(stack, "fast-burn", {
    displayName: "fast burn",
    combiner: "AND",
    enabled,
    conditions: lookbacks.map((lookback) => ({
      displayName: lookback,
      conditionThreshold: { filter: `select_slo_burn_rate("${sloName}", ${lookback})`, comparison: "COMPARISON_GT", thresholdValue: 14.4, duration: "0s" },
    })),
  });

/** Cloud Run basic service -> SLO -> burn-rate alert, linked by references as a construct would. */
const observed = (stack: TerraformStack) => {
  const api = service(stack);
  const monitored = new MonitoringService(stack, "api-monitoring", {
    serviceId: "vz-api",
    basicService: { serviceType: "CLOUD_RUN", serviceLabels: { service_name: api.name, location: "us-central1" } },
  });
  return availabilitySlo(stack, monitored.serviceId);
};

describe("VZ-OBS-001 public services have an SLO and a burn-rate alert", () => {
  it("passes a service whose monitoring service, SLO and burn-rate alert refer to each other", () => {
    const stack = smallStack((s) => burnRateAlert(s, observed(s).name));
    expect(runRule(publicServiceSloWithBurnRateAlert, stack)).toMatchObject({ status: "pass", checked: 1 });
  });

  it("passes an SLO that names the service in its filters and an alert naming the SLO by path", () => {
    const stack = smallStack((s) => {
      service(s);
      const custom = new MonitoringCustomService(s, "custom", { serviceId: "api-custom" });
      availabilitySlo(s, custom.serviceId, "vz-api");
      burnRateAlert(s, "projects/acme-test-1/services/api-custom/serviceLevelObjectives/availability");
    });
    expect(runRule(publicServiceSloWithBurnRateAlert, stack).status).toBe("pass");
  });

  it("fails a public service without any SLO, load balancer or direct ingress alike", () => {
    const stack = smallStack((s) => {
      service(s);
      new CloudRunV2Service(s, "open", { name: "vz-open", location: "us-central1", ingress: "INGRESS_TRAFFIC_ALL", template: { containers: [{ image: "app" }] } });
    });
    expect(runRule(publicServiceSloWithBurnRateAlert, stack).problems).toEqual([
      "test/api: no google_monitoring_slo refers to this service",
      "test/open: no google_monitoring_slo refers to this service",
    ]);
  });

  it("fails an SLO nobody is alerted on, and one whose only alert is disabled", () => {
    expect(runRule(publicServiceSloWithBurnRateAlert, smallStack((s) => observed(s))).problems).toEqual([
      "test/api: no enabled google_monitoring_alert_policy has a select_slo_burn_rate condition on its SLOs (test/availability)",
    ]);
    const disabled = smallStack((s) => burnRateAlert(s, observed(s).name, false));
    expect(runRule(publicServiceSloWithBurnRateAlert, disabled).status).toBe("FAIL");
  });

  it("fails when the SLO and alert exist but are about another service or SLO", () => {
    const otherService = smallStack((s) => {
      service(s);
      const custom = new MonitoringCustomService(s, "custom", { serviceId: "other" });
      burnRateAlert(s, availabilitySlo(s, custom.serviceId, "vz-other").name);
    });
    expect(runRule(publicServiceSloWithBurnRateAlert, otherService).problems).toEqual(["test/api: no google_monitoring_slo refers to this service"]);
    const otherSlo = smallStack((s) => {
      observed(s);
      burnRateAlert(s, "projects/p/services/x/serviceLevelObjectives/latency");
    });
    expect(runRule(publicServiceSloWithBurnRateAlert, otherSlo).status).toBe("FAIL");
  });

  it("does not require SLOs of internal services (the worker's are per queue)", () => {
    expect(runRule(publicServiceSloWithBurnRateAlert, smallStack((s) => service(s, "INGRESS_TRAFFIC_INTERNAL_ONLY"))).status).toBe("n/a");
  });
});

describe("VZ-OBS-002 burn-rate lookbacks Cloud Monitoring accepts", () => {
  it("reads lookbacks in every unit Cloud Monitoring knows", () => {
    expect(["3600s", "60m", "1h", "86400000ms", "1.5h"].map(lookbackSeconds)).toEqual([3600, 3600, 3600, 86400, 5400]);
    expect(["3600", "1d", "h", ""].map(lookbackSeconds)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("passes lookbacks up to 24 h, quoted or bare", () => {
    const stack = smallStack((s) => burnRateAlert(s, observed(s).name, true, ['"86400s"', "2h"]));
    expect(runRule(burnRateLookbacksAccepted, stack)).toMatchObject({ status: "pass", checked: 1 });
  });

  it("fails a 3-day lookback and one without a unit, naming each", () => {
    const stack = smallStack((s) => burnRateAlert(s, observed(s).name, true, ['"259200s"', '"3600"']));
    expect(runRule(burnRateLookbacksAccepted, stack).problems).toEqual([
      'test/fast-burn: lookback "259200s" is 72 h, over the 24 h Cloud Monitoring allows',
      'test/fast-burn: lookback "3600" is not a number with a unit (ns, us, ms, s, m, h)',
    ]);
  });

  it("has nothing to check without burn-rate conditions", () => {
    expect(runRule(burnRateLookbacksAccepted, smallStack((s) => observed(s))).status).toBe("n/a");
  });
});
