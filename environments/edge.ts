/**
 * Edge settings: the global external Application Load Balancer, Cloud CDN, the static-assets
 * bucket and the Cloud Armor policies in front of api and realtime (constructs/edge/; the stack
 * maps these settings onto the Edge's props).
 *
 * Secure defaults: Cloud Armor enforcing (OWASP CRS, per-IP throttling, adaptive protection), the
 * API cached only when the origin marks a response public and never for requests that carry
 * credentials. An environment without domains gets an HTTP-only edge and a synth warning.
 */
import { z } from "zod";

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lowercase DNS name such as app.example.com");

/** IPv4 or IPv6 range in CIDR notation; a single address is a /32 (or /128). */
const cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: "must be an IPv4 or IPv6 range in CIDR notation, such as 203.0.113.0/24 or 2001:db8::/32 (a single address is /32 or /128)",
});

/** A source-IP rule: who it is for (kept in the Cloud Armor rule description) and its ranges. */
export const ipRuleSchema = z.strictObject({
  /** Ranges are chunked into rules of 10, the Cloud Armor limit per rule. */
  cidrs: z.array(cidr).min(1).max(50),
  /** Why these ranges are listed; becomes the rule description. */
  description: z.string().regex(/^[\x20-\x7e]{3,60}$/, "must be 3-60 printable ASCII characters"),
});
export type IpRule = z.output<typeof ipRuleSchema>;

/** Status codes Cloud CDN accepts in a negative caching policy. */
export const NEGATIVE_CACHING_CODES = ["300", "301", "308", "404", "405", "410", "421", "451", "501"] as const;
// Cloud CDN caps negative caching TTLs at 30 minutes.
const negativeCachingTtls = z.partialRecord(z.enum(NEGATIVE_CACHING_CODES), int(1, 1800));

/** Windows Cloud Armor accepts for rate limit thresholds and bans, in seconds. */
export const RATE_LIMIT_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;
export const BAN_DURATIONS = [60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600] as const;
/** Largest request count Cloud Armor accepts in a threshold: throttle vs rate-based ban. */
export const MAX_THROTTLE_COUNT = 1_000_000;
export const MAX_BAN_COUNT = 10_000;

const queryParam = z.string().regex(/^[A-Za-z0-9_.\-\[\]]{1,64}$/, "must be a query parameter name");
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name");

const apiCdnSchema = z.strictObject({
  /**
   * Query parameters that make up the cache key, i.e. those the cacheable endpoints read
   * (`GET /api/transactions?account_id&from&to&category_id&page&per_page`). Anything else (tracking
   * parameters, cache busters) is left out so it cannot split or poison the cache.
   */
  cacheKeyQueryParams: z.array(queryParam).min(1).default(["account_id", "from", "to", "category_id", "page", "per_page"]),
  /**
   * Requests carrying any of these headers skip the cache entirely (no lookup, no store): a
   * response to a credentialed request is never shared, even if the origin mislabels it public.
   * Cloud CDN takes at most 5.
   */
  bypassCacheOnRequestHeaders: z.array(headerName).min(1).max(5).default(["Authorization", "Cookie"]),
  /** TTLs for cacheable error responses, per status code (anonymous requests only, see above). */
  negativeCachingTtlSeconds: negativeCachingTtls.default({ "404": 30, "405": 60, "410": 300, "501": 60 }),
  /** Serve a stale cached response this long while revalidating or when the origin fails. */
  serveWhileStaleSeconds: int(0, 86_400).default(60),
});

/** Where the edge gets the static site (everything that is not `/api`, `/healthz` or `/ws`) from. */
export const STATIC_SOURCES = ["api", "bucket"] as const;

