/**
 * Cloud Armor for the edge: the backend policy on api and realtime (allow list, OWASP CRS WAF,
 * per-IP rate limit, adaptive protection) and, when sources are denied, an edge policy on every
 * backend (bucket included: backend buckets only take edge policies), evaluated before the cache.
 */
import { ComputeSecurityPolicy, type ComputeSecurityPolicyRule } from "@cdktf/provider-google/lib/compute-security-policy";
import type { Construct } from "../../lib/cdktf";
import type { IpRule, ResolvedArmor, ResolvedRateLimit } from "./options";

/**
 * Cloud Armor priority bands (lower runs first). Allow lists run before the WAF so trusted sources
 * skip it; the WAF runs before the rate limit because a conforming throttle/ban rule *allows* the
 * request, which ends evaluation; the default rule runs last. Deny lists live in the edge policy,
 * which is evaluated before all of these.
 */
export const ARMOR_PRIORITY = {
  deny: 1000,
  allow: 2000,
  waf: 3000,
  rateLimit: 4000,
  // Cloud Armor cannot turn a ban rule back into a throttle rule in place; a distinct priority
  // makes switching replace the rule instead.
  rateBasedBan: 4001,
  default: 2_147_483_647,
} as const;

/** Cloud Armor accepts at most this many source ranges in one rule. */
export const MAX_RANGES_PER_RULE = 10;

/** OWASP CRS 3.3 rule sets evaluated by the WAF, in rule order. */
export const WAF_RULE_SETS = ["sqli", "xss", "lfi", "rfi", "rce", "scannerdetection", "protocolattack", "sessionfixation"] as const;

/** Cloud Armor's name for each OWASP CRS 3.3 rule set. */
const WAF_EXPRESSIONS: Readonly<Record<(typeof WAF_RULE_SETS)[number], string>> = {
  sqli: "sqli-v33-stable",
  xss: "xss-v33-stable",
  lfi: "lfi-v33-stable",
  rfi: "rfi-v33-stable",
  rce: "rce-v33-stable",
  scannerdetection: "scannerdetection-v33-stable",
  protocolattack: "protocolattack-v33-stable",
  sessionfixation: "sessionfixation-v33-stable",
};

export interface ArmorPolicies {
  /** Backend policy (WAF, rate limit, allow list, adaptive protection) on api and realtime. */
  readonly securityPolicy: ComputeSecurityPolicy;
  /** Edge policy with the deny list, on every backend; only when deny rules are configured. */
  readonly edgeSecurityPolicy?: ComputeSecurityPolicy;
}

/** Creates the policies in `scope` (the Edge), as `armor` and `armor-edge`. */
export function armorPolicies(scope: Construct, project: string, name: (component: string) => string, armor: ResolvedArmor): ArmorPolicies {
  const securityPolicy = new ComputeSecurityPolicy(scope, "armor", {
    project,
    name: name("armor"),
    description: "WAF (OWASP CRS 3.3), per-IP rate limit, allow list and adaptive protection for api and realtime.",
    type: "CLOUD_ARMOR",
    rule: backendPolicyRules(armor),
    adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: armor.adaptiveProtection, ruleVisibility: "STANDARD" } },
    advancedOptionsConfig: { jsonParsing: "STANDARD", logLevel: armor.logLevel },
  });
  if (armor.deny.length === 0) return { securityPolicy };
  const edgeSecurityPolicy = new ComputeSecurityPolicy(scope, "armor-edge", {
    project,
    name: name("armor-edge"),
    description: "Deny list, evaluated at the edge before the CDN cache, on every backend.",
    type: "CLOUD_ARMOR_EDGE",
    rule: [...sourceRangeRules(armor.deny, "deny(403)", ARMOR_PRIORITY.deny), DEFAULT_ALLOW_RULE],
  });
  return { securityPolicy, edgeSecurityPolicy };
}

/** Matches every client: Cloud Armor's spelling of "all source ranges". */
const ALL_SOURCES = { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } };

/** The mandatory lowest-priority rule: allow what no rule above denied. */
export const DEFAULT_ALLOW_RULE: ComputeSecurityPolicyRule = {
  priority: ARMOR_PRIORITY.default,
  action: "allow",
  description: "Default rule: allow what no rule above denied",
  match: ALL_SOURCES,
};

/** Splits a list into consecutive chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * One rule per 10 source ranges (Cloud Armor's limit), at consecutive priorities from `base` in
 * config order, so the same config always yields the same priorities.
 */
export function sourceRangeRules(rules: readonly IpRule[], action: "allow" | "deny(403)", base: number): ComputeSecurityPolicyRule[] {
  const verb = action === "allow" ? "allow" : "deny";
  return rules
    .flatMap((rule) => {
      const parts = chunk(rule.cidrs, MAX_RANGES_PER_RULE);
      return parts.map((ranges, i) => ({ ranges, description: parts.length > 1 ? `${verb}: ${rule.description} (${i + 1}/${parts.length})` : `${verb}: ${rule.description}` }));
    })
    .map(({ ranges, description }, i) => ({
      priority: base + i,
      action,
      description,
      match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ranges } },
    }));
}

/** The OWASP CRS 3.3 rule sets at one sensitivity, 10 priorities apart to leave room for exceptions. */
export function wafRules(sensitivity: number, preview: boolean): ComputeSecurityPolicyRule[] {
  return WAF_RULE_SETS.map((set, i) => ({
    priority: ARMOR_PRIORITY.waf + i * 10,
    action: "deny(403)",
    preview,
    description: `OWASP CRS ${WAF_EXPRESSIONS[set]} at sensitivity ${sensitivity}`,
    match: { expr: { expression: `evaluatePreconfiguredWaf('${WAF_EXPRESSIONS[set]}', {'sensitivity': ${sensitivity}})` } },
  }));
}

/** Per-client-IP throttle or ban, applied after the WAF (a conforming request is allowed outright). */
export function rateLimitRule(limit: ResolvedRateLimit, preview: boolean): ComputeSecurityPolicyRule {
  const ban = limit.action === "ban";
  return {
    priority: ban ? ARMOR_PRIORITY.rateBasedBan : ARMOR_PRIORITY.rateLimit,
    action: ban ? "rate_based_ban" : "throttle",
    preview,
    description: `${ban ? "Ban" : "Throttle"} a client IP above ${limit.requestsPerInterval} requests per ${limit.intervalSeconds} s`,
    match: ALL_SOURCES,
    rateLimitOptions: {
      enforceOnKey: "IP",
      rateLimitThreshold: { count: limit.requestsPerInterval, intervalSec: limit.intervalSeconds },
      conformAction: "allow",
      exceedAction: `deny(${limit.exceedStatus})`,
      banDurationSec: ban ? limit.banDurationSeconds : undefined,
    },
  };
}

/** The backend policy's rules: allow list, WAF, rate limit, default. */
export function backendPolicyRules(armor: ResolvedArmor): ComputeSecurityPolicyRule[] {
  return [
    ...sourceRangeRules(armor.allow, "allow", ARMOR_PRIORITY.allow),
    ...wafRules(armor.sensitivity, armor.preview),
    rateLimitRule(armor.rateLimit, armor.preview),
    DEFAULT_ALLOW_RULE,
  ];
}
