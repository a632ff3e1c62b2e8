/** Cloud Run: who can reach a service, who can call it, and whose identity it runs as. */
import { blocks, mentions, rule, show, type Config, type StackResources, type SynthesizedResource } from "../model";
import { ingressOf, isInternalService, literalName, RUN_SERVICE, RUN_WORKLOADS, serviceAccountOf } from "./workloads";

/** IAM members meaning "anyone" (with or without a Google account). */
export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];

export const runIngressNeverAll = rule({
  id: "VZ-RUN-001",
  severity: "ERROR",
  title: "Cloud Run ingress not ALL",
  rationale: "Ingress ALL lets the internet reach the *.run.app URL directly, bypassing the load balancer's Cloud Armor WAF and rate limits.",
  fix: 'Set ingress = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" (public services) or "INGRESS_TRAFFIC_INTERNAL_ONLY" (workers).',
  appliesTo: [RUN_SERVICE],
  check: (service) =>
    ingressOf(service) === "INGRESS_TRAFFIC_ALL"
      ? [`ingress is ${show(service.config.ingress)}${service.config.ingress === undefined ? " (the default is INGRESS_TRAFFIC_ALL)" : ""}`]
      : [],
});

export const runInternalServiceAuthenticated = rule({
  id: "VZ-RUN-002",
  severity: "ERROR",
  title: "Internal services: IAM callers only",
  rationale:
    "An internal-only service (the worker) is called by Cloud Tasks with OIDC; disabling the IAM check or granting allUsers/allAuthenticatedUsers lets anyone who reaches it run tasks.",
  fix: "Keep invoker_iam_disabled unset/false on INGRESS_TRAFFIC_INTERNAL_ONLY services and grant roles/run.invoker only to named service accounts (AppService.grantInvoke).",
  appliesTo: (stack) => stack.ofType(RUN_SERVICE).filter(isInternalService),
  check: (service, stack) => {
    const problems: string[] = [];
    if (service.config.invoker_iam_disabled === true) problems.push("invoker_iam_disabled is true, so any caller that reaches it is accepted without a token");
    for (const grant of grantsOn(service, stack)) {
      for (const { role, members, unreadable } of grant.bindings) {
        if (unreadable) problems.push(`${grant.resource.path} sets policy_data from ${unreadable}, which cannot be checked at synth; use a google_iam_policy data source in this stack`);
        const open = members.filter((m) => PUBLIC_MEMBERS.includes(m));
        if (open.length > 0) problems.push(`${grant.resource.path} grants ${role} to ${open.join(", ")}`);
      }
    }
    return problems;
  },
});

const DEFAULT_ACCOUNT = /(-compute@developer|@appspot)\.gserviceaccount\.com/;

export const runDedicatedServiceAccount = rule({
  id: "VZ-RUN-003",
  severity: "ERROR",
  title: "Cloud Run: no default service account",
  rationale: "The default compute account often holds Editor on the project; a compromised container would inherit it.",
  fix: "Set template.service_account (template.template.service_account for jobs) to a dedicated account (RuntimeIdentity).",
  appliesTo: [...RUN_WORKLOADS],
  check: (workload) => {
    const account = serviceAccountOf(workload);
    const field = workload.type === RUN_SERVICE ? "template.service_account" : "template.template.service_account";
    if (account === undefined) return [`${field} is unset, so it runs as the project's default compute service account`];
    if (typeof account === "string" && (DEFAULT_ACCOUNT.test(account) || account.includes("data.google_compute_default_service_account."))) {
      return [`${field} is the default compute service account (${account})`];
    }
    return [];
  },
});

/** One role binding as read from an IAM resource; `unreadable` when the policy is an opaque expression. */
interface Binding {
  readonly role: string;
  readonly members: readonly string[];
  readonly unreadable?: string;
}

const SERVICE_IAM = {
  member: ["google_cloud_run_v2_service_iam_member", "google_cloud_run_service_iam_member"],
  binding: ["google_cloud_run_v2_service_iam_binding", "google_cloud_run_service_iam_binding"],
  policy: ["google_cloud_run_v2_service_iam_policy", "google_cloud_run_service_iam_policy"],
};

/** IAM resources on a service: by reference, or by its literal name (`name` in v2, `service` in v1). */
function grantsOn(service: SynthesizedResource, stack: StackResources): { resource: SynthesizedResource; bindings: Binding[] }[] {
  const name = literalName(service);
  const targets = (iam: SynthesizedResource) => {
    const target = iam.config.name ?? iam.config.service;
    return mentions(target, service) || (name !== undefined && target === name);
  };
  const all = [...SERVICE_IAM.member, ...SERVICE_IAM.binding, ...SERVICE_IAM.policy];
  return stack
    .ofType(...all)
    .filter(targets)
    .map((resource) => ({ resource, bindings: bindingsOf(resource, stack) }));
}

function bindingsOf(iam: SynthesizedResource, stack: StackResources): Binding[] {
  const role = String(iam.config.role);
  if (SERVICE_IAM.member.includes(iam.type)) return [{ role, members: [String(iam.config.member)] }];
  if (SERVICE_IAM.binding.includes(iam.type)) return [{ role, members: stringList(iam.config.members) }];
  return policyBindings(iam.config.policy_data, stack);
}

/** Bindings of `policy_data`: a google_iam_policy data source in the stack, or literal JSON. */
export function policyBindings(policyData: unknown, stack: StackResources): Binding[] {
  const source = stack.referencedBy(policyData);
  if (source?.type === "google_iam_policy") {
    return blocks(source.config, "binding").map((b: Config) => ({ role: String(b.role), members: stringList(b.members) }));
  }
  if (typeof policyData === "string" && !policyData.includes("${")) {
    try {
      const parsed = JSON.parse(policyData) as { bindings?: { role?: string; members?: string[] }[] };
      return (parsed.bindings ?? []).map((b) => ({ role: String(b.role), members: b.members ?? [] }));
    } catch {
      return [{ role: "?", members: [], unreadable: "invalid JSON" }];
    }
  }
  return [{ role: "?", members: [], unreadable: show(policyData) }];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
