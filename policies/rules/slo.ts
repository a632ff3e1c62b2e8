/**
 * Every public service has an SLO with a burn-rate alert on it.
 *
 * Linking, as Terraform sees it (no naming convention assumed):
 * - an SLO covers a Cloud Run service when its SLI filters, or the monitoring service it belongs
 *   to (`service` -> google_monitoring_service / google_monitoring_custom_service in the stack),
 *   refer to the Cloud Run service: a `${google_cloud_run_v2_service.<id>.*}` reference or its
 *   literal name in quotes (`resource.label.service_name="<name>"`, `service_labels.service_name`);
 * - an alert policy alerts on an SLO when a condition's filter calls
 *   `select_slo_burn_rate("<slo>", ...)` with `<slo>` a reference to that google_monitoring_slo or
 *   ending in `/serviceLevelObjectives/<slo_id>`; disabled policies do not count.
 */
import { MAX_BURN_RATE_LOOKBACK_HOURS } from "../../lib/burn-rate";
import { blocks, mentions, rule, stringsIn, type StackResources, type SynthesizedResource } from "../model";
import { isPublicService, literalName, RUN_SERVICE } from "./workloads";

export const SLO = "google_monitoring_slo";
export const ALERT_POLICY = "google_monitoring_alert_policy";
const MONITORING_SERVICES = ["google_monitoring_service", "google_monitoring_custom_service"];

export const publicServiceSloWithBurnRateAlert = rule({
  id: "VZ-OBS-001",
  severity: "ERROR",
  title: "Public services: SLO + burn-rate alert",
  rationale: "A public service without an SLO and a burn-rate alert can break its latency/availability promise without anyone being paged.",
  fix: 'Give the service a google_monitoring_slo and a google_monitoring_alert_policy whose condition filter is select_slo_burn_rate("<slo name>", ...) (the Observability construct does).',
  appliesTo: (stack) => stack.ofType(RUN_SERVICE).filter(isPublicService),
  check: (service, stack) => {
    const slos = stack.ofType(SLO).filter((slo) => sloCovers(slo, service, stack));
    if (slos.length === 0) return [`no ${SLO} refers to this service`];
    const alerted = slos.filter((slo) => stack.ofType(ALERT_POLICY).some((policy) => alertsOnBurnRate(policy, slo)));
    if (alerted.length === 0) {
      return [`no enabled ${ALERT_POLICY} has a select_slo_burn_rate condition on its SLOs (${slos.map((s) => s.path).join(", ")})`];
    }
    return [];
  },
});

function sloCovers(slo: SynthesizedResource, service: SynthesizedResource, stack: StackResources): boolean {
  const owner = stack.referencedBy(slo.config.service);
  const scope = owner && MONITORING_SERVICES.includes(owner.type) ? [slo.config, owner.config] : [slo.config];
  if (mentions(scope, service)) return true;
  const name = literalName(service);
  return name !== undefined && stringsIn(scope).some((s) => s === name || s.includes(`"${name}"`));
}

/** `select_slo_burn_rate("<slo>", "<lookback>")`: the SLO, and the lookback (quoted or bare) when given. */
const BURN_RATE_CALL = /select_slo_burn_rate\(\s*"([^"]+)"(?:\s*,\s*"?([^")\s]*)"?)?/g;

function alertsOnBurnRate(policy: SynthesizedResource, slo: SynthesizedResource): boolean {
  if (policy.config.enabled === false) return false;
  const sloId = slo.config.slo_id;
  return stringsIn(blocks(policy.config, "conditions")).some((filter) =>
    [...filter.matchAll(BURN_RATE_CALL)].some(([, target]) => {
      if (target!.includes(`${slo.address}.`)) return true;
      return typeof sloId === "string" && !sloId.includes("${") && target!.endsWith(`/serviceLevelObjectives/${sloId}`);
    }),
  );
}

const LOOKBACK_UNITS_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A lookback in seconds, or undefined when Cloud Monitoring would not parse it. */
export function lookbackSeconds(lookback: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(lookback);
  return match ? Number(match[1]) * LOOKBACK_UNITS_SECONDS[match[2]!]! : undefined;
}

export const burnRateLookbacksAccepted = rule({
  id: "VZ-OBS-002",
  severity: "ERROR",
  title: "Burn-rate lookbacks of at most 24 h",
  rationale: "Cloud Monitoring rejects burn-rate alert lookbacks over 24 h or without a unit, so such a policy fails at apply and the alert never exists.",
  fix: 'Write lookbacks as a number with ns, us, ms, s, m or h, at most 24 h ("86400s"); cover slower burns with select_slo_budget_fraction("<slo name>") (error budget left).',
  appliesTo: (stack) => stack.ofType(ALERT_POLICY).filter((policy) => stringsIn(blocks(policy.config, "conditions")).some((s) => s.includes("select_slo_burn_rate"))),
  check: (policy) =>
    stringsIn(blocks(policy.config, "conditions")).flatMap((filter) =>
      [...filter.matchAll(BURN_RATE_CALL)].flatMap(([, , lookback]) => {
        if (lookback === undefined) return [];
        const seconds = lookbackSeconds(lookback);
        if (seconds === undefined) return [`lookback "${lookback}" is not a number with a unit (ns, us, ms, s, m, h)`];
        const hours = seconds / 3600;
        return hours > MAX_BURN_RATE_LOOKBACK_HOURS ? [`lookback "${lookback}" is ${hours} h, over the ${MAX_BURN_RATE_LOOKBACK_HOURS} h Cloud Monitoring allows`] : [];
      }),
    ),
});
