import { createHash } from "node:crypto";
import { ComputeBackendBucket, type ComputeBackendBucketCdnPolicy } from "@cdktf/provider-google/lib/compute-backend-bucket";
import { ComputeBackendService, type ComputeBackendServiceCdnPolicy } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeManagedSslCertificate } from "@cdktf/provider-google/lib/compute-managed-ssl-certificate";
import { ComputeRegionNetworkEndpointGroup } from "@cdktf/provider-google/lib/compute-region-network-endpoint-group";
import { ComputeSecurityPolicy, type ComputeSecurityPolicyRule } from "@cdktf/provider-google/lib/compute-security-policy";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { ComputeUrlMap, type ComputeUrlMapTest } from "@cdktf/provider-google/lib/compute-url-map";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { WAF_RULE_SETS, type EdgeSettings, type IpRule } from "../environments/edge";
import { Annotations, Construct } from "../lib/cdktf";
import { resourceName } from "../lib/google";
import type { AppService } from "./app-service";

/** The Cloud Run services the edge routes to. */
export type EdgeBackendRole = "api" | "realtime";

/**
 * Path routing. `/healthz` goes to the api because the uptime check probes the public edge;
 * everything not listed is a static asset.
 */
export const EDGE_ROUTES: Readonly<Record<EdgeBackendRole, readonly string[]>> = {
  api: ["/api", "/api/*", "/healthz"],
  realtime: ["/ws", "/ws/*"],
};

/** The public health endpoint (answered by the api) that uptime checks probe through the edge. */
export const HEALTH_CHECK_PATH = "/healthz";

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

export interface EdgeProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** Serves `/api/*` and `/healthz` (Cloud CDN on, origin-controlled caching). */
  readonly api: AppService;
  /** Serves the WebSocket endpoint `/ws` (no CDN). */
  readonly realtime: AppService;
  /** Domains, CDN, static assets and Cloud Armor; secure defaults in environments/edge.ts. */
  readonly settings: EdgeSettings;
  /** Set on the labelable resources (address, forwarding rules, bucket). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Names known at synth, for metric filters and dashboards (`https_lb_rule` resource labels). */
export interface EdgeNames {
  readonly urlMap: string;
  readonly backendServices: Readonly<Record<EdgeBackendRole, string>>;
  /** Only when the static site is served from a bucket. */
  readonly backendBucket?: string;
  readonly securityPolicy: string;
  /** The forwarding rule that serves the application: HTTPS (443) with domains, else HTTP (80). */
  readonly servingForwardingRule: string;
}

/**
 * The platform's front door: one global external Application Load Balancer (`EXTERNAL_MANAGED`)
 * on a static IP, routing `/api/*` and `/healthz` to the api, `/ws` to realtime (serverless NEGs)
 * and everything else (the static site) to the api or to a Cloud Storage bucket
 * (`staticAssets.serveFrom`), cached by Cloud CDN either way.
 *
 * Secure by default:
 * - TLS: with domains, a Google-managed certificate, an SSL policy `MODERN` with TLS >= 1.2 on the
 *   HTTPS proxy, and port 80 answering only with a 301 to HTTPS. Without domains (dev) the edge is
 *   plain HTTP and says so with a synth warning.
 * - Cloud Armor on both backend services: OWASP CRS 3.3 rule sets at a configurable sensitivity,
 *   per-IP throttling or bans, adaptive protection, JSON body parsing, preview mode for roll-out,
 *   and allow/deny lists from config. Deny lists go into an edge policy attached to every backend
 *   (bucket included: backend buckets only take edge policies), which runs before the CDN cache.
 * - Caching: the api is cached only when the origin says `Cache-Control: public`
 *   (`USE_ORIGIN_HEADERS`); per-user responses must send `private` or `no-store`, and requests
 *   with credentials (`Authorization`, `Cookie`) bypass the cache altogether. The cache key keeps
 *   only the query parameters the cacheable endpoints read.
 * - Static site: by default from the api (no public bucket anywhere). With `serveFrom: "bucket"`, a
 *   bucket with uniform access and versioning that is *publicly readable* on purpose: a backend
 *   bucket fetches objects anonymously (without signed URLs there is no identity to grant), so
 *   public access prevention stays `inherited` and `allUsers` gets `storage.legacyObjectReader`
 *   (read an object by name; no listing). Put only public build artifacts in it. Organisations
 *   created on or after 3 May 2024 enforce `storage.publicAccessPrevention` and
 *   `iam.allowedPolicyMemberDomains` by default, which refuse that grant at apply
 *   (https://cloud.google.com/resource-manager/docs/secure-by-default-organizations): synth warns
 *   with the exceptions the project needs.
 * - Request logging on every backend, security headers at the edge.
 */
