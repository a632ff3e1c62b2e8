import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeSecurityPolicy, type ComputeSecurityPolicyRule } from "@cdktf/provider-google/lib/compute-security-policy";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import { describe, expect, it } from "vitest";
import type { TerraformStack } from "../../lib/cdktf";
import { PROD, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { edgeArmorEnforcedInProduction, edgeCloudArmor, edgeHttpRedirectsOnly, edgeModernTls } from "./edge";

const DEFAULT_ALLOW: ComputeSecurityPolicyRule = { priority: 2147483647, action: "allow", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } };
const WAF: ComputeSecurityPolicyRule = { priority: 1000, action: "deny(403)", match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable')" } } };

const armor = (stack: TerraformStack, rules: ComputeSecurityPolicyRule[], preview = false) =>
  new ComputeSecurityPolicy(stack, "armor", { name: "armor", rule: rules.map((r) => ({ ...r, preview })) });
const backend = (stack: TerraformStack, securityPolicy?: string, loadBalancingScheme = "EXTERNAL_MANAGED") =>
  new ComputeBackendService(stack, "backend", { name: "backend", loadBalancingScheme, securityPolicy });

describe("VZ-EDGE-001 backend services behind Cloud Armor", () => {
  it("passes the Edge construct's api and realtime backends", () => {
    expect(runRule(edgeCloudArmor, unmodifiedEnvironmentStack("prod"))).toMatchObject({ status: "pass", checked: 2 });
    expect(runRule(edgeCloudArmor, smallStack((s) => backend(s, armor(s, [WAF, DEFAULT_ALLOW]).id))).status).toBe("pass");
  });

  it("fails a backend without a policy, with a policy outside the stack, or with a policy that has no WAF rule", () => {
    expect(runRule(edgeCloudArmor, smallStack((s) => backend(s))).problems).toEqual(["test/backend: security_policy is unset"]);
    const outside = smallStack((s) => backend(s, "projects/p/global/securityPolicies/shared"));
    expect(runRule(edgeCloudArmor, outside).problems).toEqual([
      'test/backend: security_policy is "projects/p/global/securityPolicies/shared", not a reference to a google_compute_security_policy in this stack',
    ]);
    const allowAll = smallStack((s) => backend(s, armor(s, [DEFAULT_ALLOW]).id));
    expect(runRule(edgeCloudArmor, allowAll).problems).toEqual(["test/backend: security policy test/armor has no preconfigured WAF rule (evaluatePreconfiguredWaf)"]);
  });

  it("does not apply to internal load balancers (Cloud Armor protects external ones)", () => {
    expect(runRule(edgeCloudArmor, smallStack((s) => backend(s, undefined, "INTERNAL_MANAGED"))).status).toBe("n/a");
  });
});

const httpsProxy = (stack: TerraformStack, sslPolicy?: string) =>
  new ComputeTargetHttpsProxy(stack, "https-proxy", { name: "https", urlMap: "projects/p/global/urlMaps/m", sslCertificates: ["cert"], sslPolicy });

describe("VZ-EDGE-002 HTTPS proxy with TLS >= 1.2", () => {
  it("passes the Edge construct's MODERN / TLS 1.2 policy, and RESTRICTED / TLS 1.3", () => {
    expect(runRule(edgeModernTls, unmodifiedEnvironmentStack("prod"))).toMatchObject({ status: "pass", checked: 1 });
    const strict = smallStack((s) => httpsProxy(s, new ComputeSslPolicy(s, "tls", { name: "tls", profile: "RESTRICTED", minTlsVersion: "TLS_1_3" }).id));
    expect(runRule(edgeModernTls, strict).status).toBe("pass");
  });

  it("fails a proxy without an SSL policy, and one whose policy keeps the weak defaults", () => {
    expect(runRule(edgeModernTls, smallStack((s) => httpsProxy(s))).problems).toEqual(["test/https-proxy: ssl_policy is unset (Google's default allows TLS 1.0)"]);
    const weak = smallStack((s) => httpsProxy(s, new ComputeSslPolicy(s, "tls", { name: "tls" }).id));
    expect(runRule(edgeModernTls, weak).problems).toEqual([
      "test/https-proxy: SSL policy test/tls has min_tls_version \"TLS_1_0\"",
      "test/https-proxy: SSL policy test/tls has profile \"COMPATIBLE\"",
    ]);
  });

  it("has nothing to check without an HTTPS proxy (dev has no domain)", () => {
    expect(runRule(edgeModernTls, unmodifiedEnvironmentStack("dev")).status).toBe("n/a");
  });
});

describe("VZ-EDGE-003 HTTP only redirects", () => {
  it("passes port 80 on a redirect-only URL map (the Edge construct with domains)", () => {
    expect(runRule(edgeHttpRedirectsOnly, unmodifiedEnvironmentStack("prod"))).toMatchObject({ status: "pass", checked: 1 });
  });

  it("fails an HTTP proxy that serves the application (dev without a domain)", () => {
    expect(runRule(edgeHttpRedirectsOnly, unmodifiedEnvironmentStack("dev")).problems).toEqual([
      "dev/edge/http-proxy: URL map dev/edge/url-map serves the application over HTTP instead of redirecting to HTTPS",
    ]);
  });

  it("fails a redirect map that also routes traffic", () => {
    const stack = smallStack((s) => {
      const map = new ComputeUrlMap(s, "map", { name: "map", defaultUrlRedirect: { httpsRedirect: true, stripQuery: false } });
      map.addOverride("default_service", "projects/p/global/backendServices/api");
      new ComputeTargetHttpProxy(s, "http-proxy", { name: "http", urlMap: map.id });
    });
    expect(runRule(edgeHttpRedirectsOnly, stack).problems).toEqual(["test/http-proxy: URL map test/map also routes traffic (default_service)"]);
  });
});

describe("VZ-EDGE-004 Cloud Armor enforcing in production (WARNING)", () => {
  it("passes prod, whose rules enforce", () => {
    expect(runRule(edgeArmorEnforcedInProduction, unmodifiedEnvironmentStack("prod"), PROD)).toMatchObject({ status: "pass", checked: 1 });
  });

  it("warns about previewed rules in production", () => {
    const stack = smallStack((s) => armor(s, [WAF], true));
    expect(runRule(edgeArmorEnforcedInProduction, stack, PROD)).toMatchObject({ status: "warn", problems: ["test/armor: rules at priority 1000 are in preview (log only)"] });
  });

  it("lets other environments preview (dev logs only so load tests are not throttled)", () => {
    expect(runRule(edgeArmorEnforcedInProduction, unmodifiedEnvironmentStack("dev")).status).toBe("n/a");
  });
});
