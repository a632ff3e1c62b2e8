/**
 * The experiment's live view: its server (page, event stream with the whole run so far, then each
 * second), the mapping from the runner's progress, k6's CSV read while it grows, and the page in a
 * real browser (Debian's Chromium) drawing the curves and keeping them across a reload.
 */
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../test/support/browser";
import { SLO } from "../slo";
import { K6SecondAggregator, tailK6Csv, type K6Second } from "./k6-tail";
import { startLiveView, type LiveFeed } from "./live-view";
import type { LiveMessage } from "./messages";
import { sampleFromProgress, statusFromProgress } from "./progress-feed";

/** Reads Server-Sent Events from `url` until `count` messages arrived. */
async function readEvents(url: string, count: number, during?: () => void | Promise<void>): Promise<LiveMessage[]> {
  const response = await fetch(url);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const reader = response.body!.getReader();
  const messages: LiveMessage[] = [];
  let buffer = "";
  let started = false;
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((line) => line.startsWith("data: "));
      if (data) messages.push(JSON.parse(data.slice(6)));
    }
    if (!started && messages.length > 0) {
      started = true;
      await during?.();
    }
  }
  await reader.cancel();
  return messages;
}

describe("the live view's server", () => {
  let feed: LiveFeed;
  beforeAll(async () => {
    feed = await startLiveView({ title: "valorize experiment <test>", sloP95Ms: SLO.p95Ms });
  });
  afterAll(async () => feed?.close());

  it("serves one self-contained page on 127.0.0.1, its script inlined, the title escaped", async () => {
    expect(feed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(feed.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>valorize experiment &#60;test&#62;</title>");
    expect(html).toMatch(/<script>[\s\S]*new EventSource\("\/events"\)[\s\S]*<\/script>/);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect((await fetch(new URL("/elsewhere", feed.url))).status).toBe(404);
    expect((await fetch(feed.url, { method: "POST" })).status).toBe(405);
  });

  it("streams the whole run so far to a new page, then each sample and status as it comes", async () => {
    feed.sample({ at: 1000, scenario: "read", achievedRps: 10 });
    feed.status({ text: "read: stage 1/3, 10 VUs" });
    const messages = await readEvents(new URL("/events", feed.url).href, 3, () => {
      feed.sample({ at: 2000, scenario: "read", achievedRps: 20, p95Ms: 3 });
      feed.status({ text: "read: stage 2/3, 20 VUs", etaAt: 99_000 });
    });
    expect(messages[0]).toMatchObject({
      type: "snapshot",
      info: { title: "valorize experiment <test>", sloP95Ms: 300 },
      samples: [{ at: 1000, scenario: "read", achievedRps: 10 }],
      status: { text: "read: stage 1/3, 10 VUs" },
    });
    expect(messages.slice(1)).toEqual([
      { type: "sample", sample: { at: 2000, scenario: "read", achievedRps: 20, p95Ms: 3 } },
      { type: "status", status: { text: "read: stage 2/3, 20 VUs", etaAt: 99_000 } },
    ]);
  });

  it("tells open pages when the run is over", async () => {
    const own = await startLiveView({ title: "t", sloP95Ms: 300 });
    const messages = await readEvents(new URL("/events", own.url).href, 2, () => own.close());
    expect(messages.map((m) => m.type)).toEqual(["snapshot", "end"]);
  });
});

describe("samples from the runner's progress", () => {
  it("maps a second of the Node runner: achieved rate, P95, errors, the closed model's offered rate and the stage", () => {
    expect(sampleFromProgress({ scenario: "mixed", stage: 4, stages: 7, vus: 539, rps: 530, p95: 9.5, errors: 2 }, 5000)).toEqual({
      at: 5000,
      scenario: "mixed",
      stage: "mixed: stage 4/7, 539 VUs",
      offeredRps: 539,
      achievedRps: 530,
      p50Ms: undefined,
      p95Ms: 9.5,
      p99Ms: undefined,
      errors: 2,
      backlog: undefined,
    });
  });

  it("takes P50/P99, an open model's offered rate and the ETA when the runner has them; the async drain's backlog", () => {
    expect(sampleFromProgress({ scenario: "read", vus: 100, offeredRps: 250, rps: 249, p50: 1, p95: 2, p99: 4 }, 1)).toMatchObject({ offeredRps: 250, p50Ms: 1, p99Ms: 4 });
    expect(statusFromProgress({ scenario: "read", stage: 1, stages: 2, vus: 5, etaAt: 42 })).toEqual({ text: "read: stage 1/2, 5 VUs", etaAt: 42 });
    const drain = sampleFromProgress({ scenario: "async", published: 100, categorised: 40, backlog: 60 }, 1);
    expect(drain).toMatchObject({ scenario: "async", backlog: 60, offeredRps: undefined, stage: "async: 100 published, 40 categorised, backlog 60" });
  });
});

describe("k6's CSV output, read while k6 writes it", () => {
  const header = "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags";
  const row = (metric: string, t: number, value: number, group = "") => `${metric},${t},${value},,,,true,${group},GET,"GET /api/transactions?page=1,2",HTTP/1.1,load,,200,,,x,`;
  function file(): string {
    const lines = [header, row("http_reqs", 99, 1, "::setup")];
    for (let i = 1; i <= 100; i++) lines.push(row("http_reqs", 100, 1), row("http_req_duration", 100, i), row("http_req_failed", 100, i <= 3 ? 1 : 0));
    for (let i = 0; i < 4; i++) lines.push(row("http_reqs", 101, 1), row("http_req_duration", 101, 7), row("http_req_failed", 101, 0));
    lines.push(row("http_reqs", 103, 1), row("http_req_duration", 103, 50), row("http_req_failed", 103, 0));
    return `${lines.join("\n")}\n`;
  }
  const expected: K6Second[] = [
    { timestamp: 100, requests: 100, errors: 3, p50: 50, p95: 95, p99: 99 },
    { timestamp: 101, requests: 4, errors: 0, p50: 7, p95: 7, p99: 7 },
    { timestamp: 103, requests: 1, errors: 0, p50: 50, p95: 50, p99: 50 },
  ];

  it("summarises each second (setup left out) the same whatever the pieces the file arrives in", () => {
    const text = file();
    for (const size of [text.length, 997, 64, 7]) {
      const aggregator = new K6SecondAggregator();
      const seconds: K6Second[] = [];
      for (let at = 0; at < text.length; at += size) seconds.push(...aggregator.push(text.slice(at, at + size)));
      // 100 and 101 are complete once 103 was seen; 103 only when the run is over.
      expect(seconds).toEqual(expected.slice(0, 2));
      expect(aggregator.flush()).toEqual(expected.slice(2));
    }
  });

  it("follows the file as it grows, from before it exists to the end of the run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "k6tail-"));
    try {
      const path = join(dir, "k6.csv");
      const seen: K6Second[] = [];
      const tail = tailK6Csv(path, (second) => seen.push(second), 20);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const text = file();
      await writeFile(path, text.slice(0, 5000));
      await new Promise((resolve) => setTimeout(resolve, 60));
      await appendFile(path, text.slice(5000));
      await tail.stop();
      expect(seen).toEqual(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the live view in a real browser", () => {
  it("draws the curves, the SLO line and the stage, keeps them across a reload, and says when the run ended", async () => {
    const browser = await launchChromium();
    const feed = await startLiveView({ title: "valorize experiment", sloP95Ms: SLO.p95Ms });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const start = Date.now();
      for (let s = 1; s <= 5; s++) feed.sample({ at: start + s * 1000, scenario: "read", offeredRps: 100, achievedRps: 90 + s, p50Ms: 1, p95Ms: 2 + s, p99Ms: 5 + s, errors: 0 });
      feed.status({ text: "read: stage 2/7, 300 VUs", etaAt: start + 600_000 });
      await page.goto(feed.url);
      await page.locator('svg[data-chart="latency"] path[data-series="P95"]').waitFor();
      expect(await page.locator("#status").textContent()).toContain("read: stage 2/7, 300 VUs");
      expect(await page.locator("#status").textContent()).toMatch(/ends in about (9|10) min/);
      expect(await page.locator('svg[data-chart="latency"] line.slo').count()).toBe(1);
      // One path segment per second after the first: five points of the same scenario.
      const p95Path = await page.locator('svg[data-chart="latency"] path[data-series="P95"]').getAttribute("d");
      expect(p95Path?.match(/[ML]/g)).toEqual(["M", "L", "L", "L", "L"]);

      feed.sample({ at: start + 6000, scenario: "read", offeredRps: 100, achievedRps: 99, p95Ms: 8 });
      const sixPoints = `(document.querySelector('svg[data-chart="rate"] path[data-series="achieved"]')?.getAttribute("d")?.match(/L/g)?.length ?? 0) === 5`;
      await page.waitForFunction(sixPoints);
      await page.reload();
      await page.waitForFunction(sixPoints);
      expect(await page.locator("#chart-rate .legend").textContent()).toContain("achieved 99.0 req/s");

      await feed.close();
      await page.waitForFunction(`document.getElementById("status")?.textContent?.includes("the run has ended")`);
    } finally {
      await feed.close().catch(() => undefined);
      await browser.close();
    }
  });
});
