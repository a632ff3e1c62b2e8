/**
 * The report's figures as Vega-Lite specifications, rendered to SVG with Vega (no browser, no
 * canvas). Specs are plain data built from the summary, so tests can check what each figure
 * shows without parsing SVG.
 */
import type { AsyncDrain, AsyncScenarioResult, HttpScenarioResult, MonitoringSeries, OpenModelResult, ScenarioEstimate, SpeedupPoint, Summary } from "../results";
import { SLO } from "../stats";
import { resilienceTimeline } from "../resilience/report";

export interface Figure {
  /** File name under `figures/`. */
  readonly file: string;
  readonly title: string;
  readonly spec: Record<string, unknown>;
}

const WIDTH = 560;
const HEIGHT = 300;

/** One datum of its own: on the chart's data the rule and label would be drawn once per row. */
const SINGLE_DATUM = { values: [{}] };

const SLO_COLOR = "#d62728";
const sloText = `SLO: P95 <= ${SLO.p95Ms} ms`;

/**
 * The SLO on a linear latency axis scaled to the data: a dashed line with its label when it lies
 * within reach of the data, otherwise a label at the top of the plot saying where it is (drawing
 * it would squash the data against the axis).
 */
export function sloLayers(maxValue: number): { layers: Record<string, unknown>[]; domainMax: number } {
  if (maxValue * 1.15 >= SLO.p95Ms * 0.6) {
    const domainMax = Math.max(maxValue, SLO.p95Ms) * 1.1;
    return {
      domainMax,
      layers: [
        { data: SINGLE_DATUM, mark: { type: "rule", color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { datum: SLO.p95Ms } } },
        { data: SINGLE_DATUM, mark: { type: "text", color: SLO_COLOR, align: "left", dx: 4, dy: -6, fontSize: 11 }, encoding: { y: { datum: SLO.p95Ms }, x: { value: 0 }, text: { value: sloText } } },
      ],
    };
  }
  return {
    domainMax: maxValue * 1.15 || 1,
    layers: [
      {
        data: SINGLE_DATUM,
        mark: { type: "text", color: SLO_COLOR, align: "right", baseline: "top", dx: -4, dy: 4, fontSize: 11 },
        encoding: { x: { value: WIDTH }, y: { value: 0 }, text: { value: `${sloText}: off the scale, ${(SLO.p95Ms / (maxValue || 1)).toFixed(0)}x above the highest value shown ↑` } },
      },
    ],
  };
}

/** The SLO on a log latency axis, whose domain always reaches it: a labelled dashed line. */
function sloOnLogAxis(): Record<string, unknown>[] {
  return [
    { data: SINGLE_DATUM, mark: { type: "rule", color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { datum: SLO.p95Ms } } },
    { data: SINGLE_DATUM, mark: { type: "text", color: SLO_COLOR, align: "left", dx: 4, dy: -6, fontSize: 11 }, encoding: { y: { datum: SLO.p95Ms }, x: { value: 0 }, text: { value: sloText } } },
  ];
}

/** A log latency domain covering the data and the SLO line. */
function logLatencyDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  const low = positive.length ? Math.min(...positive) : 1;
  const high = positive.length ? Math.max(...positive) : 1;
  return [Math.max(0.01, Math.min(low, SLO.p95Ms) / 1.5), Math.max(high, SLO.p95Ms) * 1.5];
}

