/**
 * The web dashboard's built files (`npm run build:app` writes them to app/dist/web), served by the
 * api: in the cloud behind the load balancer, where Cloud CDN caches them, and on the native local
 * system. The local Docker stack serves the same files from nginx (lib/nginx.ts) with the same
 * headers.
 *
 * Cloud CDN (cache mode USE_ORIGIN_HEADERS on the api backend, constructs/edge.ts) stores a
 * response only when it has `Cache-Control: public` and a `max-age`, `s-maxage` or `Expires`, no
 * `Set-Cookie`, and no `Vary` other than Accept, Accept-Encoding or Origin; `no-cache`, `no-store`
 * or `private` keep it out ("Caching overview", https://cloud.google.com/cdn/docs/caching). So:
 * - hashed files under `assets/` (Vite names them by content) are `public, max-age=31536000,
 *   immutable`: cached at the edge and in browsers for a year, replaced by new names on a deploy;
 * - the HTML (`index.html`, not hashed) is `no-cache`: not stored by the CDN, revalidated by
 *   browsers (ETag), so a deploy is seen on the next load and never points at assets it lacks.
 * Precompressed `.br`/`.gz` siblings are served to clients that accept them. @fastify/static
 * does not say `Vary: Accept-Encoding` then, so we do, on every file: without it a cache could hand
 * the brotli body to a client that cannot read it (the CDN accepts this Vary).
 */
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Vite's output directory for content-hashed files (its `build.assetsDir`). */
export const HASHED_ASSETS_DIR = "assets";
export const STATIC_CACHE_CONTROL = {
  hashed: "public, max-age=31536000, immutable",
  html: "no-cache",
} as const;
/** Precompressed siblings written by the build (app/build.ts). */
export const PRECOMPRESSED_EXTENSIONS = [".br", ".gz"] as const;

export interface StaticSiteOptions {
  /** The built site (index.html at its top). */
  readonly root: string;
  /** Where the page opens its WebSocket: allowed by the Content-Security-Policy. */
  readonly realtimeUrl: string;
}

/** Why a directory cannot be served as the dashboard, or undefined when it can. */
export function staticSiteProblem(root: string): string | undefined {
  if (!existsSync(join(root, "index.html"))) return `${root} has no index.html (npm run build:app builds the dashboard into app/dist/web)`;
  return undefined;
}

/**
 * The page's Content-Security-Policy: scripts, styles and data from this origin only, plus the
 * realtime server when it lives on another origin (the native local system). `'self'` also
 * covers ws:/wss: on this origin (CSP Level 3), as behind the load balancer.
 */
export function contentSecurityPolicy(realtimeUrl: string): string {
  const realtimeOrigin = /^wss?:\/\//.test(realtimeUrl) ? ` ${new URL(realtimeUrl).origin}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${realtimeOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function registerStaticSite(app: FastifyInstance, options: StaticSiteOptions): Promise<void> {
  const problem = staticSiteProblem(options.root);
  if (problem) throw new Error(problem);
  const csp = contentSecurityPolicy(options.realtimeUrl);
  await app.register(fastifyStatic, {
    root: options.root,
    // One route per built file, found once at start: unknown paths keep the api's JSON 404.
    wildcard: false,
    globIgnore: PRECOMPRESSED_EXTENSIONS.map((extension) => `**/*${extension}`),
    preCompressed: true,
    index: ["index.html"],
    cacheControl: false,
    dotfiles: "deny",
    setHeaders(response, sentPath) {
      const path = sentPath.replace(/\.(br|gz)$/, "");
      const hashed = relative(options.root, path).split(sep)[0] === HASHED_ASSETS_DIR;
      response.setHeader("cache-control", hashed ? STATIC_CACHE_CONTROL.hashed : STATIC_CACHE_CONTROL.html);
      if (path.endsWith(".html")) response.setHeader("content-security-policy", csp);
      response.setHeader("vary", "Accept-Encoding");
      response.setHeader("x-content-type-options", "nosniff");
    },
  });
}
