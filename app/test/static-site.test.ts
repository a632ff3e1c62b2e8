/**
 * The api serving the dashboard's built files, with the headers Cloud CDN decides on: what is
 * cached at the edge (hashed assets), what is not (the HTML), what no cache may keep (errors,
 * anything with Set-Cookie or an unusual Vary). The rules are Cloud CDN's documented ones
 * ("Caching overview", https://cloud.google.com/cdn/docs/caching); `cdnWouldCache` restates them
 * so that a header change that would stop (or start) edge caching fails here.
 * Also the browser-side helpers the dashboard's realtime connection relies on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, STATIC_CACHE_CONTROL } from "../adapters/http/static-site";
import { backoffDelay, BACKOFF, resolveRealtimeUrl } from "../web/src/live";
import type { ApiInstance } from "../entrypoints/api";
import { chromiumProblem } from "../../test/support/browser";
import { ApiClient } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let client: ApiClient;
let root: string;
const SCRIPT = "console.log('dashboard');\n".repeat(100);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "valorize-site-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>\n');
  writeFileSync(join(root, "assets", "index-AbC123.js"), SCRIPT);
  writeFileSync(join(root, "assets", "index-AbC123.js.br"), brotliCompressSync(SCRIPT));
  writeFileSync(join(root, "assets", "index-AbC123.js.gz"), gzipSync(SCRIPT));
  isolated = await isolate("static");
  api = await startApi(isolated, { WEB_ROOT: root, REALTIME_PUBLIC_URL: "ws://127.0.0.1:8082/ws" });
  client = new ApiClient(api.server.app);
});

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Cloud CDN's cacheability rules for a response to a GET, as its documentation states them. */
function cdnWouldCache(status: number, headers: Record<string, unknown>): boolean {
  const directives = String(headers["cache-control"] ?? "").toLowerCase().split(",").map((d) => d.trim());
  const cacheableStatus = [200, 203, 300, 301, 302, 307, 410].includes(status);
  const hasLifetime = directives.some((d) => d.startsWith("max-age=") || d.startsWith("s-maxage=")) || headers.expires !== undefined;
  const blockedByDirective = directives.some((d) => ["no-store", "no-cache", "private"].includes(d));
  const vary = String(headers.vary ?? "").toLowerCase().split(",").map((v) => v.trim()).filter(Boolean);
  const varyAllowed = vary.every((v) => ["accept", "accept-encoding", "origin"].includes(v));
  const length = headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined;
  return cacheableStatus && directives.includes("public") && hasLifetime && !blockedByDirective && headers["set-cookie"] === undefined && varyAllowed && length;
}

describe("the dashboard's files, served by the api", () => {
  it("serves index.html at / uncached at the edge (revalidated by browsers), with a strict CSP that allows the realtime origin", async () => {
    for (const url of ["/", "/index.html"]) {
      const page = await client.get(url);
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.body).toContain("/assets/index-AbC123.js");
      expect(page.headers["cache-control"]).toBe(STATIC_CACHE_CONTROL.html);
      expect(page.headers.etag).toBeDefined();
      expect(cdnWouldCache(page.statusCode, page.headers)).toBe(false);
      expect(page.headers["content-security-policy"]).toBe(contentSecurityPolicy("ws://127.0.0.1:8082/ws"));
      expect(page.headers["content-security-policy"]).toContain("connect-src 'self' ws://127.0.0.1:8082;");
      expect(page.headers["content-security-policy"]).toContain("script-src 'self';");
    }
    const revalidated = await client.request({ method: "GET", url: "/", headers: { "if-none-match": (await client.get("/")).headers.etag as string } });
    expect(revalidated.statusCode).toBe(304);
  });

  it("serves hashed assets for a year, immutable, cached at the edge; precompressed to clients that accept it", async () => {
    const plain = await client.get("/assets/index-AbC123.js");
    expect(plain.statusCode).toBe(200);
    expect(plain.headers["content-type"]).toMatch(/javascript/);
    expect(plain.headers["cache-control"]).toBe(STATIC_CACHE_CONTROL.hashed);
    expect(plain.body).toBe(SCRIPT);
    // The identity answer varies too: a cache must not hand it, or the brotli one, to everyone.
    expect(plain.headers.vary).toBe("Accept-Encoding");
    expect(cdnWouldCache(plain.statusCode, plain.headers)).toBe(true);
    for (const encoding of ["br", "gzip"]) {
      const compressed = await client.request({ method: "GET", url: "/assets/index-AbC123.js", headers: { "accept-encoding": encoding } });
      expect(compressed.headers["content-encoding"]).toBe(encoding);
      expect(compressed.headers.vary).toMatch(/accept-encoding/i);
      expect(compressed.headers["cache-control"]).toBe(STATIC_CACHE_CONTROL.hashed);
      expect(cdnWouldCache(compressed.statusCode, compressed.headers)).toBe(true);
    }
  });

  it("keeps the api's answers for everything else: JSON 404 for unknown files, 405 with Allow, the API untouched", async () => {
    const missing = await client.get("/assets/index-old.js");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("not_found");
    expect((await client.get("/index-AbC123.js.br")).statusCode).toBe(404);
    const posted = await client.post("/", {});
    expect(posted.statusCode).toBe(405);
    expect(posted.headers.allow).toBe("GET, HEAD");
    expect((await client.get("/api/accounts")).statusCode).toBe(401);
    expect((await client.get("/healthz")).json()).toEqual({ status: "ok" });
  });

  it("says how to fix a WEB_ROOT without a built dashboard", async () => {
    await expect(startApi(isolated, { WEB_ROOT: join(root, "assets") })).rejects.toThrow(
      `WEB_ROOT = ${JSON.stringify(join(root, "assets"))}: ${join(root, "assets")} has no index.html (npm run build:app builds the dashboard into app/dist/web)`,
    );
  });
});

describe("the browser side", () => {
  it("reopens the WebSocket after 125-250 ms, doubling up to 5-10 s", () => {
    expect(backoffDelay(0, () => 0)).toBe(BACKOFF.initialMs / 2);
    expect(backoffDelay(0, () => 1)).toBe(BACKOFF.initialMs);
    expect(backoffDelay(3, () => 1)).toBe(BACKOFF.initialMs * 8);
    expect(backoffDelay(30, () => 0)).toBe(BACKOFF.maxMs / 2);
    expect(backoffDelay(30, () => 1)).toBe(BACKOFF.maxMs);
  });

  it("opens the WebSocket on the page's own origin unless the api names another", () => {
    expect(resolveRealtimeUrl("/ws", { protocol: "https:", host: "app.example.com" })).toBe("wss://app.example.com/ws");
    expect(resolveRealtimeUrl("/ws", { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws");
    expect(resolveRealtimeUrl("ws://127.0.0.1:8082/ws", { protocol: "http:", host: "127.0.0.1:8080" })).toBe("ws://127.0.0.1:8082/ws");
  });

  it("names the fix when Chromium is missing (the browser tests then fail rather than skip)", () => {
    expect(chromiumProblem("/nonexistent/chromium")).toMatch(/Chromium is not installed at \/nonexistent\/chromium\..*apt-get install -y chromium/);
  });
});
