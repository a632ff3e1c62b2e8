/**
 * SLOs and their alerts: per service a Service Monitoring service, per SLO a request-based SLI on
 * Cloud Run metrics, three multi-window burn-rate alert policies (page: 1 h/5 min and 6 h/30 min;
 * ticket: 1 d/2 h; each long AND short window, thresholds from the objective's window,
 * lib/burn-rate.ts) and a ticket when little of the error budget is left. The last stands in for
 * the SRE Workbook's 3 d/6 h slow-burn ticket, which Cloud Monitoring cannot evaluate (burn-rate
 * lookbacks stop at 24 h): a slow, steady burn shows up as a shrinking budget.
 */
import { MonitoringAlertPolicy, type MonitoringAlertPolicyConditions } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import { MonitoringService } from "@cdktf/provider-google/lib/monitoring-service";
import { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
import { burnRateConditions, hoursToExhaustion } from "../../lib/burn-rate";
import type { Construct } from "../../lib/cdktf";
import type { ServiceRole } from "../../lib/service-roles";
import type { MetricFilters } from "./filters";

/**
 * One SLO: which service, which SLI, the objective and the rolling window.
 * - availability: share of requests that are not 5xx;
 * - latency: share of requests served within `thresholdMs` (P95 <= 300 ms is "95 % within 300 ms");
 * - task-success: share of task attempts the worker answered with 2xx.
 */
export interface SloSpec {
  readonly service: ServiceRole;
  readonly sli: "availability" | "latency" | "task-success";
  /** Cloud Monitoring accepts goals in (0, 0.999]. */
  readonly objective: number;
  /** Rolling period, 1-30 days. @default 28 */
  readonly windowDays?: number;
  /** Latency SLOs only. */
  readonly thresholdMs?: number;
}

export const DEFAULT_SLO_WINDOW_DAYS = 28;

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

export interface SloContext {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly services: Readonly<Record<ServiceRole, string>>;
  readonly filters: MetricFilters;
  /** Notification channel names per severity. */
  readonly channels: Readonly<Record<"page" | "ticket", readonly string[]>>;
  /** Ticket when less than this share of an SLO's budget is left. */
  readonly errorBudgetLeft: number;
}

export interface SloSet {
  readonly services: Readonly<Partial<Record<ServiceRole, MonitoringService>>>;
  readonly slos: readonly { readonly spec: SloSpec; readonly slo: MonitoringSlo }[];
  readonly burnRateAlerts: readonly MonitoringAlertPolicy[];
  readonly budgetAlerts: readonly MonitoringAlertPolicy[];
}

/** Creates the services, SLOs and their alerts in `scope` (the Observability construct). */
export function sloSet(scope: Construct, context: SloContext, specs: readonly SloSpec[]): SloSet {
  const services: Partial<Record<ServiceRole, MonitoringService>> = {};
  for (const role of new Set(specs.map((s) => s.service))) {
    services[role] = new MonitoringService(scope, `${role}-service`, {
      project: context.project,
      serviceId: `${context.namePrefix}-${role}`,
      displayName: `${context.namePrefix} ${role}`,
      basicService: { serviceType: "CLOUD_RUN", serviceLabels: { service_name: context.services[role], location: context.region } },
    });
  }
  const slos = specs.map((spec) => ({ spec, slo: slo(scope, context, spec, services[spec.service]!) }));
  return {
    services,
    slos,
    burnRateAlerts: slos.flatMap(({ spec, slo }) => burnRateAlerts(scope, context, spec, slo)),
    budgetAlerts: slos.map(({ spec, slo }) => budgetAlert(scope, context, spec, slo)),
  };
}

function slo(scope: Construct, context: SloContext, spec: SloSpec, service: MonitoringService): MonitoringSlo {
  const name = context.services[spec.service];
  const windowDays = spec.windowDays ?? DEFAULT_SLO_WINDOW_DAYS;
  const base = { project: context.project, service: service.serviceId, sloId: `${spec.service}-${spec.sli}`, goal: spec.objective, rollingPeriodDays: windowDays };
  const percent = `${(spec.objective * 100).toFixed(2)} %`;
  const requests = context.filters.run("request_count", name);
  switch (spec.sli) {
    case "availability":
      return new MonitoringSlo(scope, `${spec.service}-${spec.sli}`, {
        ...base,
        displayName: `${spec.service}: ${percent} of requests without 5xx (${windowDays} d)`,
        requestBasedSli: { goodTotalRatio: { totalServiceFilter: requests, badServiceFilter: `${requests} metric.label.response_code_class="5xx"` } },
      });
    case "task-success":
      return new MonitoringSlo(scope, `${spec.service}-${spec.sli}`, {
        ...base,
        displayName: `${spec.service}: ${percent} of task attempts succeed (${windowDays} d)`,
        requestBasedSli: { goodTotalRatio: { totalServiceFilter: requests, goodServiceFilter: `${requests} metric.label.response_code_class="2xx"` } },
      });
    case "latency":
      return new MonitoringSlo(scope, `${spec.service}-${spec.sli}`, {
        ...base,
        displayName: `${spec.service}: ${percent} of requests within ${spec.thresholdMs} ms (${windowDays} d)`,
        requestBasedSli: { distributionCut: { distributionFilter: context.filters.run("request_latencies", name), range: { max: latencyBucketBound(spec.thresholdMs!) } } },
      });
  }
}

function burnRateAlerts(scope: Construct, context: SloContext, spec: SloSpec, slo: MonitoringSlo): MonitoringAlertPolicy[] {
  const windowDays = spec.windowDays ?? DEFAULT_SLO_WINDOW_DAYS;
  return burnRateConditions(windowDays).map(({ window, threshold, longLookback, shortLookback }) => {
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
    const exhaustion = hoursToExhaustion(threshold, windowDays);
    return new MonitoringAlertPolicy(scope, `${spec.service}-${spec.sli}-burn-${window.longWindowHours}h`, {
      project: context.project,
      displayName: `${context.namePrefix} ${spec.service} ${spec.sli}: ${window.severity} burn ${window.longWindowHours}h/${window.shortWindowMinutes}m`,
      combiner: "AND",
      severity: window.severity === "page" ? "CRITICAL" : "WARNING",
      notificationChannels: [...context.channels[window.severity]],
      alertStrategy: { autoClose: "1800s" },
      documentation: {
        mimeType: "text/markdown",
        subject: `[${window.severity.toUpperCase()}] ${spec.service} ${spec.sli} SLO burning ${threshold.toFixed(1)}x`,
        content:
          `${spec.service} is spending its ${spec.sli} error budget ${threshold.toFixed(1)}x faster than the ${windowDays}-day SLO allows ` +
          `(${Math.round(window.budgetFraction * 100)} % of the budget within ${window.longWindowHours} h; at this rate the budget is gone in ${exhaustion.toFixed(0)} h).\n\n` +
          `Runbook: open the ${context.namePrefix} dashboard; check recent deploys (Cloud Run revisions), 5xx and latency by service, Cloud SQL CPU and connections, Redis memory and queue depth. Roll back the last revision if it correlates.`,
      },
      conditions: [condition(longLookback, `${window.longWindowHours}h`), condition(shortLookback, `${window.shortWindowMinutes}m`)],
    });
  });
}

function budgetAlert(scope: Construct, context: SloContext, spec: SloSpec, slo: MonitoringSlo): MonitoringAlertPolicy {
  const left = context.errorBudgetLeft;
  const windowDays = spec.windowDays ?? DEFAULT_SLO_WINDOW_DAYS;
  const percent = `${Math.round(left * 100)} %`;
  return new MonitoringAlertPolicy(scope, `${spec.service}-${spec.sli}-budget-left`, {
    project: context.project,
    displayName: `${context.namePrefix} ${spec.service} ${spec.sli}: less than ${percent} of the error budget left`,
    combiner: "OR",
    severity: "WARNING",
    notificationChannels: [...context.channels.ticket],
    alertStrategy: { autoClose: "86400s" },
    documentation: {
      mimeType: "text/markdown",
      subject: `[TICKET] ${spec.service} ${spec.sli}: under ${percent} of the ${windowDays}-day error budget left`,
      content:
        `${spec.service} has spent more than ${100 - Math.round(left * 100)} % of its ${spec.sli} error budget for the rolling ${windowDays} days. ` +
        `No fast burn may have paged: this catches slow, steady burns.\n\n` +
        `Runbook: open the ${context.namePrefix} dashboard and the SLO's budget chart; find when the budget started to fall (a deploy, a dependency, growing traffic); ` +
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
