import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeManagedSslCertificate } from "@cdktf/provider-google/lib/compute-managed-ssl-certificate";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../test/support/synth";
import { certificateName } from "./frontend";
import { backend, FROM_BUCKET, one, PROD_DOMAINS, ref, synthEdge } from "../../test/support/edge";

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
