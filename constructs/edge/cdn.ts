/**
 * Cloud CDN policies of the edge's backends, and the response headers added at the edge. Pure
 * builders: the Edge and the static site put them on their backends.
 */
import type { ComputeBackendBucketCdnPolicy } from "@cdktf/provider-google/lib/compute-backend-bucket";
import type { ComputeBackendServiceCdnPolicy } from "@cdktf/provider-google/lib/compute-backend-service";
import type { NegativeCachingTtls, ResolvedApiCdn, ResolvedStaticSite } from "./options";

function negativeCaching(ttls: NegativeCachingTtls) {
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
export function apiCdnPolicy(api: ResolvedApiCdn): ComputeBackendServiceCdnPolicy {
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
export function staticCdnPolicy(assets: ResolvedStaticSite): ComputeBackendBucketCdnPolicy {
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
