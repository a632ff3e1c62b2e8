/** The load balancer edge: Cloud Armor in front of every backend service, modern TLS, HTTP redirects. */
import { attribute, blocks, rule, show, stringsIn, type StackResources, type SynthesizedResource } from "../model";

export const BACKEND_SERVICE = "google_compute_backend_service";
export const SECURITY_POLICY = "google_compute_security_policy";
export const HTTPS_PROXY = "google_compute_target_https_proxy";
export const HTTP_PROXY = "google_compute_target_http_proxy";
export const SSL_POLICY = "google_compute_ssl_policy";
export const URL_MAP = "google_compute_url_map";

const EXTERNAL_SCHEMES = ["EXTERNAL", "EXTERNAL_MANAGED"];
const MODERN_TLS = ["TLS_1_2", "TLS_1_3"];
const STRONG_PROFILES = ["MODERN", "RESTRICTED", "CUSTOM"];

/** Backend services behind an external load balancer (the provider's default scheme is EXTERNAL). */
function externalBackends(stack: StackResources): readonly SynthesizedResource[] {
  return stack.ofType(BACKEND_SERVICE).filter((b) => EXTERNAL_SCHEMES.includes(String(b.config.load_balancing_scheme ?? "EXTERNAL")));
}

/** The resource of `type` an attribute refers to, or a sentence saying why it does not. */
function target(stack: StackResources, value: unknown, field: string, type: string): SynthesizedResource | string {
  if (value === undefined) return `${field} is unset`;
  const referenced = stack.referencedBy(value);
  return referenced?.type === type ? referenced : `${field} is ${show(value)}, not a reference to a ${type} in this stack`;
}

export const edgeCloudArmor = rule({
  id: "VZ-EDGE-001",
  severity: "ERROR",
  title: "Backend services behind Cloud Armor",
  rationale: "Without a Cloud Armor policy with WAF rules, injection attacks and floods reach the services unfiltered.",
  fix: "Set security_policy to a google_compute_security_policy (type CLOUD_ARMOR) in the stack with preconfigured WAF rules (the Edge construct does).",
  appliesTo: externalBackends,
  check: (backend, stack) => {
    const policy = target(stack, backend.config.security_policy, "security_policy", SECURITY_POLICY);
    if (typeof policy === "string") return [policy];
    const problems: string[] = [];
    const type = policy.config.type ?? "CLOUD_ARMOR";
    if (type !== "CLOUD_ARMOR") problems.push(`security policy ${policy.path} has type ${show(type)}; backend policies must be CLOUD_ARMOR`);
    const hasWaf = stringsIn(blocks(policy.config, "rule").map((r) => attribute(r, "match", "expr", "expression"))).some((e) => e.includes("evaluatePreconfigured"));
    if (!hasWaf) problems.push(`security policy ${policy.path} has no preconfigured WAF rule (evaluatePreconfiguredWaf)`);
    return problems;
  },
});

export const edgeModernTls = rule({
  id: "VZ-EDGE-002",
  severity: "ERROR",
  title: "HTTPS proxy TLS >= 1.2",
  rationale: "Without an SSL policy the proxy accepts TLS 1.0/1.1 and weak ciphers (Google's COMPATIBLE default).",
  fix: 'Set ssl_policy to a google_compute_ssl_policy with profile "MODERN" (or RESTRICTED/CUSTOM) and min_tls_version "TLS_1_2" or "TLS_1_3".',
  appliesTo: [HTTPS_PROXY],
  check: (proxy, stack) => {
    const policy = target(stack, proxy.config.ssl_policy, "ssl_policy", SSL_POLICY);
    if (typeof policy === "string") return [`${policy} (Google's default allows TLS 1.0)`];
    const problems: string[] = [];
    const version = policy.config.min_tls_version ?? "TLS_1_0";
    if (!MODERN_TLS.includes(String(version))) problems.push(`SSL policy ${policy.path} has min_tls_version ${show(version)}`);
    const profile = policy.config.profile ?? "COMPATIBLE";
    if (!STRONG_PROFILES.includes(String(profile))) problems.push(`SSL policy ${policy.path} has profile ${show(profile)}`);
    return problems;
  },
});

export const edgeHttpRedirectsOnly = rule({
  id: "VZ-EDGE-003",
  severity: "ERROR",
  title: "HTTP only redirects to HTTPS",
  rationale: "Serving the app over plain HTTP sends session tokens and financial data unencrypted.",
  fix: "Point the HTTP proxy's url_map at a URL map with only default_url_redirect { https_redirect = true } (the Edge construct does when domains are configured).",
  appliesTo: [HTTP_PROXY],
  check: (proxy, stack) => {
    const urlMap = target(stack, proxy.config.url_map, "url_map", URL_MAP);
    if (typeof urlMap === "string") return [urlMap];
    const redirects = attribute(urlMap.config, "default_url_redirect", "https_redirect") === true;
    const serves = ["default_service", "path_matcher", "host_rule", "default_route_action"].filter((key) => urlMap.config[key] !== undefined);
    if (redirects && serves.length === 0) return [];
    return [`URL map ${urlMap.path} ${redirects ? `also routes traffic (${serves.join(", ")})` : "serves the application over HTTP instead of redirecting to HTTPS"}`];
  },
});

export const edgeArmorEnforcedInProduction = rule({
  id: "VZ-EDGE-004",
  severity: "WARNING",
  title: "Cloud Armor enforcing (prod)",
  rationale: "Rules in preview only log; in production the WAF and rate limits must block (preview is for rolling out a new rule).",
  fix: "Set preview = false on the policy's rules (edge.armor.preview = false) once their logs show no false positives.",
  appliesTo: (stack, context) => (context.production ? stack.ofType(SECURITY_POLICY) : []),
  check: (policy) => {
    const previewed = blocks(policy.config, "rule").filter((r) => r.preview === true).map((r) => r.priority);
    return previewed.length === 0 ? [] : [`rules at priority ${previewed.join(", ")} are in preview (log only)`];
  },
});
