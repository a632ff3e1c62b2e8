/**
 * The edge's options and their secure defaults: plain typed values, so the construct builds from
 * its required props alone and a stack maps whatever config it has onto these.
 */
import { withDefaults } from "../../lib/defaults";

/** A source-IP rule: who it is for (kept in the Cloud Armor rule description) and its CIDR ranges. */
export interface IpRule {
  readonly cidrs: readonly string[];
  readonly description: string;
}

/** Per-client-IP rate limit, evaluated after the WAF. */
export interface RateLimitOptions {
  /**
   * `throttle` rejects requests over the limit; `ban` rejects every request from the client for
   * `banDurationSeconds` once it goes over. @default "throttle"
   */
  readonly action?: "throttle" | "ban";
  /** Requests one client IP may send per interval, per backend service. @default 600 */
  readonly requestsPerInterval?: number;
  /** @default 60 */
  readonly intervalSeconds?: number;
  /** Only for `ban`. @default 600 */
  readonly banDurationSeconds?: number;
  /** Status returned over the limit; 429 tells well-behaved clients to back off. @default 429 */
  readonly exceedStatus?: number;
}

export interface ArmorOptions {
  /** Log what the WAF and the rate limit would block without blocking (allow/deny lists always enforce). @default false */
  readonly preview?: boolean;
  /** OWASP CRS sensitivity (paranoia level) 1-4. @default 1 */
  readonly sensitivity?: number;
  /** VERBOSE logs matched request fields (may log personal data). @default "NORMAL" */
  readonly logLevel?: "NORMAL" | "VERBOSE";
  /** Machine-learned layer 7 DDoS detection. @default true */
  readonly adaptiveProtection?: boolean;
  /** @default DEFAULT_RATE_LIMIT */
  readonly rateLimit?: RateLimitOptions;
  /** Trusted sources, allowed before the WAF and the rate limit run. @default [] */
  readonly allow?: readonly IpRule[];
  /** Blocked sources, denied with 403 by an edge policy on every backend, before the cache. @default [] */
  readonly deny?: readonly IpRule[];
}

/** Negative caching TTLs in seconds per status code (Cloud CDN's accepted codes). */
export type NegativeCachingTtls = Readonly<Partial<Record<string, number>>>;

export interface ApiCdnOptions {
  /** Query parameters that make up the cache key: those the cacheable endpoints read. @default DEFAULT_API_CDN.cacheKeyQueryParams */
  readonly cacheKeyQueryParams?: readonly string[];
  /** Requests carrying any of these skip the cache (no lookup, no store). @default ["Authorization", "Cookie"] */
  readonly bypassCacheOnRequestHeaders?: readonly string[];
  /** @default { 404: 30, 405: 60, 410: 300, 501: 60 } */
  readonly negativeCachingTtlSeconds?: NegativeCachingTtls;
  /** Serve a stale response this long while revalidating or when the origin fails. @default 60 */
  readonly serveWhileStaleSeconds?: number;
}

export interface StaticSiteOptions {
  /**
   * `api`: the api serves the site and Cloud CDN caches what it marks public (no public bucket).
   * `bucket`: a publicly readable bucket behind a backend bucket (see Edge). @default "api"
   */
  readonly serveFrom?: "api" | "bucket";
  /** @default `<project>-<namePrefix>-static` */
  readonly bucketName?: string;
  /** @default the region */
  readonly location?: string;
  /** TTL for responses without their own Cache-Control. @default 3600 */
  readonly defaultTtlSeconds?: number;
  /** @default 86400 */
  readonly maxTtlSeconds?: number;
  /** @default 3600 */
  readonly clientTtlSeconds?: number;
  /** @default 86400 */
  readonly serveWhileStaleSeconds?: number;
  /** @default { 404: 60 } */
  readonly negativeCachingTtlSeconds?: NegativeCachingTtls;
  /** Old object versions are deleted this many days after being replaced. @default 30 */
  readonly noncurrentVersionRetentionDays?: number;
  /** Let `terraform destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
}

type Resolved<T> = { readonly [K in keyof T]-?: Exclude<T[K], undefined> };
export type ResolvedRateLimit = Resolved<RateLimitOptions>;
export type ResolvedArmor = Resolved<Omit<ArmorOptions, "rateLimit">> & { readonly rateLimit: ResolvedRateLimit };
export type ResolvedApiCdn = Resolved<ApiCdnOptions>;
export type ResolvedStaticSite = Resolved<Omit<StaticSiteOptions, "bucketName" | "location">> & Pick<StaticSiteOptions, "bucketName" | "location">;

export const DEFAULT_RATE_LIMIT: ResolvedRateLimit = { action: "throttle", requestsPerInterval: 600, intervalSeconds: 60, banDurationSeconds: 600, exceedStatus: 429 };

export const DEFAULT_ARMOR: ResolvedArmor = {
  preview: false,
  sensitivity: 1,
  logLevel: "NORMAL",
  adaptiveProtection: true,
  rateLimit: DEFAULT_RATE_LIMIT,
  allow: [],
  deny: [],
};

export const DEFAULT_API_CDN: ResolvedApiCdn = {
  // What `GET /api/transactions` reads; tracking parameters and cache busters stay out of the key.
  cacheKeyQueryParams: ["account_id", "from", "to", "category_id", "page", "per_page"],
  bypassCacheOnRequestHeaders: ["Authorization", "Cookie"],
  negativeCachingTtlSeconds: { "404": 30, "405": 60, "410": 300, "501": 60 },
  serveWhileStaleSeconds: 60,
};

export const DEFAULT_STATIC_SITE: ResolvedStaticSite = {
  serveFrom: "api",
  defaultTtlSeconds: 3600,
  maxTtlSeconds: 86_400,
  clientTtlSeconds: 3600,
  serveWhileStaleSeconds: 86_400,
  negativeCachingTtlSeconds: { "404": 60 },
  noncurrentVersionRetentionDays: 30,
  forceDestroy: false,
};

export function resolveArmor(armor: ArmorOptions | undefined): ResolvedArmor {
  const { rateLimit, ...rest } = armor ?? {};
  return { ...withDefaults(DEFAULT_ARMOR, rest), rateLimit: withDefaults(DEFAULT_RATE_LIMIT, rateLimit) };
}

export const resolveApiCdn = (cdn: ApiCdnOptions | undefined): ResolvedApiCdn => withDefaults(DEFAULT_API_CDN, cdn);

export const resolveStaticSite = (site: StaticSiteOptions | undefined): ResolvedStaticSite => withDefaults(DEFAULT_STATIC_SITE, site);