const staticAssetsSchema = z
  .strictObject({
    /**
     * `api`: the api service serves the static files (shipped in the image) and Cloud CDN caches
     * them at the edge, as it caches any response the origin marks `Cache-Control: public`. Needs
     * no public bucket, so it applies in any organisation.
     * `bucket`: a Cloud Storage bucket behind a backend bucket. A backend bucket reads objects
     * anonymously, so the bucket grants `allUsers` read, which organisations created on or after
     * 3 May 2024 refuse by default (`storage.publicAccessPrevention`,
     * `iam.allowedPolicyMemberDomains`): the project needs an exception from both (synth warns).
     */
    serveFrom: z.enum(STATIC_SOURCES).default("api"),
    /** Globally unique bucket name (`serveFrom: "bucket"`). @default `<project>-<namePrefix>-static` */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, "must be a GCS bucket name (3-63 lowercase letters, digits, - and _)").optional(),
    /** Bucket location. @default the environment's region */
    location: z.string().regex(/^[a-z]+(-[a-z]+\d)?$/i, "must be a GCS location such as us-central1 or US").optional(),
    /** TTL for static responses without their own Cache-Control. */
    defaultTtlSeconds: int(0, 31_536_000).default(3600),
    /** Upper bound on any TTL, including the origin's. */
    maxTtlSeconds: int(0, 31_536_000).default(86_400),
    /** Upper bound on the TTL sent to browsers. */
    clientTtlSeconds: int(0, 31_536_000).default(3600),
    serveWhileStaleSeconds: int(0, 86_400).default(86_400),
    negativeCachingTtlSeconds: negativeCachingTtls.default({ "404": 60 }),
    /** Old object versions are deleted this many days after being replaced (versioning is on). */
    noncurrentVersionRetentionDays: int(1, 3650).default(30),
    /** Let `terraform destroy` delete a non-empty bucket; only for disposable environments. */
    forceDestroy: z.boolean().default(false),
  })
  .superRefine((assets, ctx) => {
    // Cloud CDN rejects a default or client TTL above the max TTL.
    for (const key of ["defaultTtlSeconds", "clientTtlSeconds"] as const) {
      if (assets[key] > assets.maxTtlSeconds) {
        ctx.addIssue({ code: "custom", path: [key], message: `must not exceed staticAssets.maxTtlSeconds (${assets.maxTtlSeconds})` });
      }
    }
  });

const rateLimitSchema = z
  .strictObject({
    /**
     * `throttle` rejects requests over the limit; `ban` rejects every request from the client for
     * `banDurationSeconds` once it goes over. Switching replaces the rule (Cloud Armor cannot
     * turn a ban rule back into a throttle rule in place).
     */
    action: z.enum(["throttle", "ban"]).default("throttle"),
    /** Requests one client IP may send per interval, per backend service. */
    requestsPerInterval: int(1, MAX_THROTTLE_COUNT).default(600),
    intervalSeconds: z.literal(RATE_LIMIT_INTERVALS).default(60),
    /** Only for `ban`. */
    banDurationSeconds: z.literal(BAN_DURATIONS).default(600),
    /** Status returned over the limit; 429 tells well-behaved clients to back off. */
    exceedStatus: z.literal([429, 403, 404, 502]).default(429),
  })
  .superRefine((limit, ctx) => {
    if (limit.action === "ban" && limit.requestsPerInterval > MAX_BAN_COUNT) {
      ctx.addIssue({
        code: "custom",
        path: ["requestsPerInterval"],
        message: `must be at most ${MAX_BAN_COUNT} for a rate-based ban (Cloud Armor's limit); use throttle or a longer interval`,
      });
    }
  });

const armorSchema = z.strictObject({
  /**
   * Log what the WAF and the rate limit would block without blocking, to roll rules out safely.
   * Explicit allow/deny lists are always enforced: they are deliberate, not heuristics.
   */
  preview: z.boolean().default(false),
  /** OWASP CRS sensitivity (paranoia level) 1-4: higher blocks more and false-positives more. */
  sensitivity: int(1, 4).default(1),
  /** VERBOSE logs the matched request fields, which helps tuning but may log personal data. */
  logLevel: z.enum(["NORMAL", "VERBOSE"]).default("NORMAL"),
  /** Machine-learned layer 7 DDoS detection and suggested rules. */
  adaptiveProtection: z.boolean().default(true),
  rateLimit: rateLimitSchema.prefault({}),
  /**
   * Trusted sources (office, load generators, partners): allowed before the WAF and the rate limit
   * run, so they skip both. Use sparingly.
   */
  allow: z
    .array(
      ipRuleSchema.refine((rule) => !rule.cidrs.some((range) => range.endsWith("/0")), {
        message: "must not contain a /0 range: that would exempt every client from the WAF and the rate limit",
        path: ["cidrs"],
      }),
    )
    .max(20)
    .default([]),
  /**
   * Blocked sources: denied with 403 by an edge security policy on every backend, before the CDN
   * cache, so they get neither cached nor fresh content. Deny wins over allow.
   */
  deny: z.array(ipRuleSchema).max(20).default([]),
});

export const edgeSchema = z.strictObject({
  /** Served over HTTPS with a Google-managed certificate (at most 100 names). Empty: HTTP only, with a warning. */
  domains: z
    .array(domain)
    .max(100)
    .refine((names) => new Set(names).size === names.length, "must not repeat a domain")
    .default([]),
  /** Fraction of requests the load balancer logs (0-1), per backend. */
  logSampleRate: z.number().min(0).max(1).default(1),
  /** Add HSTS (HTTPS only), X-Content-Type-Options, X-Frame-Options and Referrer-Policy at the edge. */
  securityHeaders: z.boolean().default(true),
  api: apiCdnSchema.prefault({}),
  staticAssets: staticAssetsSchema.prefault({}),
  armor: armorSchema.prefault({}),
});

export type EdgeSettings = z.output<typeof edgeSchema>;
