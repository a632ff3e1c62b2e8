/**
 * The uptime check through the public edge, from several regions, and the page when it fails in
 * two or more of them.
 */
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import type { Construct } from "../../lib/cdktf";
import { withDefaults } from "../../lib/defaults";
import { HEALTH_CHECK_PATH } from "../edge/frontend";
import type { ObservabilityTarget } from "./filters";

export interface UptimeOptions {
  /** Probed through the load balancer; the edge routes it to the api. @default HEALTH_CHECK_PATH ("/healthz") */
  readonly path?: string;
  /** @default 60 */
  readonly periodSeconds?: number;
  /** Checker regions; Cloud Monitoring requires at least three. @default ["USA", "EUROPE", "ASIA_PACIFIC"] */
  readonly regions?: readonly string[];
}

export const DEFAULT_UPTIME: { readonly [K in keyof UptimeOptions]-?: NonNullable<UptimeOptions[K]> } = {
  path: HEALTH_CHECK_PATH,
  periodSeconds: 60,
  regions: ["USA", "EUROPE", "ASIA_PACIFIC"],
};

export interface UptimeContext {
  readonly project: string;
  readonly namePrefix: string;
  readonly edge: ObservabilityTarget["edge"];
  /** Page channel names. */
  readonly channels: readonly string[];
}

export interface Uptime {
  readonly check: MonitoringUptimeCheckConfig;
  readonly alert: MonitoringAlertPolicy;
}

/** Creates the check (`uptime`) and its page (`uptime-alert`) in `scope` (the Observability construct). */
export function uptime(scope: Construct, context: UptimeContext, options: UptimeOptions | undefined): Uptime {
  const { project, edge } = context;
  const { path, periodSeconds, regions } = withDefaults(DEFAULT_UPTIME, options);
  const check = new MonitoringUptimeCheckConfig(scope, "uptime", {
    project,
    displayName: `${context.namePrefix} edge ${path}`,
    timeout: "10s",
    period: `${periodSeconds}s`,
    selectedRegions: [...regions],
    httpCheck: {
      path,
      port: edge.usesHttps ? 443 : 80,
      useSsl: edge.usesHttps,
      validateSsl: edge.usesHttps,
      acceptedResponseStatusCodes: [{ statusClass: "STATUS_CLASS_2XX" }],
    },
    monitoredResource: { type: "uptime_url", labels: { project_id: project, host: edge.publicHost } },
  });
  const alert = new MonitoringAlertPolicy(scope, "uptime-alert", {
    project,
    displayName: `${context.namePrefix}: edge health check failing`,
    combiner: "OR",
    severity: "CRITICAL",
    notificationChannels: [...context.channels],
    documentation: { mimeType: "text/markdown", content: `The public health endpoint ${path} on ${edge.publicHost} fails from at least two checker regions. Check the load balancer, the api service and its /readyz (database and Redis reachability).` },
    conditions: [
      {
        displayName: "Uptime check failing in 2+ regions",
        conditionThreshold: {
          filter: `metric.type="monitoring.googleapis.com/uptime_check/check_passed" resource.type="uptime_url" metric.label.check_id="${check.uptimeCheckId}"`,
          aggregations: [{ alignmentPeriod: "1200s", perSeriesAligner: "ALIGN_NEXT_OLDER", crossSeriesReducer: "REDUCE_COUNT_FALSE", groupByFields: ["resource.label.project_id", "resource.label.host"] }],
          comparison: "COMPARISON_GT",
          thresholdValue: 1,
          duration: "60s",
          trigger: { count: 1 },
        },
      },
    ],
  });
  return { check, alert };
}
