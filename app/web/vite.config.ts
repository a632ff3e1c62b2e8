/**
 * The web dashboard's build (`npm run build:app` runs it through app/build.ts) and dev server
 * (`npm run dev:web`, with /api and /ws proxied to the native local roles on their default ports).
 */
import { defineConfig } from "vite";
import { REALTIME_PATH } from "../adapters/realtime/protocol";
import { DEFAULT_PORTS } from "../config";

export default defineConfig({
  root: __dirname,
  base: "/",
  // Nothing to copy verbatim: the icon is inline, everything else is bundled and hashed.
  publicDir: false,
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // Hashed file names under assets/: served immutable (app/adapters/http/static-site.ts).
    assetsDir: "assets",
    target: "es2022",
    // One small page: no module preload polyfill, no inlined assets (the CSP allows no inline).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": `http://127.0.0.1:${DEFAULT_PORTS.api}`,
      [REALTIME_PATH]: { target: `ws://127.0.0.1:${DEFAULT_PORTS.realtime}`, ws: true },
    },
  },
});