/** P50/P95/P99 per VU stage with the SLO (and 95 % CI error bars when repeated). Closed model. */
export function latencyPerStage(result: HttpScenarioResult, estimateOf?: ScenarioEstimate): Figure {
  const rows = result.stages.flatMap((stage, i) =>
    (["p50", "p95", "p99"] as const).map((percentile) => {
      const ci = estimateOf?.stages?.[i]?.[percentile];
      const value = ci ? ci.mean : stage[percentile];
      return { vus: stage.vus, percentile: percentile.toUpperCase(), ms: value, low: ci ? value - ci.ci95 : value, high: ci ? value + ci.ci95 : value };
    }),
  );
  const slo = sloLayers(Math.max(0, ...rows.map((r) => r.high)));
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "vus", type: "quantitative", title: "virtual users" },
        y: { field: "ms", type: "quantitative", title: "latency (ms)", scale: { domain: [0, slo.domainMax] } },
        color: { field: "percentile", type: "nominal", title: null, sort: ["P50", "P95", "P99"] },
      },
    },
    ...slo.layers,
  ];
  if (estimateOf?.stages) {
    layers.push({
      mark: { type: "errorbar", ticks: true },
      encoding: {
        x: { field: "vus", type: "quantitative" },
        y: { field: "low", type: "quantitative" },
        y2: { field: "high" },
        color: { field: "percentile", type: "nominal" },
      },
    });
  }
  return {
    file: `${result.name}-latency.svg`,
    title: `${result.name}: P50 / P95 / P99 per VU stage${estimateOf?.stages ? " (mean of repeats, 95 % CI)" : ""}`,
    spec: { width: WIDTH, height: HEIGHT, data: { values: rows }, layer: layers },
  };
}

/** P95 of the read and mixed scenarios side by side. */
export function p95ReadVsMixed(read: HttpScenarioResult, mixed: HttpScenarioResult): Figure {
  const rows = [read, mixed].flatMap((r) => r.stages.map((s) => ({ scenario: r.name, vus: s.vus, p95: s.p95 })));
  const slo = sloLayers(Math.max(0, ...rows.map((r) => r.p95)));
  return {
    file: "p95-read-vs-mixed.svg",
    title: "P95 latency: read-heavy vs mixed",
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "vus", type: "quantitative", title: "virtual users" },
            y: { field: "p95", type: "quantitative", title: "P95 (ms)", scale: { domain: [0, slo.domainMax] } },
            color: { field: "scenario", type: "nominal", title: null },
          },
        },
        ...slo.layers,
      ],
    },
  };
}

/** Degradation: how latency grows as the served load grows (fixed resources). */
export function degradation(results: readonly HttpScenarioResult[]): Figure {
  const rows = results.flatMap((r) => r.stages.map((s) => ({ scenario: r.name, rps: s.rps, p95: s.p95, vus: s.vus })));
  return {
    file: "degradation.svg",
    title: "Degradation: P95 latency against throughput (closed model: throughput follows the VUs)",
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "rps", type: "quantitative", title: "throughput (requests/s)" },
            y: { field: "p95", type: "quantitative", title: "P95 (ms, log scale)", scale: { type: "log", domain: logLatencyDomain(rows.map((r) => r.p95)) } },
            color: { field: "scenario", type: "nominal", title: null },
            tooltip: [{ field: "vus" }],
          },
        },
        ...sloOnLogAxis(),
      ],
    },
  };
}

/** Completed tasks at time `t`, interpolated between the probe's samples. */
function completedAt(points: AsyncDrain["timeline"], t: number): number {
  const after = points.findIndex((p) => p.t >= t);
  if (after <= 0) return after === 0 ? points[0]!.completed : points.at(-1)!.completed;
  const a = points[after - 1]!;
  const b = points[after]!;
  return a.completed + ((b.completed - a.completed) * (t - a.t)) / (b.t - a.t || 1);
}

const workersLabel = (drain: AsyncDrain) => (drain.workerInstances === undefined ? "drain" : `${drain.workerInstances} worker${drain.workerInstances === 1 ? "" : "s"}`);

/** Tasks completed per second in about 40 equal bins of one batch (the probe's raw samples are too fine to read a rate from). */
export function drainBins(drain: AsyncDrain): Array<{ from: number; to: number; tasksPerSecond: number }> {
  const points = drain.timeline;
  const end = points.at(-1)?.t ?? 0;
  const bin = Math.max(0.5, Math.round((end / 40) * 2) / 2);
  return Array.from({ length: Math.ceil(end / bin) }, (_, i) => {
    const from = i * bin;
    const to = Math.min(end, from + bin);
    return { from, to, tasksPerSecond: (completedAt(points, to) - completedAt(points, from)) / (to - from || 1) };
  });
}

/**
 * Tasks drained per second against time since publishing started, one row per batch (worker
 * instance count), with the end of publishing marked: with delivery paused while publishing, the
 * drain starts there.
 */