export class Edge extends Construct {
  readonly address: ComputeGlobalAddress;
  /** The edge's IPv4 address; point the domains' A records at it. */
  readonly ipAddress: string;
  readonly domains: readonly string[];
  readonly usesHttps: boolean;
  /** The first domain, or the IP address without domains. */
  readonly publicHost: string;
  /** `https://<first domain>` or `http://<ip>`. */
  readonly baseUrl: string;
  /** One base URL per domain (or the IP URL). */
  readonly baseUrls: readonly string[];
  readonly healthCheckPath = HEALTH_CHECK_PATH;
  readonly backendServices: Readonly<Record<EdgeBackendRole, ComputeBackendService>>;
  /** The static site's bucket and backend, when it is served from a bucket. */
  readonly staticBucket?: StorageBucket;
  readonly staticBackend?: ComputeBackendBucket;
  /** Backend policy (WAF, rate limit, allow list, adaptive protection) on api and realtime. */
  readonly securityPolicy: ComputeSecurityPolicy;
  /** Edge policy with the deny list, on every backend; only when deny rules are configured. */
  readonly edgeSecurityPolicy?: ComputeSecurityPolicy;
  readonly urlMap: ComputeUrlMap;
  /** Port 80's URL map when HTTPS is on: redirect only. */
  readonly redirectUrlMap?: ComputeUrlMap;
  readonly certificate?: ComputeManagedSslCertificate;
  readonly sslPolicy?: ComputeSslPolicy;
  readonly httpsProxy?: ComputeTargetHttpsProxy;
  readonly httpProxy: ComputeTargetHttpProxy;
  readonly forwardingRules: readonly ComputeGlobalForwardingRule[];
  readonly names: EdgeNames;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { project, namePrefix, settings } = props;
    const name = (component: string) => resourceName(namePrefix, component, 63);
    const labels = props.labels ? { ...props.labels } : undefined;
    this.domains = [...settings.domains];
    this.usesHttps = this.domains.length > 0;

    this.address = new ComputeGlobalAddress(this, "address", {
      project,
      name: name("edge-ip"),
      description: "Static IP shared by the HTTP and HTTPS forwarding rules.",
      addressType: "EXTERNAL",
      ipVersion: "IPV4",
      labels,
    });
    this.ipAddress = this.address.address;

