import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeManagedSslCertificate } from "@cdktf/provider-google/lib/compute-managed-ssl-certificate";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { describe, expect, it } from "vitest";
import { edgeSchema } from "../environments/edge";
import { BASE_SERVICE } from "../environments/schema";
import { AnnotationMetadataEntryType } from "../lib/cdktf";
import { BASE, network } from "../test/support/fixtures";
import { resourcesAt, resourcesOf, synthStack, type SynthesizedJson } from "../test/support/synth";
import { AppService } from "./app-service";
import { ARMOR_PRIORITY, certificateName, chunk, Edge, sourceRangeRules } from "./edge";

const PROD_DOMAINS = ["valorize.example.com", "www.valorize.example.com"];
/** The static site from a public bucket instead of the api. */
const FROM_BUCKET = { serveFrom: "bucket" } as const;

function synthEdge(settings: object = {}) {
  let edge!: Edge;
  const out = synthStack((stack) => {
    const net = network(stack);
    const service = (role: "api" | "realtime") => new AppService(stack, role, { ...BASE, role, image: "us-docker.pkg.dev/acme/app/app@sha256:0123", sizing: BASE_SERVICE, network: net });
    edge = new Edge(stack, "edge", { ...BASE, api: service("api"), realtime: service("realtime"), settings: edgeSchema.parse(settings), labels: { env: "test" } });
  });
  const messages = (type: AnnotationMetadataEntryType) => edge.node.metadata.filter((entry) => entry.type === type).map((entry) => String(entry.data));
  return { ...out, edge, warnings: messages(AnnotationMetadataEntryType.WARN), infos: messages(AnnotationMetadataEntryType.INFO) };
}