export function drainRate(result: AsyncScenarioResult): Figure {
  const drains = result.drains ?? [result];
  const rows = drains.flatMap((d) => [
    ...drainBins(d).map((b) => ({ batch: workersLabel(d), kind: "bin", ...b })),
    { batch: workersLabel(d), kind: "publishEnd", t: d.drainMode === "after-publish" ? d.drainStartedAt : d.publishSeconds, label: d.drainMode === "after-publish" ? "publishing ended: drain starts" : "publishing ended (drain overlapped it)" },
  ]);
  const layer = [
    {
      transform: [{ filter: "datum.kind === 'bin'" }],
      mark: { type: "rect", color: "#4c78a8", stroke: "white", strokeWidth: 0.5 },
      encoding: {
        x: { field: "from", type: "quantitative", title: "seconds since publishing started" },
        x2: { field: "to" },
        y: { field: "tasksPerSecond", type: "quantitative", title: "tasks/s" },
      },
    },
    { transform: [{ filter: "datum.kind === 'publishEnd'" }], mark: { type: "rule", color: "#e45756", strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: { x: { field: "t", type: "quantitative" } } },
    {
      transform: [{ filter: "datum.kind === 'publishEnd'" }],
      mark: { type: "text", color: "#e45756", align: "left", baseline: "top", dx: 4, dy: 4, fontSize: 11 },
      encoding: { x: { field: "t", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } },
    },
  ];
  const title = `Async pipeline: tasks drained per second (${result.tasks.toLocaleString("en-US")} tasks per batch)`;
  if (drains.length === 1) return { file: "async-drain.svg", title, spec: { width: WIDTH, height: HEIGHT, data: { values: rows }, layer } };
  return {
    file: "async-drain.svg",
    title,
    spec: { data: { values: rows }, facet: { row: { field: "batch", type: "nominal", title: null } }, spec: { width: WIDTH, height: 160, layer }, resolve: { scale: { x: "independent" } } },
  };
}

/** Drain rate against worker instances (local batches), with the linear ideal from one instance. */
export function drainVsWorkers(drains: readonly AsyncDrain[]): Figure {
  const base = drains[0]!;
  const rows = drains.map((d) => ({ workers: d.workerInstances ?? 1, tasksPerSecond: d.tasksPerSecond, ideal: (base.tasksPerSecond * (d.workerInstances ?? 1)) / (base.workerInstances ?? 1) }));
  return {
    file: "async-drain-vs-workers.svg",
    title: "Async drain rate against worker instances (dashed: linear from the first)",
    spec: {
      width: WIDTH,
      height: 220,
      data: { values: rows },
      layer: [
        { mark: { type: "line", point: true }, encoding: { x: { field: "workers", type: "quantitative", title: "worker instances", axis: { tickMinStep: 1 }, scale: { zero: false } }, y: { field: "tasksPerSecond", type: "quantitative", title: "tasks/s" } } },
        { mark: { type: "line", strokeDash: [4, 3], color: "#999" }, encoding: { x: { field: "workers", type: "quantitative" }, y: { field: "ideal", type: "quantitative" } } },
        { mark: { type: "text", dy: -10, fontSize: 11 }, encoding: { x: { field: "workers", type: "quantitative" }, y: { field: "tasksPerSecond", type: "quantitative" }, text: { field: "tasksPerSecond", type: "quantitative", format: ",.0f" } } },
      ],
    },
  };
}

/** Speedup: the knee (open model) or throughput and P95 (closed model) against api instances. */
export function speedup(points: readonly SpeedupPoint[]): Figure {
  if (points.some((p) => p.knee)) {
    const base = points[0]!;
    const rows = points.flatMap((p) => [
      { instances: p.instances, panel: "knee (req/s held)", series: "measured", value: p.knee?.heldRps ?? 0 },
      { instances: p.instances, panel: "knee (req/s held)", series: "linear from the first", value: ((base.knee?.heldRps ?? 0) * p.instances) / base.instances },
      ...(p.fixedLoad ? [{ instances: p.instances, panel: "P95 (ms)", series: `fixed load ${p.fixedLoad.rps.toLocaleString("en-US")} req/s (speedup)`, value: p.fixedLoad.p95 }] : []),
      ...(p.scaledLoad ? [{ instances: p.instances, panel: "P95 (ms)", series: "load scaled with instances (aggregate)", value: p.scaledLoad.p95 }] : []),
    ]);
    return {
      file: "speedup.svg",
      title: "Speedup: knee against api instances; P95 at a fixed and at a scaled load",
      spec: {
        data: { values: rows },
        facet: { row: { field: "panel", type: "nominal", title: null, sort: ["knee (req/s held)", "P95 (ms)"] } },
        spec: {
          width: WIDTH,
          height: 170,
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "instances", type: "quantitative", title: "api instances", scale: { zero: false }, axis: { tickMinStep: 1 } },
            y: { field: "value", type: "quantitative", title: null },
            color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", direction: "vertical", labelLimit: 400 } },
            strokeDash: { condition: { test: "datum.series === 'linear from the first'", value: [4, 3] }, value: [1, 0] },
          },
        },
        resolve: { scale: { y: "independent" } },
      },
    };
  }
  const rows = points.flatMap((p) => [
    { instances: p.instances, metric: "mean requests/s", value: p.meanRps ?? 0 },
    { instances: p.instances, metric: "P95 (ms)", value: p.p95 ?? 0 },
  ]);
  return {
    file: "speedup.svg",
    title: "Speedup: throughput and P95 against api instances (closed model: throughput follows the VUs)",
    spec: {
      data: { values: rows },
      facet: { row: { field: "metric", type: "nominal", title: null } },
      spec: {
        width: WIDTH,
        height: 180,
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "instances", type: "quantitative", title: "api instances", scale: { zero: false }, axis: { tickMinStep: 1 } },
          y: { field: "value", type: "quantitative", title: null },
        },
      },
      resolve: { scale: { y: "independent" } },
    },
  };
}