    this.securityPolicy = new ComputeSecurityPolicy(this, "armor", {
      project,
      name: name("armor"),
      description: "WAF (OWASP CRS 3.3), per-IP rate limit, allow list and adaptive protection for api and realtime.",
      type: "CLOUD_ARMOR",
      rule: backendPolicyRules(settings.armor),
      adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: settings.armor.adaptiveProtection, ruleVisibility: "STANDARD" } },
      advancedOptionsConfig: { jsonParsing: "STANDARD", logLevel: settings.armor.logLevel },
    });
    if (settings.armor.deny.length > 0) {
      this.edgeSecurityPolicy = new ComputeSecurityPolicy(this, "armor-edge", {
        project,
        name: name("armor-edge"),
        description: "Deny list, evaluated at the edge before the CDN cache, on every backend.",
        type: "CLOUD_ARMOR_EDGE",
        rule: [...sourceRangeRules(settings.armor.deny, "deny(403)", ARMOR_PRIORITY.deny), DEFAULT_ALLOW_RULE],
      });
    }

    const headers = settings.securityHeaders ? securityHeaders(this.usesHttps) : undefined;
    const logConfig = { enable: true, sampleRate: settings.logSampleRate };
    const backendService = (role: EdgeBackendRole, service: AppService, cdnPolicy?: ComputeBackendServiceCdnPolicy) => {
      const neg = new ComputeRegionNetworkEndpointGroup(this, `${role}-neg`, {
        project,
        region: props.region,
        name: name(`${role}-neg`),
        description: `Serverless NEG for the ${role} Cloud Run service.`,
        networkEndpointType: "SERVERLESS",
        cloudRun: { service: service.service.name },
      });
      return new ComputeBackendService(this, `${role}-backend`, {
        project,
        name: name(`${role}-backend`),
        description: `${role} Cloud Run service behind Cloud Armor.`,
        loadBalancingScheme: "EXTERNAL_MANAGED",
        // Serverless NEGs take no health checks, port name or timeout (Cloud Run's timeout rules).
        protocol: "HTTPS",
        backend: [{ group: neg.id }],
        securityPolicy: this.securityPolicy.id,
        edgeSecurityPolicy: this.edgeSecurityPolicy?.id,
        enableCdn: cdnPolicy !== undefined,
        cdnPolicy,
        customResponseHeaders: role === "api" ? headers : undefined,
        logConfig,
      });
    };
    this.backendServices = {
      api: backendService("api", props.api, apiCdnPolicy(settings.api)),
      // WebSockets are long-lived upgrades: nothing to cache.
      realtime: backendService("realtime", props.realtime),
    };

    if (settings.staticAssets.serveFrom === "bucket") {
      this.staticBucket = this.publicStaticBucket(props);
      this.staticBackend = this.staticBucketBackend(props, this.staticBucket, headers);
    }
    const staticSite = this.staticBackend?.id ?? this.backendServices.api.id;

    const testHost = this.domains[0] ?? "example.com";
    this.urlMap = new ComputeUrlMap(this, "url-map", {
      project,
      name: name("edge"),
      description: `/api/* and /healthz to api, /ws to realtime, everything else to the static site (${settings.staticAssets.serveFrom}).`,
      defaultService: staticSite,
      hostRule: [{ hosts: this.usesHttps ? [...this.domains] : ["*"], pathMatcher: "routes" }],
      pathMatcher: [
        {
          name: "routes",
          defaultService: staticSite,
          pathRule: (["api", "realtime"] as const).map((role) => ({ paths: [...EDGE_ROUTES[role]], service: this.backendServices[role].id })),
        },
      ],
      // Checked by the Compute API on every apply: a routing mistake fails the deploy.
      test: routingTests(testHost, {
        "/api/transactions": this.backendServices.api.id,
        [HEALTH_CHECK_PATH]: this.backendServices.api.id,
        "/ws": this.backendServices.realtime.id,
        "/index.html": staticSite,
      }),
    });

    const httpRule = (target: string) =>
      new ComputeGlobalForwardingRule(this, "http-rule", {
        project,
        name: name("edge-http"),
        description: this.usesHttps ? "Port 80: redirects to HTTPS." : "Port 80: serves the application (no domains, no TLS).",
        target,
        ipAddress: this.address.address,
        ipProtocol: "TCP",
        portRange: "80",
        loadBalancingScheme: "EXTERNAL_MANAGED",
        labels,
      });

    if (this.usesHttps) {
      this.certificate = new ComputeManagedSslCertificate(this, "certificate", {
        project,
        // A new name per domain set: with create_before_destroy the replacement must not clash.
        name: certificateName(namePrefix, this.domains),
        description: `Google-managed certificate for ${this.domains.join(", ")}`.slice(0, 2048),
        type: "MANAGED",
        managed: { domains: [...this.domains] },
        lifecycle: { createBeforeDestroy: true },
      });
      this.sslPolicy = new ComputeSslPolicy(this, "tls-policy", {
        project,
        name: name("tls"),
        description: "TLS 1.2+ with modern cipher suites only.",
        profile: "MODERN",
        minTlsVersion: "TLS_1_2",
      });
      this.httpsProxy = new ComputeTargetHttpsProxy(this, "https-proxy", {
        project,
        name: name("edge-https"),
        urlMap: this.urlMap.id,
        sslCertificates: [this.certificate.id],
        sslPolicy: this.sslPolicy.id,
      });
      this.redirectUrlMap = new ComputeUrlMap(this, "redirect-url-map", {
        project,
        name: name("edge-redirect"),
        description: "Port 80: permanent redirect to HTTPS, path and query kept.",
        defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" },
        test: [
          {
            description: "HTTP redirects to the same URL over HTTPS",
            host: testHost,
            path: "/api/transactions",
            expectedOutputUrl: `https://${testHost}/api/transactions`,
            expectedRedirectResponseCode: 301,
          },
        ],
      });
      this.httpProxy = new ComputeTargetHttpProxy(this, "http-proxy", { project, name: name("edge-http"), urlMap: this.redirectUrlMap.id });
      const httpsRule = new ComputeGlobalForwardingRule(this, "https-rule", {
        project,
        name: name("edge-https"),
        description: "Port 443: serves the application.",
        target: this.httpsProxy.id,
        ipAddress: this.address.address,
        ipProtocol: "TCP",
        portRange: "443",
        loadBalancingScheme: "EXTERNAL_MANAGED",
        labels,
      });
      this.forwardingRules = [httpsRule, httpRule(this.httpProxy.id)];
    } else {
      this.httpProxy = new ComputeTargetHttpProxy(this, "http-proxy", { project, name: name("edge-http"), urlMap: this.urlMap.id });
      this.forwardingRules = [httpRule(this.httpProxy.id)];
      Annotations.of(this).addWarning(
        "Edge: no domains configured (edge.domains), so the load balancer serves plain HTTP on port 80 with no TLS. " +
          "Set edge.domains to get a Google-managed certificate, TLS 1.2+ and an HTTP-to-HTTPS redirect.",
      );
    }
    if (settings.armor.preview) {
      Annotations.of(this).addInfo("Edge: Cloud Armor WAF and rate limit rules are in preview (logged, not enforced); set edge.armor.preview = false to enforce.");
    }

    this.publicHost = this.domains[0] ?? this.ipAddress;
    this.baseUrls = this.usesHttps ? this.domains.map((domain) => `https://${domain}`) : [`http://${this.ipAddress}`];
    this.baseUrl = this.baseUrls[0]!;
    this.names = {
      urlMap: name("edge"),
      backendServices: { api: name("api-backend"), realtime: name("realtime-backend") },
      backendBucket: this.staticBackend ? name("static-backend") : undefined,
      securityPolicy: name("armor"),
      servingForwardingRule: this.usesHttps ? name("edge-https") : name("edge-http"),
    };
  }

  /** The static site's bucket, readable by `allUsers` (see the class comment for why and what it costs). */
  private publicStaticBucket(props: EdgeProps): StorageBucket {
    const { project, namePrefix } = props;
    const assets = props.settings.staticAssets;
    const bucket = new StorageBucket(this, "static-bucket", {
      project,
      name: assets.bucketName ?? `${project}-${namePrefix}-static`,
      location: (assets.location ?? props.region).toUpperCase(),
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      // Served to anonymous clients through the load balancer, see the class comment.
      publicAccessPrevention: "inherited",
      versioning: { enabled: true },
      lifecycleRule: [{ condition: { daysSinceNoncurrentTime: assets.noncurrentVersionRetentionDays }, action: { type: "Delete" } }],
      website: { mainPageSuffix: "index.html" },
      forceDestroy: assets.forceDestroy,
      labels: props.labels ? { ...props.labels } : undefined,
    });
    new StorageBucketIamMember(this, "static-public-read", { bucket: bucket.name, role: "roles/storage.legacyObjectReader", member: "allUsers" });
    Annotations.of(this).addWarning(
      'Edge: edge.staticAssets.serveFrom = "bucket" grants allUsers read on the static bucket. Organisations created on or after 3 May 2024 ' +
        "enforce the organisation policies constraints/storage.publicAccessPrevention and constraints/iam.allowedPolicyMemberDomains by default, " +
        "and the apply then fails: have an organisation policy administrator except this project from both " +
        "(https://cloud.google.com/resource-manager/docs/secure-by-default-organizations), or serve the static site from the api (serveFrom = \"api\").",
    );
    return bucket;
  }

  private staticBucketBackend(props: EdgeProps, bucket: StorageBucket, headers: string[] | undefined): ComputeBackendBucket {
    return new ComputeBackendBucket(this, "static-backend", {
      project: props.project,
      name: resourceName(props.namePrefix, "static-backend", 63),
      description: "Static assets from Cloud Storage, cached by Cloud CDN.",
      bucketName: bucket.name,
      enableCdn: true,
      cdnPolicy: staticCdnPolicy(props.settings.staticAssets),
      compressionMode: "AUTOMATIC",
      customResponseHeaders: headers,
      // Backend buckets cannot take a backend security policy (no WAF there); only edge policies.
      edgeSecurityPolicy: this.edgeSecurityPolicy?.id,
    });
  }
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
export function rateLimitRule(limit: EdgeSettings["armor"]["rateLimit"], preview: boolean): ComputeSecurityPolicyRule {
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
export function backendPolicyRules(armor: EdgeSettings["armor"]): ComputeSecurityPolicyRule[] {
  return [
    ...sourceRangeRules(armor.allow, "allow", ARMOR_PRIORITY.allow),
    ...wafRules(armor.sensitivity, armor.preview),
    rateLimitRule(armor.rateLimit, armor.preview),
    DEFAULT_ALLOW_RULE,
  ];
}

function negativeCaching(ttls: Readonly<Partial<Record<string, number>>>) {
  const policy = Object.entries(ttls)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, ttl]) => ({ code: Number(code), ttl }));
  // An empty policy with negative caching on would apply Cloud CDN's default TTLs instead.
  return { negativeCaching: policy.length > 0, negativeCachingPolicy: policy.length > 0 ? policy : undefined };
}

