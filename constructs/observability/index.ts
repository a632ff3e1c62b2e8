import type { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import type { MonitoringDashboard } from "@cdktf/provider-google/lib/monitoring-dashboard";
import { MonitoringNotificationChannel } from "@cdktf/provider-google/lib/monitoring-notification-channel";
import type { MonitoringService } from "@cdktf/provider-google/lib/monitoring-service";
import type { MonitoringSlo } from "@cdktf/provider-google/lib/monitoring-slo";
import type { MonitoringUptimeCheckConfig } from "@cdktf/provider-google/lib/monitoring-uptime-check-config";
import type { Severity } from "../../lib/burn-rate";
import { Construct } from "../../lib/cdktf";
import { withDefaults } from "../../lib/defaults";
import type { ServiceRole } from "../../lib/service-roles";
import { dashboard } from "./dashboard";
import { metricFilters, type ObservabilityTarget } from "./filters";
import { DEFAULT_ALERT_THRESHOLDS, resourceAlerts, type AlertThresholds } from "./resource-alerts";
import { sloSet, type SloSpec } from "./slos";
import { uptime, type UptimeOptions } from "./uptime";

export { metricFilters, redisInstanceId, type MetricFilters, type ObservabilityTarget } from "./filters";
export { DEFAULT_ALERT_THRESHOLDS, RESOURCE_ALERT_SERIES, type AlertThresholds, type ResolvedAlertThresholds, type ResourceAggregation } from "./resource-alerts";
export { CLOUD_RUN_LATENCY_BUCKETS, DEFAULT_SLO_WINDOW_DAYS, latencyBucketBound, type SloSpec } from "./slos";
export { DEFAULT_UPTIME, type UptimeOptions } from "./uptime";

/** Where alerts go: one email channel per address. */
export interface NotificationOptions {
  /** Receive page-severity alerts (fast burns, the uptime check). @default [] */
  readonly pageEmails?: readonly string[];
  /** Receive ticket-severity alerts (slow burns, error budget, resource saturation). @default [] */
  readonly ticketEmails?: readonly string[];
}

export interface ObservabilityProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** Environment name, for the dashboard's title. */
  readonly environment: string;
  readonly target: ObservabilityTarget;
  /** The SLOs (objectives are the product's decision, so there is no default). */
  readonly slos: readonly SloSpec[];
  /** @default no recipients */
  readonly notifications?: NotificationOptions;
  /** @default DEFAULT_UPTIME */
  readonly uptime?: UptimeOptions;
  /** @default DEFAULT_ALERT_THRESHOLDS */
  readonly alerts?: AlertThresholds;
}

/**
 * SLOs, multi-window burn-rate alerts, the uptime check, resource alerts and a dashboard for one
 * environment, generated from a short SLO spec per service (like Sloth or slo-generator), one
 * concern per module: slos.ts (SLOs, burn-rate and error-budget alerts), uptime.ts,
 * resource-alerts.ts (saturation tickets), dashboard.ts; filters.ts builds every metric filter
 * once for all of them. Pages go to the page channels, tickets to the ticket channels; every
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

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { project, namePrefix, target } = props;
    const alerts = withDefaults(DEFAULT_ALERT_THRESHOLDS, props.alerts);
    const filters = metricFilters(target);
    const email = (severity: Severity) => (address: string, i: number) =>
      new MonitoringNotificationChannel(this, `channel-${severity}-${i}`, {
        project,
        displayName: `${namePrefix} ${severity}: ${address}`,
        type: "email",
        labels: { email_address: address },
      });
    this.channels = {
      page: (props.notifications?.pageEmails ?? []).map(email("page")),
      ticket: (props.notifications?.ticketEmails ?? []).map(email("ticket")),
    };
    const channels = { page: this.channels.page.map((c) => c.name), ticket: this.channels.ticket.map((c) => c.name) };

    const slos = sloSet(this, { project, region: props.region, namePrefix, services: target.services, filters, channels, errorBudgetLeft: alerts.errorBudgetLeft }, props.slos);
    ({ services: this.services, slos: this.slos, burnRateAlerts: this.burnRateAlerts, budgetAlerts: this.budgetAlerts } = slos);
    ({ check: this.uptimeCheck, alert: this.uptimeAlert } = uptime(this, { project, namePrefix, edge: target.edge, channels: channels.page }, props.uptime));
    this.resourceAlerts = resourceAlerts(this, { project, namePrefix, filters, maxConnections: target.database.maxConnections, channels: channels.ticket, alerts });
    this.dashboard = dashboard(this, { project, title: `${namePrefix} (${props.environment})`, target, filters, slos: this.slos, alerts });
  }
}