/** The one resource of a type under the edge construct. */
function one(json: SynthesizedJson, type: string, fragment = "edge_"): any {
  const found = resourcesAt(json, type, fragment);
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${fragment}, found ${found.length}`);
  return found[0];
}

const backend = (json: SynthesizedJson, role: "api" | "realtime") => one(json, "google_compute_backend_service", `edge_${role}-backend`);
const ref = (type: string, fragment: string, attribute = "id") => expect.stringMatching(new RegExp(`^\\$\\{${type}\\.edge_${fragment}_[0-9A-F]+\\.${attribute}\\}$`));
const armorRules = (json: SynthesizedJson, fragment = "edge_armor_") => one(json, "google_compute_security_policy", fragment).rule as any[];

describe("Edge without domains (dev)", () => {
  const { raw, json, edge, warnings } = synthEdge();

  it("serves the routing URL map directly on port 80, with no certificate, TLS policy or HTTPS proxy", () => {
    const rules = Object.values(resourcesOf(json, "google_compute_global_forwarding_rule"));
    expect(rules).toEqual([expect.objectContaining({ port_range: "80", load_balancing_scheme: "EXTERNAL_MANAGED", target: ref("google_compute_target_http_proxy", "http-proxy") })]);
    expect(one(json, "google_compute_target_http_proxy").url_map).toEqual(ref("google_compute_url_map", "url-map"));
    for (const type of ["google_compute_target_https_proxy", "google_compute_managed_ssl_certificate", "google_compute_ssl_policy"]) {
      expect(resourcesOf(json, type)).toEqual({});
    }
    // One URL map: no redirect map without HTTPS to redirect to.
    expect(Object.keys(resourcesOf(json, "google_compute_url_map"))).toEqual([expect.stringMatching(/^edge_url-map_/)]);
    expect(raw).not.toHaveResource(ComputeTargetHttpsProxy);
  });

  it("says so with a warning annotation at synth", () => {
    expect(warnings).toEqual([expect.stringMatching(/no domains configured \(edge\.domains\).*plain HTTP on port 80/)]);
  });

  it("exposes an http:// base URL on the static IP and the public host for uptime checks", () => {
    expect(edge.usesHttps).toBe(false);
    expect(edge.baseUrl).toMatch(/^http:\/\/\$\{TfToken\[TOKEN\.\d+\]\}$/);
    expect(edge.baseUrls).toEqual([edge.baseUrl]);
    expect(edge.publicHost).toBe(edge.ipAddress);
    expect(edge.healthCheckPath).toBe("/healthz");
    expect(edge.httpsProxy).toBeUndefined();
    expect(edge.names.servingForwardingRule).toBe("vz-test-edge-http");
  });

  it("routes every host (there is no domain to match) and sends no HSTS header over plain HTTP", () => {
    expect(one(json, "google_compute_url_map").host_rule).toEqual([{ hosts: ["*"], path_matcher: "routes" }]);
    expect(backend(json, "api").custom_response_headers).toEqual(["X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Referrer-Policy: strict-origin-when-cross-origin"]);
  });
});

describe("Edge with domains (prod)", () => {
  const { raw, json, edge, warnings } = synthEdge({ domains: PROD_DOMAINS });

  it("terminates TLS with a Google-managed certificate for the domains, replaced create-before-destroy", () => {
    expect(raw).toHaveResourceWithProperties(ComputeManagedSslCertificate, { type: "MANAGED", managed: { domains: PROD_DOMAINS }, lifecycle: { create_before_destroy: true } });
    expect(one(json, "google_compute_managed_ssl_certificate").name).toBe(certificateName("vz-test", PROD_DOMAINS));
  });

  it("puts an SSL policy MODERN with TLS >= 1.2 and the certificate on the HTTPS proxy, in front of the routing URL map", () => {
    expect(raw).toHaveResourceWithProperties(ComputeSslPolicy, { profile: "MODERN", min_tls_version: "TLS_1_2" });
    expect(one(json, "google_compute_target_https_proxy")).toMatchObject({
      url_map: ref("google_compute_url_map", "url-map"),
      ssl_policy: ref("google_compute_ssl_policy", "tls-policy"),
      ssl_certificates: [ref("google_compute_managed_ssl_certificate", "certificate")],
    });
  });

  it("answers port 80 only with a permanent redirect to HTTPS that keeps path and query", () => {
    const redirect = one(json, "google_compute_url_map", "edge_redirect-url-map");
    expect(redirect.default_url_redirect).toEqual({ https_redirect: true, strip_query: false, redirect_response_code: "MOVED_PERMANENTLY_DEFAULT" });
    // Nothing on port 80 can reach a backend.
    expect(redirect).not.toHaveProperty("default_service");
    expect(redirect).not.toHaveProperty("path_matcher");
    expect(redirect.test).toEqual([expect.objectContaining({ expected_output_url: "https://valorize.example.com/api/transactions", expected_redirect_response_code: 301 })]);
    expect(one(json, "google_compute_target_http_proxy").url_map).toEqual(ref("google_compute_url_map", "redirect-url-map"));
  });

  it("shares one global static IP between the HTTPS (443) and HTTP (80) forwarding rules", () => {
    const address = one(json, "google_compute_global_address", "edge_address");
    expect(address).toMatchObject({ address_type: "EXTERNAL", ip_version: "IPV4", labels: { env: "test" } });
    const rules = Object.values(resourcesOf(json, "google_compute_global_forwarding_rule")) as any[];
    expect(rules.map((rule) => rule.port_range).sort()).toEqual(["443", "80"]);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_address: ref("google_compute_global_address", "address", "address"), load_balancing_scheme: "EXTERNAL_MANAGED", ip_protocol: "TCP", labels: { env: "test" } });
    }
    expect(raw).toHaveResourceWithProperties(ComputeGlobalForwardingRule, { port_range: "443", target: ref("google_compute_target_https_proxy", "https-proxy") });
  });

  it("routes only its own domains and exposes https:// base URLs, without a warning", () => {
    expect(one(json, "google_compute_url_map", "edge_url-map").host_rule).toEqual([{ hosts: PROD_DOMAINS, path_matcher: "routes" }]);
    expect(edge.usesHttps).toBe(true);
    expect(edge.baseUrls).toEqual(["https://valorize.example.com", "https://www.valorize.example.com"]);
    expect(edge.baseUrl).toBe("https://valorize.example.com");
    expect(edge.publicHost).toBe("valorize.example.com");
    expect(edge.names.servingForwardingRule).toBe("vz-test-edge-https");
    expect(warnings).toEqual([]);
  });

  it("adds HSTS at the edge once it serves HTTPS", () => {
    expect(backend(json, "api").custom_response_headers).toContain("Strict-Transport-Security: max-age=31536000");
    const fromBucket = synthEdge({ domains: PROD_DOMAINS, staticAssets: FROM_BUCKET }).json;
    expect(one(fromBucket, "google_compute_backend_bucket").custom_response_headers).toContain("Strict-Transport-Security: max-age=31536000");
  });

  it("names the certificate after the domain set, so a change creates a new one before the old is destroyed", () => {
    expect(certificateName("vz-test", [...PROD_DOMAINS].reverse())).toBe(certificateName("vz-test", PROD_DOMAINS));
    expect(certificateName("vz-test", ["valorize.example.com"])).not.toBe(certificateName("vz-test", PROD_DOMAINS));
    expect(certificateName("vz-test", PROD_DOMAINS)).toMatch(/^vz-test-cert-[0-9a-f]{8}$/);
  });
});

describe("Edge routing", () => {
  const { json, edge } = synthEdge();

  it("reaches api and realtime through serverless NEGs on their Cloud Run services", () => {
    for (const role of ["api", "realtime"] as const) {
      expect(one(json, "google_compute_region_network_endpoint_group", `edge_${role}-neg`)).toMatchObject({
        network_endpoint_type: "SERVERLESS",
        region: "us-central1",
        cloud_run: { service: expect.stringMatching(new RegExp(`^\\$\\{google_cloud_run_v2_service\\.${role}_service_[0-9A-F]+\\.name\\}$`)) },
      });
      expect(backend(json, role)).toMatchObject({
        load_balancing_scheme: "EXTERNAL_MANAGED",
        backend: [{ group: ref("google_compute_region_network_endpoint_group", `${role}-neg`) }],
      });
      // Serverless NEGs reject health checks.
      expect(backend(json, role)).not.toHaveProperty("health_checks");
    }
  });

  it("sends /api/* and /healthz to the api, /ws to realtime and everything else (the static site) to the api by default: no public bucket", () => {
    const map = one(json, "google_compute_url_map");
    const api = ref("google_compute_backend_service", "api-backend");
    expect(map.default_service).toEqual(api);
    expect(map.path_matcher).toEqual([
      {
        name: "routes",
        default_service: api,
        path_rule: [
          { paths: ["/api", "/api/*", "/healthz"], service: api },
          { paths: ["/ws", "/ws/*"], service: ref("google_compute_backend_service", "realtime-backend") },
        ],
      },
    ]);
    expect(resourcesOf(json, "google_storage_bucket")).toEqual({});
    expect(resourcesOf(json, "google_storage_bucket_iam_member")).toEqual({});
    expect(resourcesOf(json, "google_compute_backend_bucket")).toEqual({});
    expect(edge.staticBucket).toBeUndefined();
  });

  it("sends the static site to the bucket's backend with serveFrom = bucket", () => {
    const map = one(synthEdge({ staticAssets: FROM_BUCKET }).json, "google_compute_url_map");
    const bucket = ref("google_compute_backend_bucket", "static-backend");
    expect(map.default_service).toEqual(bucket);
    expect(map.path_matcher[0].default_service).toEqual(bucket);
    expect(map.test.find((t: any) => t.path === "/index.html").service).toEqual(bucket);
  });

  it("ships routing tests that the Compute API checks on every apply", () => {
    const tests = one(json, "google_compute_url_map").test as any[];
    expect(tests.map((t) => [t.path, t.service])).toEqual([
      ["/api/transactions", ref("google_compute_backend_service", "api-backend")],
      ["/healthz", ref("google_compute_backend_service", "api-backend")],
      ["/ws", ref("google_compute_backend_service", "realtime-backend")],
      ["/index.html", ref("google_compute_backend_service", "api-backend")],
    ]);
  });

  it("logs requests on every backend at the configured sample rate", () => {
    for (const role of ["api", "realtime"] as const) expect(backend(json, role).log_config).toEqual({ enable: true, sample_rate: 1 });
    const sampled = synthEdge({ logSampleRate: 0.25 }).json;
    for (const role of ["api", "realtime"] as const) expect(backend(sampled, role).log_config).toEqual({ enable: true, sample_rate: 0.25 });
  });

  it("exposes the names dashboards and LB metric filters need", () => {
    expect(edge.names).toEqual({
      urlMap: "vz-test-edge",
      backendServices: { api: "vz-test-api-backend", realtime: "vz-test-realtime-backend" },
      securityPolicy: "vz-test-armor",
      servingForwardingRule: "vz-test-edge-http",
    });
    expect(backend(json, "api").name).toBe(edge.names.backendServices.api);
    expect(one(json, "google_compute_url_map").name).toBe(edge.names.urlMap);
  });
});

describe("Edge caching", () => {
  const { json } = synthEdge();
  const api = backend(json, "api");

  it("caches the api only where the origin says so (USE_ORIGIN_HEADERS), never setting TTLs that would override it", () => {
    expect(api.enable_cdn).toBe(true);
    expect(api.cdn_policy.cache_mode).toBe("USE_ORIGIN_HEADERS");
    for (const ttl of ["default_ttl", "max_ttl", "client_ttl"]) expect(api.cdn_policy).not.toHaveProperty(ttl);
  });

  it("never serves a cached response to a request with credentials: Authorization and Cookie bypass the cache", () => {
    expect(api.cdn_policy.bypass_cache_on_request_headers).toEqual([{ header_name: "Authorization" }, { header_name: "Cookie" }]);
  });

  it("keys the cache on host, path and the list endpoint's query parameters only (no protocol, no other parameters)", () => {
    expect(api.cdn_policy.cache_key_policy).toEqual({
      include_host: true,
      include_protocol: false,
      include_query_string: true,
      query_string_whitelist: ["account_id", "from", "to", "category_id", "page", "per_page"],
    });
  });

  it("caches errors briefly, serves stale content while revalidating and coalesces cache fills", () => {
    expect(api.cdn_policy).toMatchObject({
      negative_caching: true,
      negative_caching_policy: [
        { code: 404, ttl: 30 },
        { code: 405, ttl: 60 },
        { code: 410, ttl: 300 },
        { code: 501, ttl: 60 },
      ],
      serve_while_stale: 60,
      request_coalescing: true,
    });
  });

  it("never caches WebSockets: realtime has no CDN", () => {
    const realtime = backend(json, "realtime");
    expect(realtime.enable_cdn).toBe(false);
    expect(realtime).not.toHaveProperty("cdn_policy");
  });

  it("caches static assets from a bucket by content type within the configured TTLs, compressed", () => {
    expect(one(synthEdge({ staticAssets: FROM_BUCKET }).json, "google_compute_backend_bucket")).toMatchObject({
      enable_cdn: true,
      compression_mode: "AUTOMATIC",
      bucket_name: ref("google_storage_bucket", "static-bucket", "name"),
      cdn_policy: { cache_mode: "CACHE_ALL_STATIC", default_ttl: 3600, max_ttl: 86400, client_ttl: 3600, serve_while_stale: 86400, negative_caching: true, negative_caching_policy: [{ code: 404, ttl: 60 }] },
    });
  });

  it("follows the cache settings", () => {
    const custom = synthEdge({
      api: { cacheKeyQueryParams: ["page"], bypassCacheOnRequestHeaders: ["Authorization"], negativeCachingTtlSeconds: {}, serveWhileStaleSeconds: 0 },
      staticAssets: { ...FROM_BUCKET, defaultTtlSeconds: 60, maxTtlSeconds: 600, clientTtlSeconds: 30, serveWhileStaleSeconds: 120, negativeCachingTtlSeconds: { "404": 5, "410": 600 } },
    }).json;
    const policy = backend(custom, "api").cdn_policy;
    expect(policy.cache_key_policy.query_string_whitelist).toEqual(["page"]);
    expect(policy.bypass_cache_on_request_headers).toEqual([{ header_name: "Authorization" }]);
    // An empty policy turns negative caching off instead of falling back to Cloud CDN's defaults.
    expect(policy.negative_caching).toBe(false);
    expect(policy).not.toHaveProperty("negative_caching_policy");
    expect(policy.serve_while_stale).toBe(0);
    expect(one(custom, "google_compute_backend_bucket").cdn_policy).toMatchObject({
      default_ttl: 60,
      max_ttl: 600,
      client_ttl: 30,
      serve_while_stale: 120,
      negative_caching_policy: [
        { code: 404, ttl: 5 },
        { code: 410, ttl: 600 },
      ],
    });
  });

  it("can leave security headers to the origin", () => {
    const plain = synthEdge({ securityHeaders: false, staticAssets: FROM_BUCKET }).json;
    expect(backend(plain, "api")).not.toHaveProperty("custom_response_headers");
    expect(one(plain, "google_compute_backend_bucket")).not.toHaveProperty("custom_response_headers");
  });
});

describe("Edge static assets bucket (serveFrom = bucket)", () => {
  const { raw, json } = synthEdge({ staticAssets: FROM_BUCKET });
  const bucket = one(json, "google_storage_bucket");

  it("uses uniform bucket-level access and versioning, expires replaced versions and carries labels", () => {
    expect(bucket).toMatchObject({
      name: "acme-test-1-vz-test-static",
      location: "US-CENTRAL1",
      storage_class: "STANDARD",
      uniform_bucket_level_access: true,
      versioning: { enabled: true },
      lifecycle_rule: [{ condition: { days_since_noncurrent_time: 30 }, action: { type: "Delete" } }],
      force_destroy: false,
      labels: { env: "test" },
    });
  });

  it("is readable by anyone by object name (the load balancer reads anonymously) but not listable", () => {
    expect(bucket.public_access_prevention).toBe("inherited");
    const grants = Object.values(resourcesOf(json, "google_storage_bucket_iam_member"));
    expect(grants).toEqual([{ bucket: ref("google_storage_bucket", "static-bucket", "name"), role: "roles/storage.legacyObjectReader", member: "allUsers" }]);
  });

  it("warns at synth that organisations created since May 2024 refuse the allUsers grant, naming both policies to except", () => {
    const { warnings } = synthEdge({ domains: PROD_DOMAINS, staticAssets: FROM_BUCKET });
    expect(warnings).toEqual([
      expect.stringMatching(/^Edge: edge\.staticAssets\.serveFrom = "bucket" grants allUsers read on the static bucket\./),
    ]);
    expect(warnings[0]).toContain("constraints/storage.publicAccessPrevention");
    expect(warnings[0]).toContain("constraints/iam.allowedPolicyMemberDomains");
    expect(warnings[0]).toContain('serveFrom = "api"');
    // The default needs no exception, so it says nothing.
    expect(synthEdge({ domains: PROD_DOMAINS }).warnings).toEqual([]);
  });

  it("follows its settings", () => {
    const custom = synthEdge({ staticAssets: { ...FROM_BUCKET, bucketName: "valorize-assets-dev", location: "US", forceDestroy: true, noncurrentVersionRetentionDays: 7 } });
    expect(custom.raw).toHaveResourceWithProperties(StorageBucket, { name: "valorize-assets-dev", location: "US", force_destroy: true });
    expect(one(custom.json, "google_storage_bucket").lifecycle_rule[0].condition.days_since_noncurrent_time).toBe(7);
    expect(raw).toHaveResourceWithProperties(StorageBucket, { website: { main_page_suffix: "index.html" } });
  });
});

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