const kneeLabel = (open: OpenModelResult) =>
  `knee ${open.knee.heldRps.toLocaleString("en-US")} req/s${open.knee.lowerBound ? " (lower bound)" : ""}`;

/**
 * Latency (P50/P95/P99, from each request's intended start) against the offered rate, one point
 * per step, with the knee marked and the SLO. Both axes logarithmic: the ladder is geometric and
 * latency past the knee grows by orders of magnitude.
 */
export function kneeCurve(name: string, open: OpenModelResult, estimateOf?: ScenarioEstimate): Figure {
  const steps = [...open.steps].sort((a, b) => a.rps - b.rps);
  const rows = steps.flatMap((s) => (["p50", "p95", "p99"] as const).map((p) => ({ rps: s.rps, percentile: p.toUpperCase(), ms: s[p], held: s.slo.ok ? "held" : "broken" })));
  const knee = estimateOf?.knee ? `knee ${Math.round(estimateOf.knee.mean).toLocaleString("en-US")} ± ${Math.round(estimateOf.knee.ci95).toLocaleString("en-US")} req/s (95 % CI, ${estimateOf.knee.n} runs)` : kneeLabel(open);
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "line", point: { filled: true, size: 50 } },
      encoding: {
        x: { field: "rps", type: "quantitative", title: "offered rate (requests/s, log scale)", scale: { type: "log" } },
        y: { field: "ms", type: "quantitative", title: "latency from intended start (ms, log scale)", scale: { type: "log", domain: logLatencyDomain(rows.map((r) => r.ms)) } },
        color: { field: "percentile", type: "nominal", title: null, sort: ["P50", "P95", "P99"] },
        shape: { field: "held", type: "nominal", title: "SLO", scale: { domain: ["held", "broken"], range: ["circle", "cross"] } },
      },
    },
    ...sloOnLogAxis(),
  ];
  if (open.knee.heldRps > 0) {
    layers.push(
      { data: SINGLE_DATUM, mark: { type: "rule", color: "#2ca02c", strokeWidth: 2 }, encoding: { x: { datum: open.knee.heldRps } } },
      { data: SINGLE_DATUM, mark: { type: "text", color: "#2ca02c", align: "right", baseline: "top", dx: -4, dy: 4, fontSize: 11 }, encoding: { x: { datum: open.knee.heldRps }, y: { value: 0 }, text: { value: knee } } },
    );
  }
  return { file: `${name}-knee.svg`, title: `${name}: latency against offered rate (open model), ${knee}`, spec: { width: WIDTH, height: HEIGHT, data: { values: rows }, layer: layers } };
}

