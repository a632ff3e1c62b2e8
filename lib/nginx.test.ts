import { describe, expect, it } from "vitest";
import { renderProxyConfig } from "./nginx";

describe("renderProxyConfig", () => {
  const conf = renderProxyConfig({ api: ["a1:8080", "a2:8080"], realtime: "rt:8082", listenPort: 8080, staticRoot: "/srv" });

  it("balances /api over every replica with keep-alive", () => {
    expect(conf).toMatch(/upstream api \{\n  server a1:8080 max_fails=0;\n  server a2:8080 max_fails=0;\n  keepalive 128;/);
    expect(conf).toMatch(/location \/api\/ \{[^}]*proxy_set_header Connection "";/s);
  });

  it("caches only what the origin marks cacheable, like Cloud CDN with origin headers", () => {
    expect(conf).toContain("proxy_cache edge;");
    expect(conf).not.toMatch(/proxy_cache_valid|proxy_ignore_headers/);
  });

  it("upgrades /ws to WebSocket with the Cloud Run request lifetime", () => {
    expect(conf).toMatch(/location \/ws \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*proxy_read_timeout 3600s;/s);
  });

  it("serves everything else as static files with public caching, and listens where told", () => {
    expect(conf).toMatch(/location \/ \{\n    root \/srv;/);
    expect(conf).toContain("listen 8080;");
    expect(conf).toContain("server_tokens off;");
  });
});
