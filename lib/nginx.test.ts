import { describe, expect, it } from "vitest";
import { renderProxyConfig } from "./nginx";

describe("renderProxyConfig", () => {
  const conf = renderProxyConfig({ api: ["a1:8080", "a2:8080"], realtime: "rt:8082", listenPort: 8080 });

  it("balances the api, static site included, over every replica with keep-alive", () => {
    expect(conf).toMatch(/upstream api \{\n  server a1:8080 max_fails=0;\n  server a2:8080 max_fails=0;\n  keepalive 128;/);
    expect(conf).toMatch(/location \/ \{\n    proxy_pass http:\/\/api;[^}]*proxy_set_header Connection "";/s);
    // No files of its own: the dashboard comes from the api's image, as in the cloud.
    expect(conf).not.toMatch(/\broot |try_files/);
  });

  it("caches only what the origin marks cacheable, like Cloud CDN with origin headers, never for credentialed requests", () => {
    expect(conf).toContain("proxy_cache edge;");
    expect(conf).not.toMatch(/proxy_cache_valid|proxy_ignore_headers/);
    expect(conf).toContain("proxy_cache_bypass $http_authorization $http_cookie;");
    expect(conf).toContain("proxy_no_cache $http_authorization $http_cookie;");
  });

  it("upgrades /ws to WebSocket with the Cloud Run request lifetime", () => {
    expect(conf).toMatch(/location \/ws \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*proxy_read_timeout 3600s;/s);
  });

  it("listens where told", () => {
    expect(conf).toContain("listen 8080;");
    expect(conf).toContain("server_tokens off;");
  });
});
