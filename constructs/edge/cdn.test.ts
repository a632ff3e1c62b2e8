import { describe, expect, it } from "vitest";
import { backend, FROM_BUCKET, one, ref, synthEdge } from "../../test/support/edge";

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
      apiCdn: { cacheKeyQueryParams: ["page"], bypassCacheOnRequestHeaders: ["Authorization"], negativeCachingTtlSeconds: {}, serveWhileStaleSeconds: 0 },
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
