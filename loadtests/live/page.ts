/**
 * The live view's page script (bundled and inlined by live-view.ts): listens to `/events` and
 * redraws four SVG charts over the whole run so far (rate, latency percentiles on a log scale with
 * the SLO line, errors, queue backlog) and the status line. Text goes in with textContent only.
 */
import type { LiveMessage, LiveRunInfo, LiveSample, LiveStatus } from "./messages";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 210;
const MARGIN = { left: 52, right: 14, top: 10, bottom: 24 };
/** A gap longer than this (s) breaks a line: the runner was between stages or scenarios. */
const GAP_SECONDS = 3;

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dash?: string;
  readonly value: (sample: LiveSample) => number | undefined;
  readonly unit: string;
}

interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly series: readonly Series[];
  readonly log?: boolean;
  readonly sloLine?: boolean;
}

const CHARTS: readonly ChartSpec[] = [
  {
    id: "rate",
    title: "Rate (requests/s)",
    series: [
      { name: "offered", color: "#94a3b8", dash: "5 4", value: (s) => s.offeredRps, unit: "req/s" },
      { name: "achieved", color: "#2563eb", value: (s) => s.achievedRps, unit: "req/s" },
    ],
  },
  {
    id: "latency",
    title: "Latency (ms, log scale)",
    log: true,
    sloLine: true,
    series: [
      { name: "P50", color: "#16a34a", value: (s) => s.p50Ms, unit: "ms" },
      { name: "P95", color: "#ea580c", value: (s) => s.p95Ms, unit: "ms" },
      { name: "P99", color: "#7c3aed", value: (s) => s.p99Ms, unit: "ms" },
    ],
  },
  { id: "errors", title: "Errors (failed requests/s)", series: [{ name: "errors", color: "#dc2626", value: (s) => s.errors, unit: "/s" }] },
  { id: "backlog", title: "Queue backlog (tasks)", series: [{ name: "backlog", color: "#0891b2", value: (s) => s.backlog, unit: "tasks" }] },
];

let info: LiveRunInfo | undefined;
let samples: LiveSample[] = [];
let status: LiveStatus | undefined;
let ended = false;
let scheduled = false;

function el<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const seconds = (sample: LiveSample) => (sample.at - (info?.startedAt ?? sample.at)) / 1000;
const format = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const clock = (at: number) => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const duration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
    return out;
  }
  const step = 10 ** Math.floor(Math.log10(Math.max(max, 1) / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => max / s <= 5) ?? step * 10;
  return Array.from({ length: Math.floor(max / nice) + 1 }, (_, i) => i * nice);
}

