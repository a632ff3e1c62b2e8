import type { ComputeBackendBucket } from "@cdktf/provider-google/lib/compute-backend-bucket";
import { ComputeBackendService, type ComputeBackendServiceCdnPolicy } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import type { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import type { ComputeManagedSslCertificate } from "@cdktf/provider-google/lib/compute-managed-ssl-certificate";
import { ComputeRegionNetworkEndpointGroup } from "@cdktf/provider-google/lib/compute-region-network-endpoint-group";
import type { ComputeSecurityPolicy } from "@cdktf/provider-google/lib/compute-security-policy";
import type { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import type { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import type { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import type { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import type { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { Annotations, Construct } from "../../lib/cdktf";
import { resourceName } from "../../lib/google";
import type { AppService } from "../app-service";
import { armorPolicies } from "./armor";
import { apiCdnPolicy, securityHeaders } from "./cdn";
import { edgeFrontend, HEALTH_CHECK_PATH, type EdgeBackendRole } from "./frontend";
import { resolveApiCdn, resolveArmor, resolveStaticSite, type ApiCdnOptions, type ArmorOptions, type StaticSiteOptions } from "./options";
import { staticBucketSite } from "./static-site";

export { ARMOR_PRIORITY, backendPolicyRules, chunk, DEFAULT_ALLOW_RULE, MAX_RANGES_PER_RULE, rateLimitRule, sourceRangeRules, WAF_RULE_SETS, wafRules } from "./armor";
export { apiCdnPolicy, securityHeaders, staticCdnPolicy } from "./cdn";
export { certificateName, EDGE_ROUTES, HEALTH_CHECK_PATH, type EdgeBackendRole } from "./frontend";
export * from "./options";

export interface EdgeProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** Serves `/api/*` and `/healthz` (Cloud CDN on, origin-controlled caching). */
  readonly api: AppService;
  /** Serves the WebSocket endpoint `/ws` (no CDN). */
  readonly realtime: AppService;
  /** Served over HTTPS with a Google-managed certificate. @default [] (HTTP only, with a synth warning) */
  readonly domains?: readonly string[];
  /** Fraction of requests the load balancer logs (0-1), per backend. @default 1 */
  readonly logSampleRate?: number;
  /** Add HSTS (HTTPS only), X-Content-Type-Options, X-Frame-Options and Referrer-Policy at the edge. @default true */
  readonly securityHeaders?: boolean;
  /** How Cloud CDN caches the api. @default DEFAULT_API_CDN */
  readonly apiCdn?: ApiCdnOptions;
  /** Where the static site comes from and how it is cached. @default DEFAULT_STATIC_SITE (from the api) */
  readonly staticAssets?: StaticSiteOptions;
  /** Cloud Armor on api and realtime. @default DEFAULT_ARMOR (enforcing) */
  readonly armor?: ArmorOptions;
  /** Set on the labelable resources (address, forwarding rules, bucket). @default none */
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
 * Secure by default, one concern per module:
 * - frontend.ts, TLS: with domains, a Google-managed certificate, SSL policy `MODERN` with TLS >= 1.2
 *   and port 80 answering only with a 301; without domains plain HTTP and a synth warning.
 * - armor.ts, Cloud Armor on both backend services: OWASP CRS 3.3 at a configurable sensitivity,
 *   per-IP throttling or bans, adaptive protection, JSON parsing, preview mode for roll-out, allow
 *   and deny lists. Deny lists go into an edge policy on every backend, before the CDN cache.
 * - cdn.ts, caching: the api is cached only when the origin says `Cache-Control: public`; requests
 *   with credentials (`Authorization`, `Cookie`) bypass the cache; the key keeps only the query
 *   parameters the cacheable endpoints read.
 * - static-site.ts: by default the api serves the site (no public bucket anywhere); with
 *   `serveFrom: "bucket"` a public bucket, with a synth warning about organisation policies.
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
  /** Read off the resources themselves. */
  readonly names: EdgeNames;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { project, namePrefix } = props;
    const name = (component: string) => resourceName(namePrefix, component, 63);
    const labels = props.labels ? { ...props.labels } : undefined;
    const armor = resolveArmor(props.armor);
    const staticAssets = resolveStaticSite(props.staticAssets);
    this.domains = [...(props.domains ?? [])];
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
    ({ securityPolicy: this.securityPolicy, edgeSecurityPolicy: this.edgeSecurityPolicy } = armorPolicies(this, project, name, armor));

    const headers = props.securityHeaders !== false ? securityHeaders(this.usesHttps) : undefined;
    const backend = (role: EdgeBackendRole, service: AppService, cdnPolicy?: ComputeBackendServiceCdnPolicy) =>
      this.backendService(props, role, service, { cdnPolicy, headers: role === "api" ? headers : undefined });
    this.backendServices = {
      api: backend("api", props.api, apiCdnPolicy(resolveApiCdn(props.apiCdn))),
      // WebSockets are long-lived upgrades: nothing to cache.
      realtime: backend("realtime", props.realtime),
    };

    if (staticAssets.serveFrom === "bucket") {
      const site = staticBucketSite(this, {
        project,
        region: props.region,
        namePrefix,
        site: staticAssets,
        backendName: name("static-backend"),
        labels,
        headers,
        edgeSecurityPolicy: this.edgeSecurityPolicy?.id,
      });
      this.staticBucket = site.bucket;
      this.staticBackend = site.backend;
    }

    const frontend = edgeFrontend(this, {
      project,
      namePrefix,
      domains: this.domains,
      ipAddress: this.address.address,
      backends: { api: this.backendServices.api.id, realtime: this.backendServices.realtime.id },
      staticSite: this.staticBackend?.id ?? this.backendServices.api.id,
      staticSource: staticAssets.serveFrom,
      labels,
    });
    ({ urlMap: this.urlMap, redirectUrlMap: this.redirectUrlMap, certificate: this.certificate, sslPolicy: this.sslPolicy } = frontend);
    ({ httpsProxy: this.httpsProxy, httpProxy: this.httpProxy, forwardingRules: this.forwardingRules } = frontend);
    if (armor.preview) {
      Annotations.of(this).addInfo("Edge: Cloud Armor WAF and rate limit rules are in preview (logged, not enforced); set edge.armor.preview = false to enforce.");
    }

    this.publicHost = this.domains[0] ?? this.ipAddress;
    this.baseUrls = this.usesHttps ? this.domains.map((domain) => `https://${domain}`) : [`http://${this.ipAddress}`];
    this.baseUrl = this.baseUrls[0]!;
    this.names = {
      urlMap: this.urlMap.nameInput!,
      backendServices: { api: this.backendServices.api.nameInput!, realtime: this.backendServices.realtime.nameInput! },
      backendBucket: this.staticBackend?.nameInput,
      securityPolicy: this.securityPolicy.nameInput!,
      servingForwardingRule: frontend.servingForwardingRule.nameInput!,
    };
  }

  /** A serverless NEG for the service and the backend service in front of it, behind Cloud Armor. */
  private backendService(props: EdgeProps, role: EdgeBackendRole, service: AppService, extra: { cdnPolicy?: ComputeBackendServiceCdnPolicy; headers?: string[] }): ComputeBackendService {
    const name = (component: string) => resourceName(props.namePrefix, component, 63);
    const neg = new ComputeRegionNetworkEndpointGroup(this, `${role}-neg`, {
      project: props.project,
      region: props.region,
      name: name(`${role}-neg`),
      description: `Serverless NEG for the ${role} Cloud Run service.`,
      networkEndpointType: "SERVERLESS",
      cloudRun: { service: service.service.name },
    });
    return new ComputeBackendService(this, `${role}-backend`, {
      project: props.project,
      name: name(`${role}-backend`),
      description: `${role} Cloud Run service behind Cloud Armor.`,
      loadBalancingScheme: "EXTERNAL_MANAGED",
      // Serverless NEGs take no health checks, port name or timeout (Cloud Run's timeout rules).
      protocol: "HTTPS",
      backend: [{ group: neg.id }],
      securityPolicy: this.securityPolicy.id,
      edgeSecurityPolicy: this.edgeSecurityPolicy?.id,
      enableCdn: extra.cdnPolicy !== undefined,
      cdnPolicy: extra.cdnPolicy,
      customResponseHeaders: extra.headers,
      logConfig: { enable: true, sampleRate: props.logSampleRate ?? 1 },
    });
  }
}
