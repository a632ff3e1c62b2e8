/**
 * The edge's frontend and TLS: the routing URL map, and either HTTPS (managed certificate, SSL
 * policy `MODERN` with TLS >= 1.2, port 80 answering only with a 301 to HTTPS) or, without
 * domains, plain HTTP on port 80 with a synth warning. Forwarding rules share the edge's address.
 */
import { createHash } from "node:crypto";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeManagedSslCertificate } from "@cdktf/provider-google/lib/compute-managed-ssl-certificate";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { ComputeUrlMap, type ComputeUrlMapTest } from "@cdktf/provider-google/lib/compute-url-map";
import { Annotations, type Construct } from "../../lib/cdktf";
import { resourceName } from "../../lib/google";

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

export interface EdgeFrontendProps {
  readonly project: string;
  readonly namePrefix: string;
  /** Empty: HTTP only. */
  readonly domains: readonly string[];
  /** The edge's static IP. */
  readonly ipAddress: string;
  /** Backend service ids per routed role. */
  readonly backends: Readonly<Record<EdgeBackendRole, string>>;
  /** The static site's backend (service or bucket) id, and where it comes from (for the description). */
  readonly staticSite: string;
  readonly staticSource: string;
  readonly labels?: Record<string, string>;
}

export interface EdgeFrontend {
  readonly urlMap: ComputeUrlMap;
  /** Port 80's URL map when HTTPS is on: redirect only. */
  readonly redirectUrlMap?: ComputeUrlMap;
  readonly certificate?: ComputeManagedSslCertificate;
  readonly sslPolicy?: ComputeSslPolicy;
  readonly httpsProxy?: ComputeTargetHttpsProxy;
  readonly httpProxy: ComputeTargetHttpProxy;
  readonly forwardingRules: readonly ComputeGlobalForwardingRule[];
  /** The forwarding rule that serves the application: HTTPS (443) with domains, else HTTP (80). */
  readonly servingForwardingRule: ComputeGlobalForwardingRule;
}

/** Creates the frontend in `scope` (the Edge). */
export function edgeFrontend(scope: Construct, props: EdgeFrontendProps): EdgeFrontend {
  const { project, domains, backends, staticSite } = props;
  const name = (component: string) => resourceName(props.namePrefix, component, 63);
  const usesHttps = domains.length > 0;
  const testHost = domains[0] ?? "example.com";
  const urlMap = new ComputeUrlMap(scope, "url-map", {
    project,
    name: name("edge"),
    description: `/api/* and /healthz to api, /ws to realtime, everything else to the static site (${props.staticSource}).`,
    defaultService: staticSite,
    hostRule: [{ hosts: usesHttps ? [...domains] : ["*"], pathMatcher: "routes" }],
    pathMatcher: [
      {
        name: "routes",
        defaultService: staticSite,
        pathRule: (["api", "realtime"] as const).map((role) => ({ paths: [...EDGE_ROUTES[role]], service: backends[role] })),
      },
    ],
    // Checked by the Compute API on every apply: a routing mistake fails the deploy.
    test: routingTests(testHost, { "/api/transactions": backends.api, [HEALTH_CHECK_PATH]: backends.api, "/ws": backends.realtime, "/index.html": staticSite }),
  });

  const forwardingRule = (id: string, component: string, port: string, target: string, description: string) =>
    new ComputeGlobalForwardingRule(scope, id, {
      project,
      name: name(component),
      description,
      target,
      ipAddress: props.ipAddress,
      ipProtocol: "TCP",
      portRange: port,
      loadBalancingScheme: "EXTERNAL_MANAGED",
      labels: props.labels,
    });

  if (!usesHttps) {
    const httpProxy = new ComputeTargetHttpProxy(scope, "http-proxy", { project, name: name("edge-http"), urlMap: urlMap.id });
    const httpRule = forwardingRule("http-rule", "edge-http", "80", httpProxy.id, "Port 80: serves the application (no domains, no TLS).");
    Annotations.of(scope).addWarning(
      "Edge: no domains configured (edge.domains), so the load balancer serves plain HTTP on port 80 with no TLS. " +
        "Set edge.domains to get a Google-managed certificate, TLS 1.2+ and an HTTP-to-HTTPS redirect.",
    );
    return { urlMap, httpProxy, forwardingRules: [httpRule], servingForwardingRule: httpRule };
  }

  const certificate = new ComputeManagedSslCertificate(scope, "certificate", {
    project,
    // A new name per domain set: with create_before_destroy the replacement must not clash.
    name: certificateName(props.namePrefix, domains),
    description: `Google-managed certificate for ${domains.join(", ")}`.slice(0, 2048),
    type: "MANAGED",
    managed: { domains: [...domains] },
    lifecycle: { createBeforeDestroy: true },
  });
  const sslPolicy = new ComputeSslPolicy(scope, "tls-policy", {
    project,
    name: name("tls"),
    description: "TLS 1.2+ with modern cipher suites only.",
    profile: "MODERN",
    minTlsVersion: "TLS_1_2",
  });
  const httpsProxy = new ComputeTargetHttpsProxy(scope, "https-proxy", {
    project,
    name: name("edge-https"),
    urlMap: urlMap.id,
    sslCertificates: [certificate.id],
    sslPolicy: sslPolicy.id,
  });
  const redirectUrlMap = new ComputeUrlMap(scope, "redirect-url-map", {
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
  const httpProxy = new ComputeTargetHttpProxy(scope, "http-proxy", { project, name: name("edge-http"), urlMap: redirectUrlMap.id });
  const httpsRule = forwardingRule("https-rule", "edge-https", "443", httpsProxy.id, "Port 443: serves the application.");
  const httpRule = forwardingRule("http-rule", "edge-http", "80", httpProxy.id, "Port 80: redirects to HTTPS.");
  return { urlMap, redirectUrlMap, certificate, sslPolicy, httpsProxy, httpProxy, forwardingRules: [httpsRule, httpRule], servingForwardingRule: httpsRule };
}

/** `<prefix>-cert-<hash of the sorted domains>`: changes exactly when the domain set changes. */
export function certificateName(namePrefix: string, domains: readonly string[]): string {
  const digest = createHash("sha256").update([...domains].sort().join(",")).digest("hex").slice(0, 8);
  return resourceName(namePrefix, `cert-${digest}`, 63);
}

function routingTests(host: string, expectations: Readonly<Record<string, string>>): ComputeUrlMapTest[] {
  return Object.entries(expectations).map(([path, service]) => ({ description: `${path} is routed as intended`, host, path, service }));
}