function drawChart(container: HTMLElement, spec: ChartSpec): void {
  const xMax = Math.max(10, ...samples.map(seconds));
  const values = samples.flatMap((s) => spec.series.map((series) => series.value(s))).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const slo = spec.sloLine ? info?.sloP95Ms : undefined;
  let yMin = 0;
  let yMax = Math.max(1, ...values, slo ?? 0) * 1.1;
  if (spec.log) {
    yMin = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...values.filter((v) => v > 0), slo ?? Infinity, 1))));
    yMax = 10 ** Math.ceil(Math.log10(Math.max(...values, (slo ?? 1) * 2)));
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number) => MARGIN.left + (t / xMax) * plotW;
  const y = (v: number) => {
    const ratio = spec.log ? (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : (v - yMin) / (yMax - yMin);
    return MARGIN.top + plotH - ratio * plotH;
  };

  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": spec.title, "data-chart": spec.id });
  for (const tick of ticks(spec.log ? yMin : 0, yMax, spec.log ?? false)) {
    if (tick > yMax) continue;
    svg.append(el("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick), class: "axis" }));
    svg.append(el("text", { x: MARGIN.left - 6, y: y(tick) + 4, "text-anchor": "end" }, tick >= 1000 ? `${tick / 1000}k` : String(tick)));
  }
  for (const tick of ticks(0, xMax, false)) {
    svg.append(el("text", { x: x(tick), y: HEIGHT - 6, "text-anchor": "middle" }, duration(tick)));
  }
  // Where each scenario starts.
  let previous: string | undefined;
  for (const sample of samples) {
    if (sample.scenario === previous) continue;
    previous = sample.scenario;
    const at = x(seconds(sample));
    svg.append(el("line", { x1: at, x2: at, y1: MARGIN.top, y2: MARGIN.top + plotH, class: "scenario" }));
    // Near the right edge the label goes to the left of its line.
    const left = at > WIDTH - MARGIN.right - 60;
    svg.append(el("text", { x: left ? at - 4 : at + 4, y: MARGIN.top + 11, "text-anchor": left ? "end" : "start" }, sample.scenario));
  }
  if (slo !== undefined) {
    svg.append(el("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(slo), y2: y(slo), class: "slo" }));
    svg.append(el("text", { x: WIDTH - MARGIN.right, y: y(slo) - 4, "text-anchor": "end", fill: "#dc2626" }, `SLO: P95 <= ${slo} ms`));
  }
  for (const series of spec.series) {
    let d = "";
    let last: LiveSample | undefined;
    for (const sample of samples) {
      const value = series.value(sample);
      if (value === undefined || !Number.isFinite(value)) {
        last = undefined;
        continue;
      }
      const broken = !last || last.scenario !== sample.scenario || seconds(sample) - seconds(last) > GAP_SECONDS;
      d += `${broken ? "M" : "L"}${x(seconds(sample)).toFixed(1)} ${y(value).toFixed(1)}`;
      last = sample;
    }
    if (d) svg.append(el("path", { d, fill: "none", stroke: series.color, "stroke-width": 1.8, "stroke-dasharray": series.dash ?? "none", "data-series": series.name }));
  }

  const legend = document.createElement("div");
  legend.className = "legend";
  for (const series of spec.series) {
    const latest = [...samples].reverse().find((s) => series.value(s) !== undefined);
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = series.color;
    item.append(swatch, `${series.name}${latest ? ` ${format(series.value(latest)!)} ${series.unit}` : ""}`);
    legend.append(item);
  }
  const title = document.createElement("h2");
  title.textContent = spec.title;
  container.replaceChildren(title, legend, svg);
}

function drawStatus(): void {
  const line = document.getElementById("status")!;
  const parts: string[] = [];
  if (status) parts.push(status.text);
  if (info) parts.push(`elapsed ${duration((Date.now() - info.startedAt) / 1000)}`);
  if (status?.etaAt && !status.done) parts.push(`ends in about ${duration(Math.max(0, (status.etaAt - Date.now()) / 1000))} (${clock(status.etaAt)})`);
  if (ended && !status?.done) parts.push("the run has ended");
  line.textContent = parts.join(" · ") || "waiting for the first second of load…";
  line.dataset.done = String(Boolean(status?.done));
  line.className = status ? "" : "muted";
}

function draw(): void {
  scheduled = false;
  const root = document.getElementById("charts")!;
  for (const spec of CHARTS) {
    let card = document.getElementById(`chart-${spec.id}`);
    if (!card) {
      card = document.createElement("section");
      card.className = "card";
      card.id = `chart-${spec.id}`;
      root.append(card);
    }
    drawChart(card, spec);
  }
  drawStatus();
}

function redraw(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(draw);
}

const source = new EventSource("/events");
source.onmessage = (event) => {
  const message = JSON.parse(String(event.data)) as LiveMessage;
  if (message.type === "snapshot") {
    info = message.info;
    samples = [...message.samples];
    status = message.status;
  } else if (message.type === "sample") samples.push(message.sample);
  else if (message.type === "status") status = message.status;
  else {
    ended = true;
    source.close();
  }
  redraw();
};
setInterval(drawStatus, 1000);