/**
 * One second at a time: offered and achieved rate, P95, errors and the backlog (requests in
 * flight), with each step's start marked.
 */
export function openTimeSeries(name: string, open: OpenModelResult): Figure {
  const points = open.timeline;
  const boundaries = open.steps.map((s) => ({ t: s.startedAt, label: `${s.rps.toLocaleString("en-US")}/s` }));
  const x = { field: "t", type: "quantitative", title: "seconds since the load started" };
  const rules = { data: { values: boundaries }, mark: { type: "rule", color: "#bbb", strokeDash: [2, 2] }, encoding: { x: { field: "t", type: "quantitative" } } };
  // A point closes its second: draw it from the second's start.
  const rate = points.flatMap((p) => [
    { t: p.t - 1, series: "offered", value: p.offered },
    { t: p.t - 1, series: "achieved (2xx)", value: p.achieved },
  ]);
  const backlog = points.flatMap((p) => [
    { t: p.t - 1, series: "errors + dropped /s", value: p.errors },
    { t: p.t, series: "requests in flight", value: p.inFlight },
    ...(p.taskBacklog !== undefined ? [{ t: p.t, series: "tasks queued for the worker", value: p.taskBacklog }] : []),
  ]);
  const p95 = points.filter((p) => p.p95 > 0).map((p) => ({ t: p.t - 0.5, p95: p.p95 }));
  return {
    file: `${name}-timeseries.svg`,
    title: `${name}: per second, with each offered-rate step marked`,
    spec: {
      vconcat: [
        {
          width: WIDTH,
          height: 150,
          layer: [
            rules,
            { data: { values: boundaries }, mark: { type: "text", angle: 270, align: "right", baseline: "bottom", dx: -2, dy: -2, fontSize: 9, color: "#888" }, encoding: { x: { field: "t", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } } },
            { data: { values: rate }, mark: { type: "line", interpolate: "step-after" }, encoding: { x, y: { field: "value", type: "quantitative", title: "requests/s" }, color: { field: "series", type: "nominal", title: null, legend: { labelLimit: 300 } } } },
          ],
        },
        {
          width: WIDTH,
          height: 130,
          layer: [
            rules,
            { data: { values: p95 }, mark: { type: "line", color: "#f58518" }, encoding: { x, y: { field: "p95", type: "quantitative", title: "P95 (ms, log)", scale: { type: "log", domain: logLatencyDomain(p95.map((p) => p.p95)) } } } },
            ...sloOnLogAxis(),
          ],
        },
        {
          width: WIDTH,
          height: 110,
          layer: [
            rules,
            { data: { values: backlog }, mark: { type: "line", interpolate: "step-after" }, encoding: { x, y: { field: "value", type: "quantitative", title: "per second / backlog" }, color: { field: "series", type: "nominal", title: null, scale: { domain: ["errors + dropped /s", "requests in flight", "tasks queued for the worker"], range: ["#e45756", "#54a24b", "#b279a2"] }, legend: { labelLimit: 300 } } } },
          ],
        },
      ],
      resolve: { scale: { color: "independent" } },
    },
  };
}

/** Cloud: the load (achieved req/s) above the Cloud Monitoring series of the same window. */
export function monitoringFigure(summary: Summary): Figure | undefined {
  const series = summary.monitoring?.filter((s) => s.points.length > 0) ?? [];
  if (series.length === 0) return undefined;
  const runStart = Date.parse(summary.startedAt);
  const load = summary.scenarios.flatMap((s) => {
    if (s.name === "async" || s.startedAtMs === undefined) return [];
    const offset = (s.startedAtMs - runStart) / 60_000;
    return s.open ? s.open.timeline.map((p) => ({ scenario: s.name, minute: offset + p.t / 60, rps: p.achieved })) : s.timeline.map((p) => ({ scenario: s.name, minute: offset + p.t / 60, rps: p.requests }));
  });
  const x = { field: "minute", type: "quantitative", title: "minutes since the run started" };
  return {
    file: "cloud-monitoring.svg",
    title: "Load and what Cloud Monitoring saw: instances, CPU, backlog",
    spec: {
      vconcat: [
        { width: WIDTH, height: 120, data: { values: load }, mark: { type: "line" }, encoding: { x, y: { field: "rps", type: "quantitative", title: "requests/s" }, color: { field: "scenario", type: "nominal", title: null } } },
        ...series.map((s: MonitoringSeries) => ({
          width: WIDTH,
          height: 90,
          data: { values: s.points.map((p) => ({ minute: p.t / 60, value: p.value })) },
          mark: { type: "line", interpolate: "step-after", point: true },
          encoding: { x, y: { field: "value", type: "quantitative", title: s.label } },
        })),
      ],
    },
  };
}

