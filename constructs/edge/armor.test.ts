import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../test/support/synth";
import { ARMOR_PRIORITY, chunk, sourceRangeRules } from "./armor";
import { armorRules, backend, FROM_BUCKET, one, ref, synthEdge } from "../../test/support/edge";

describe("Edge Cloud Armor", () => {
  const { raw, json, edge, infos } = synthEdge();
  const rules = armorRules(json);
  const byPriority = (priority: number) => rules.find((rule) => rule.priority === priority);

  it("attaches one backend security policy to every backend service", () => {
    const policy = ref("google_compute_security_policy", "armor");
    for (const role of ["api", "realtime"] as const) expect(backend(json, role).security_policy).toEqual(policy);
    expect(raw).toHaveResourceWithProperties(ComputeBackendService, { name: "vz-test-api-backend", security_policy: policy });
    expect(one(json, "google_compute_security_policy")).toMatchObject({ name: edge.names.securityPolicy, type: "CLOUD_ARMOR" });
  });

  it("evaluates the eight OWASP CRS 3.3 rule sets at the configured sensitivity, enforcing by default", () => {
    const waf = rules.filter((rule) => rule.match.expr);
    expect(waf.map((rule) => rule.match.expr.expression)).toEqual(
      ["sqli", "xss", "lfi", "rfi", "rce", "scannerdetection", "protocolattack", "sessionfixation"].map((set) => `evaluatePreconfiguredWaf('${set}-v33-stable', {'sensitivity': 1})`),
    );
    for (const rule of waf) expect(rule).toMatchObject({ action: "deny(403)", preview: false });
    const strict = armorRules(synthEdge({ armor: { sensitivity: 3 } }).json).filter((rule) => rule.match.expr);
    expect(strict.every((rule) => rule.match.expr.expression.endsWith("{'sensitivity': 3})"))).toBe(true);
  });

  it("throttles each client IP after the WAF has run (a conforming request is allowed outright)", () => {
    expect(byPriority(ARMOR_PRIORITY.rateLimit)).toMatchObject({
      action: "throttle",
      preview: false,
      match: { versioned_expr: "SRC_IPS_V1", config: { src_ip_ranges: ["*"] } },
      rate_limit_options: { enforce_on_key: "IP", conform_action: "allow", exceed_action: "deny(429)", rate_limit_threshold: { count: 600, interval_sec: 60 } },
    });
    expect(byPriority(ARMOR_PRIORITY.rateLimit).rate_limit_options).not.toHaveProperty("ban_duration_sec");
    const wafPriorities = rules.filter((rule) => rule.match.expr).map((rule) => rule.priority);
    expect(Math.max(...wafPriorities)).toBeLessThan(ARMOR_PRIORITY.rateLimit);
  });

  it("can ban instead of throttle, sized from config, as a separate rule (a ban cannot be patched back into a throttle)", () => {
    const rules = armorRules(synthEdge({ armor: { rateLimit: { action: "ban", requestsPerInterval: 300, intervalSeconds: 120, banDurationSeconds: 1800, exceedStatus: 403 } } }).json);
    expect(rules.find((rule) => rule.priority === ARMOR_PRIORITY.rateLimit)).toBeUndefined();
    const ban = rules.find((rule) => rule.priority === ARMOR_PRIORITY.rateBasedBan);
    expect(ARMOR_PRIORITY.rateBasedBan).toBeLessThan(ARMOR_PRIORITY.default);
    expect(ban).toMatchObject({
      action: "rate_based_ban",
      rate_limit_options: { enforce_on_key: "IP", exceed_action: "deny(403)", rate_limit_threshold: { count: 300, interval_sec: 120 }, ban_duration_sec: 1800 },
    });
  });

  it("ends with the mandatory default rule: allow at priority 2147483647", () => {
    expect(rules.at(-1)).toEqual({ priority: 2147483647, action: "allow", description: expect.any(String), match: { versioned_expr: "SRC_IPS_V1", config: { src_ip_ranges: ["*"] } } });
    expect(rules.map((rule) => rule.priority)).toEqual([...rules.map((rule) => rule.priority)].sort((a, b) => a - b));
  });

  it("turns on adaptive protection and JSON body parsing", () => {
    expect(one(json, "google_compute_security_policy")).toMatchObject({
      adaptive_protection_config: { layer_7_ddos_defense_config: { enable: true } },
      advanced_options_config: { json_parsing: "STANDARD", log_level: "NORMAL" },
    });
    const off = one(synthEdge({ armor: { adaptiveProtection: false, logLevel: "VERBOSE" } }).json, "google_compute_security_policy");
    expect(off.adaptive_protection_config.layer_7_ddos_defense_config.enable).toBe(false);
    expect(off.advanced_options_config.log_level).toBe("VERBOSE");
  });

  it("in preview mode logs WAF and rate limit decisions without enforcing them, keeps the allow list enforced, and says so", () => {
    expect(infos).toEqual([]);
    const preview = synthEdge({ armor: { preview: true, allow: [{ cidrs: ["198.51.100.0/24"], description: "load generators" }] } });
    const previewRules = armorRules(preview.json);
    const heuristic = previewRules.filter((rule) => rule.match.expr || rule.rate_limit_options);
    expect(heuristic).toHaveLength(9);
    for (const rule of heuristic) expect(rule.preview).toBe(true);
    expect(previewRules.find((rule) => rule.priority === ARMOR_PRIORITY.allow)).not.toHaveProperty("preview");
    expect(preview.infos).toEqual([expect.stringMatching(/preview/)]);
  });

  it("lets allow-listed sources skip the WAF and the rate limit: their rules run first", () => {
    const ranges = Array.from({ length: 25 }, (_, i) => `198.51.100.${i}/32`);
    const allow = armorRules(synthEdge({ armor: { allow: [{ cidrs: ranges, description: "k6 load generators" }, { cidrs: ["2001:db8::/32"], description: "office" }] } }).json).filter(
      (rule) => rule.action === "allow" && rule.priority < ARMOR_PRIORITY.default,
    );
    expect(allow.map((rule) => [rule.priority, rule.description, rule.match.config.src_ip_ranges.length])).toEqual([
      [2000, "allow: k6 load generators (1/3)", 10],
      [2001, "allow: k6 load generators (2/3)", 10],
      [2002, "allow: k6 load generators (3/3)", 5],
      [2003, "allow: office", 1],
    ]);
    expect(allow.flatMap((rule) => rule.match.config.src_ip_ranges).slice(0, 25)).toEqual(ranges);
    expect(Math.max(...allow.map((rule) => rule.priority))).toBeLessThan(ARMOR_PRIORITY.waf);
  });

  it("has no edge policy until a deny list is configured", () => {
    expect(edge.edgeSecurityPolicy).toBeUndefined();
    expect(Object.keys(resourcesOf(json, "google_compute_security_policy"))).toHaveLength(1);
    expect(one(synthEdge({ staticAssets: FROM_BUCKET }).json, "google_compute_backend_bucket")).not.toHaveProperty("edge_security_policy");
  });

  it("denies listed sources in an edge policy on every backend, the bucket included, before the CDN cache", () => {
    const { json: denied, edge: deniedEdge } = synthEdge({ staticAssets: FROM_BUCKET, armor: { deny: [{ cidrs: ["203.0.113.0/24", "2001:db8:bad::/48"], description: "scrapers" }] } });
    const edgePolicy = one(denied, "google_compute_security_policy", "edge_armor-edge");
    expect(edgePolicy).toMatchObject({ type: "CLOUD_ARMOR_EDGE", name: "vz-test-armor-edge" });
    expect(edgePolicy.rule).toEqual([
      { priority: 1000, action: "deny(403)", description: "deny: scrapers", match: { versioned_expr: "SRC_IPS_V1", config: { src_ip_ranges: ["203.0.113.0/24", "2001:db8:bad::/48"] } } },
      expect.objectContaining({ priority: 2147483647, action: "allow" }),
    ]);
    const attached = ref("google_compute_security_policy", "armor-edge");
    for (const role of ["api", "realtime"] as const) expect(backend(denied, role).edge_security_policy).toEqual(attached);
    expect(one(denied, "google_compute_backend_bucket").edge_security_policy).toEqual(attached);
    expect(deniedEdge.edgeSecurityPolicy).toBeDefined();
    // The deny list lives only at the edge; the backend policy never sees those clients.
    expect(armorRules(denied).some((rule) => String(rule.action).startsWith("deny") && rule.match.config)).toBe(false);
  });
});

describe("Edge rule helpers", () => {
  it("chunks a list into runs of at most n, in order", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 10)).toEqual([]);
  });

  it("gives source range rules deterministic, consecutive priorities in config order", () => {
    const config = [
      { cidrs: Array.from({ length: 11 }, (_, i) => `10.0.${i}.0/24`), description: "first" },
      { cidrs: ["192.0.2.0/24"], description: "second" },
    ];
    const once = sourceRangeRules(config, "deny(403)", 1000);
    expect(once.map((rule) => rule.priority)).toEqual([1000, 1001, 1002]);
    expect(once.every((rule) => (rule.match.config?.srcIpRanges.length ?? 0) <= 10)).toBe(true);
    expect(sourceRangeRules(config, "deny(403)", 1000)).toEqual(once);
  });
});
