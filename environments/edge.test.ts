import { describe, expect, it } from "vitest";
import { edgeSchema } from "./edge";
import { ENVIRONMENT_NAMES, ENVIRONMENTS, EnvironmentConfigError, loadEnvironment, parseEnvironment } from ".";
import { withDeploySettings } from "../test/support/fixtures";

/** The messages (with their setting paths) an edge config is rejected with. */
function problems(input: unknown): string[] {
  const result = edgeSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

const accepts = (input: unknown) => expect(edgeSchema.safeParse(input).success).toBe(true);

describe("edge settings: defaults", () => {
  const defaults = edgeSchema.parse({});

  it("enforce Cloud Armor with the OWASP rules at the lowest false-positive sensitivity, adaptive protection on", () => {
    expect(defaults.armor).toMatchObject({ preview: false, sensitivity: 1, adaptiveProtection: true, logLevel: "NORMAL", allow: [], deny: [] });
  });

  it("throttle each client IP at 600 requests a minute with 429", () => {
    expect(defaults.armor.rateLimit).toEqual({ action: "throttle", requestsPerInterval: 600, intervalSeconds: 60, banDurationSeconds: 600, exceedStatus: 429 });
  });

  it("keep only the list endpoint's query parameters in the API cache key and bypass the cache for credentialed requests", () => {
    expect(defaults.api.cacheKeyQueryParams).toEqual(["account_id", "from", "to", "category_id", "page", "per_page"]);
    expect(defaults.api.bypassCacheOnRequestHeaders).toEqual(["Authorization", "Cookie"]);
  });

  it("have no domains (HTTP only, warned at synth), full request logging, security headers and a bucket that survives destroy", () => {
    expect(defaults.domains).toEqual([]);
    expect(defaults.logSampleRate).toBe(1);
    expect(defaults.securityHeaders).toBe(true);
    expect(defaults.staticAssets.forceDestroy).toBe(false);
  });
});

describe("edge settings: validation", () => {
  it.each([
    ["upper case", "Valorize.example.com"],
    ["an IP address", "203.0.113.7"],
    ["a wildcard (managed certificates cannot cover one)", "*.example.com"],
    ["a URL", "https://valorize.example.com"],
    ["a single label", "localhost"],
  ])("rejects a domain that is %s", (_why, domain) => {
    expect(problems({ domains: [domain] })).toEqual([expect.stringMatching(/^domains\.0: must be a lowercase DNS name/)]);
  });

  it("rejects a repeated domain and more than a managed certificate's 100 names", () => {
    expect(problems({ domains: ["a.example.com", "a.example.com"] })).toEqual(["domains: must not repeat a domain"]);
    const many = Array.from({ length: 101 }, (_, i) => `h${i}.example.com`);
    expect(problems({ domains: many })).toEqual([expect.stringMatching(/^domains: .*100/)]);
    accepts({ domains: many.slice(0, 100) });
  });

  it.each(["300.1.1.1/24", "10.0.0.0/33", "203.0.113.7", "2001:db8::/129", "example.com/24", ""])("rejects %j as a source range", (range) => {
    expect(problems({ armor: { deny: [{ cidrs: [range], description: "bad actors" }] } })).toEqual([
      expect.stringMatching(/^armor\.deny\.0\.cidrs\.0: must be an IPv4 or IPv6 range in CIDR notation/),
    ]);
  });

  it("accepts IPv4 and IPv6 ranges and single addresses as /32 or /128", () => {
    accepts({ armor: { allow: [{ cidrs: ["198.51.100.0/24", "203.0.113.9/32", "2001:db8::/32", "2001:db8::1/128"], description: "load generators" }] } });
  });

  it("refuses to allow-list a /0 range, which would exempt every client from the WAF", () => {
    expect(problems({ armor: { allow: [{ cidrs: ["10.0.0.0/8", "0.0.0.0/0"], description: "everyone" }] } })).toEqual([
      expect.stringMatching(/^armor\.allow\.0\.cidrs: must not contain a \/0 range/),
    ]);
    expect(problems({ armor: { allow: [{ cidrs: ["::/0"], description: "everyone" }] } })).toHaveLength(1);
  });

  it("bounds a list entry's ranges (longer lists are chunked into rules of 10) and requires a description", () => {
    const range = (i: number) => `198.51.${i}.0/24`;
    accepts({ armor: { deny: [{ cidrs: Array.from({ length: 50 }, (_, i) => range(i)), description: "scrapers" }] } });
    expect(problems({ armor: { deny: [{ cidrs: Array.from({ length: 51 }, (_, i) => range(i)), description: "scrapers" }] } })).toEqual([
      expect.stringMatching(/^armor\.deny\.0\.cidrs: /),
    ]);
    expect(problems({ armor: { deny: [{ cidrs: [range(1)], description: "" }] } })).toEqual([expect.stringMatching(/^armor\.deny\.0\.description: must be 3-60/)]);
    expect(problems({ armor: { deny: [{ cidrs: [range(1)] }] } })).toEqual([expect.stringMatching(/^armor\.deny\.0\.description: /)]);
  });

  it("holds the rate limit to what Cloud Armor accepts", () => {
    expect(problems({ armor: { rateLimit: { intervalSeconds: 45 } } })).toEqual([expect.stringMatching(/^armor\.rateLimit\.intervalSeconds: .*10\|30\|60/)]);
    expect(problems({ armor: { rateLimit: { action: "ban", banDurationSeconds: 30 } } })).toEqual([expect.stringMatching(/^armor\.rateLimit\.banDurationSeconds: /)]);
    expect(problems({ armor: { rateLimit: { action: "ban", requestsPerInterval: 20_000 } } })).toEqual([
      "armor.rateLimit.requestsPerInterval: must be at most 10000 for a rate-based ban (Cloud Armor's limit); use throttle or a longer interval",
    ]);
    accepts({ armor: { rateLimit: { action: "throttle", requestsPerInterval: 20_000 } } });
    expect(problems({ armor: { rateLimit: { exceedStatus: 500 } } })).toEqual([expect.stringMatching(/^armor\.rateLimit\.exceedStatus: /)]);
    expect(problems({ armor: { rateLimit: { action: "block" } } })).toEqual([expect.stringMatching(/^armor\.rateLimit\.action: /)]);
  });

  it("holds sensitivity to the CRS paranoia levels 1-4", () => {
    expect(problems({ armor: { sensitivity: 0 } })).toEqual([expect.stringMatching(/^armor\.sensitivity: /)]);
    expect(problems({ armor: { sensitivity: 5 } })).toEqual([expect.stringMatching(/^armor\.sensitivity: /)]);
  });

  it("holds CDN settings to what Cloud CDN accepts", () => {
    expect(problems({ api: { negativeCachingTtlSeconds: { "500": 10 } } })).toEqual([expect.stringMatching(/^api\.negativeCachingTtlSeconds/)]);
    expect(problems({ api: { negativeCachingTtlSeconds: { "404": 3600 } } })).toEqual([expect.stringMatching(/^api\.negativeCachingTtlSeconds\.404: /)]);
    expect(problems({ api: { bypassCacheOnRequestHeaders: ["A", "B", "C", "D", "E", "F"] } })).toEqual([expect.stringMatching(/^api\.bypassCacheOnRequestHeaders: /)]);
    expect(problems({ api: { cacheKeyQueryParams: [] } })).toEqual([expect.stringMatching(/^api\.cacheKeyQueryParams: /)]);
    expect(problems({ staticAssets: { defaultTtlSeconds: 7200, maxTtlSeconds: 3600, clientTtlSeconds: 600 } })).toEqual([
      "staticAssets.defaultTtlSeconds: must not exceed staticAssets.maxTtlSeconds (3600)",
    ]);
    expect(problems({ staticAssets: { bucketName: "Static_Assets" } })).toEqual([expect.stringMatching(/^staticAssets\.bucketName: must be a GCS bucket name/)]);
  });

  it("rejects unknown settings (typos) at every level", () => {
    expect(problems({ domain: ["a.example.com"] })).toEqual([expect.stringMatching(/^: Unrecognized key: "domain"/)]);
    expect(problems({ armor: { previewMode: true } })).toEqual([expect.stringMatching(/^armor: Unrecognized key/)]);
  });
});

describe("edge settings inside an environment", () => {
  it("every committed environment's edge settings are valid (staging and prod with the domains a team gives them)", () => {
    for (const name of ENVIRONMENT_NAMES) expect(() => loadEnvironment(name, { env: withDeploySettings(name) })).not.toThrow();
  });

  it("a bad edge setting fails the environment with the setting, the value and the rule", () => {
    let error: unknown;
    try {
      parseEnvironment({ ...ENVIRONMENTS.dev, edge: { domains: ["Valorize.example.com"], armor: { allow: [{ cidrs: ["10.0.0.0/40"], description: "office" }] } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/edge\.domains\.0 = "Valorize\.example\.com": must be a lowercase DNS name/);
    expect(message).toMatch(/edge\.armor\.allow\.0\.cidrs\.0 = "10\.0\.0\.0\/40": must be an IPv4 or IPv6 range/);
  });
});