/** This run's P95 against the baseline's: per offered rate (open model) or per VU stage (closed). */
export function baselineOverlay(name: "read" | "mixed", current: HttpScenarioResult, baseline: HttpScenarioResult): Figure | undefined {
  const open = current.open && baseline.open;
  const rows = (["this run", "baseline"] as const).flatMap((run) => {
    const r = run === "this run" ? current : baseline;
    return open ? (r.open?.steps ?? []).map((s) => ({ run, x: s.rps, p95: s.p95 })) : r.stages.map((s) => ({ run, x: s.vus, p95: s.p95 }));
  });
  if (rows.length === 0) return undefined;
  return {
    file: `${name}-vs-baseline.svg`,
    title: `${name}: P95 this run vs the baseline`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "x", type: "quantitative", title: open ? "offered rate (requests/s, log scale)" : "virtual users", scale: open ? { type: "log" } : {} },
            y: { field: "p95", type: "quantitative", title: "P95 (ms, log scale)", scale: { type: "log", domain: logLatencyDomain(rows.map((r) => r.p95)) } },
            color: { field: "run", type: "nominal", title: null, scale: { domain: ["this run", "baseline"], range: ["#4c78a8", "#aaaaaa"] } },
            sort: { field: "x" },
          },
        },
        ...sloOnLogAxis(),
      ],
    },
  };
}

/** Every figure the summary has data for (and the overlays when a baseline is given). */
export function figuresFor(summary: Summary, baseline?: Summary): Figure[] {
  const byName = new Map(summary.scenarios.map((s) => [s.name, s]));
  const estimates = new Map((summary.confidence ?? []).map((e) => [e.name, e]));
  const read = byName.get("read") as HttpScenarioResult | undefined;
  const mixed = byName.get("mixed") as HttpScenarioResult | undefined;
  const asyncResult = byName.get("async") as AsyncScenarioResult | undefined;
  const http = [read, mixed].filter((r): r is HttpScenarioResult => r !== undefined);
  const figures: Figure[] = [];
  for (const r of http) {
    if (r.open && r.open.steps.length > 0) figures.push(kneeCurve(r.name, r.open, estimates.get(r.name)), openTimeSeries(r.name, r.open));
  }
  for (const r of http) if (r.stages.length > 0) figures.push(latencyPerStage(r, estimates.get(r.name)));
  if (read && mixed && read.stages.length > 0 && mixed.stages.length > 0) figures.push(p95ReadVsMixed(read, mixed));
  const closed = http.filter((r) => r.stages.length > 0);
  if (closed.length > 0) figures.push(degradation(closed));
  if (asyncResult && asyncResult.timeline.length > 1) figures.push(drainRate(asyncResult));
  if (asyncResult?.drains && asyncResult.drains.length > 1) figures.push(drainVsWorkers(asyncResult.drains));
  if (summary.speedup && summary.speedup.length > 0) figures.push(speedup(summary.speedup));
  const monitoring = monitoringFigure(summary);
  if (monitoring) figures.push(monitoring);
  if (summary.resilience) figures.push(resilienceTimeline(summary.resilience));
  if (baseline) {
    for (const r of http) {
      const before = baseline.scenarios.find((s): s is HttpScenarioResult => s.name === r.name);
      const overlay = before ? baselineOverlay(r.name, r, before) : undefined;
      if (overlay) figures.push(overlay);
    }
  }
  return figures;
}

/** Renders a figure to SVG. Vega is ESM-only, so it is loaded on first use. */
export async function renderSvg(figure: Figure): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const spec = vegaLite.compile({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: figure.title, ...figure.spec } as never).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
