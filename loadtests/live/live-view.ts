/**
 * The experiment's live view: a page on 127.0.0.1 that shows, second by second, the offered and
 * achieved rate, P50/P95/P99 against the SLO line, errors, the queue backlog and the current
 * stage, keeping the whole run's curves so far (a reload gets them all again).
 *
 * The coupling to the runner is this interface alone: whoever drives the run calls
 * `feed.sample(...)` about once a second per running scenario and `feed.status(...)` when the
 * phase changes. Locally the Node runner feeds it; in the cloud, `tailK6Csv` (k6-tail.ts) turns
 * k6's CSV output into the same samples while k6 runs.
 *
 * Transport: Server-Sent Events (`GET /events`): a snapshot of everything so far, then each sample
 * and status as it happens; the browser's EventSource reconnects by itself. The page's script
 * (page.ts) is bundled with esbuild when the view starts and inlined: one self-contained answer.
 */
import { build } from "esbuild";
import { createServer, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { LiveMessage, LiveRunInfo, LiveSample, LiveStatus } from "./messages";

export type { LiveSample, LiveStatus } from "./messages";

export interface LiveFeed {
  /** Where the page is, e.g. http://127.0.0.1:41234/ (print it at the start of the run). */
  readonly url: string;
  sample(sample: LiveSample): void;
  status(status: LiveStatus): void;
  /** Tells open pages the run is over, then stops serving. */
  close(): Promise<void>;
}

export interface LiveViewOptions {
  readonly title: string;
  readonly sloP95Ms: number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default "127.0.0.1": the view is for the person running the experiment, not the network. */
  readonly host?: string;
}

const KEEPALIVE_MS = 15_000;

async function pageHtml(title: string): Promise<string> {
  const bundled = await build({
    entryPoints: [join(__dirname, "page.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    minify: true,
    logLevel: "silent",
  });
  const script = bundled.outputFiles[0]!.text.replace(/<\/script/gi, "<\\/script");
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escaped}</title>
<style>
:root { font: 14px/1.4 system-ui, sans-serif; color: #1c2430; background: #f6f7f9; }
body { margin: 0; padding: 1rem 1.5rem; }
h1 { font-size: 1.15rem; margin: 0 0 0.25rem; }
#status { font-size: 1rem; margin: 0 0 1rem; }
#status .muted, .muted { color: #6b7585; }
#status[data-done="true"] { color: #15803d; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid #e3e6eb; border-radius: 8px; padding: 0.75rem 1rem; }
.card h2 { font-size: 0.95rem; margin: 0 0 0.25rem; }
.legend { font-size: 0.8rem; color: #6b7585; }
.legend span { margin-right: 0.9rem; }
.legend i { display: inline-block; width: 14px; height: 3px; margin-right: 4px; vertical-align: middle; }
svg { display: block; width: 100%; height: auto; }
svg text { font-size: 11px; fill: #6b7585; }
svg .axis { stroke: #e3e6eb; }
svg .scenario { stroke: #c7ccd4; stroke-dasharray: 3 3; }
svg .slo { stroke: #dc2626; stroke-dasharray: 6 4; }
</style></head>
<body><h1>${escaped}</h1><p id="status" class="muted">connecting…</p>
<div class="grid" id="charts"></div>
<script>${script}</script></body></html>`;
}

export async function startLiveView(options: LiveViewOptions): Promise<LiveFeed> {
  const info: LiveRunInfo = { title: options.title, sloP95Ms: options.sloP95Ms, startedAt: Date.now() };
  const samples: LiveSample[] = [];
  let status: LiveStatus | undefined;
  const clients = new Set<ServerResponse>();
  const html = await pageHtml(options.title);

  const write = (response: ServerResponse, message: LiveMessage) => response.write(`data: ${JSON.stringify(message)}\n\n`);
  const broadcast = (message: LiveMessage) => {
    for (const client of clients) write(client, message);
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET", "content-type": "text/plain" }).end("GET only\n");
    } else if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    } else if (path === "/events") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      write(response, { type: "snapshot", info, samples, status });
      clients.add(response);
      request.on("close", () => clients.delete(response));
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  const keepalive = setInterval(() => {
    for (const client of clients) client.write(": keepalive\n\n");
  }, KEEPALIVE_MS);
  keepalive.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  server.unref();
  const address = server.address() as { address: string; port: number };

  return {
    url: `http://${address.address}:${address.port}/`,
    sample(sample) {
      samples.push(sample);
      broadcast({ type: "sample", sample });
    },
    status(next) {
      status = next;
      broadcast({ type: "status", status: next });
    },
    async close() {
      clearInterval(keepalive);
      broadcast({ type: "end" });
      for (const client of clients) client.end();
      clients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