/**
 * Cache only what the origin marks public, never for credentialed requests. TTL fields stay
 * unset: the API rejects them with USE_ORIGIN_HEADERS. Protocol is left out of the key (HTTP only
 * redirects when TLS is on); the host stays in, as responses may carry absolute links.
 */
export function apiCdnPolicy(api: EdgeSettings["api"]): ComputeBackendServiceCdnPolicy {
  return {
    cacheMode: "USE_ORIGIN_HEADERS",
    ...negativeCaching(api.negativeCachingTtlSeconds),
    serveWhileStale: api.serveWhileStaleSeconds,
    requestCoalescing: true,
    bypassCacheOnRequestHeaders: api.bypassCacheOnRequestHeaders.map((headerName) => ({ headerName })),
    cacheKeyPolicy: {
      includeHost: true,
      includeProtocol: false,
      includeQueryString: true,
      queryStringWhitelist: [...api.cacheKeyQueryParams],
    },
  };
}

/** Static files: cached by content type even without headers, within the configured TTLs. */
export function staticCdnPolicy(assets: EdgeSettings["staticAssets"]): ComputeBackendBucketCdnPolicy {
  return {
    cacheMode: "CACHE_ALL_STATIC",
    defaultTtl: assets.defaultTtlSeconds,
    maxTtl: assets.maxTtlSeconds,
    clientTtl: assets.clientTtlSeconds,
    ...negativeCaching(assets.negativeCachingTtlSeconds),
    serveWhileStale: assets.serveWhileStaleSeconds,
    requestCoalescing: true,
  };
}

/** Response headers added at the edge; HSTS only where the edge actually serves HTTPS. */
export function securityHeaders(usesHttps: boolean): string[] {
  return [
    ...(usesHttps ? ["Strict-Transport-Security: max-age=31536000"] : []),
    "X-Content-Type-Options: nosniff",
    "X-Frame-Options: DENY",
    "Referrer-Policy: strict-origin-when-cross-origin",
  ];
}

/** `<prefix>-cert-<hash of the sorted domains>`: changes exactly when the domain set changes. */
export function certificateName(namePrefix: string, domains: readonly string[]): string {
  const digest = createHash("sha256").update([...domains].sort().join(",")).digest("hex").slice(0, 8);
  return resourceName(namePrefix, `cert-${digest}`, 63);
}

function routingTests(host: string, expectations: Readonly<Record<string, string>>): ComputeUrlMapTest[] {
  return Object.entries(expectations).map(([path, service]) => ({ description: `${path} is routed as intended`, host, path, service }));
}
