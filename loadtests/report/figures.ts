/**
 * The report's figures as Vega-Lite specifications, rendered to SVG with Vega (no browser, no
 * canvas). Specs are plain data built from the summary, so tests can check what each figure
 * shows without parsing SVG.
 */
import type { AsyncScenarioResult, HttpScenarioResult, ScenarioEstimate, SpeedupPoint, Summary } from "../results";
import { SLO } from "../stats";

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

function sloRule(): Record<string, unknown> {
  return {
    data: SINGLE_DATUM,
    mark: { type: "rule", color: "#d62728", strokeDash: [6, 4], strokeWidth: 1.5 },
    encoding: { y: { datum: SLO.p95Ms } },
  };
}

function sloLabel(): Record<string, unknown> {
  return {
    data: SINGLE_DATUM,
    mark: { type: "text", color: "#d62728", align: "left", dx: 4, dy: -6, fontSize: 11 },
    encoding: { y: { datum: SLO.p95Ms }, x: { value: 0 }, text: { value: `SLO: P95 <= ${SLO.p95Ms} ms` } },
  };
}

/** P50/P95/P99 per VU stage with the SLO line (and 95 % CI error bars when repeated). */
export function latencyPerStage(result: HttpScenarioResult, estimateOf?: ScenarioEstimate): Figure {
  const rows = result.stages.flatMap((stage, i) =>
    (["p50", "p95", "p99"] as const).map((percentile) => {
      const ci = estimateOf?.stages?.[i]?.[percentile];
      const value = ci ? ci.mean : stage[percentile];
      return { vus: stage.vus, percentile: percentile.toUpperCase(), ms: value, low: ci ? value - ci.ci95 : value, high: ci ? value + ci.ci95 : value };
    }),
  );
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "vus", type: "quantitative", title: "virtual users" },
        y: { field: "ms", type: "quantitative", title: "latency (ms)" },
        color: { field: "percentile", type: "nominal", title: null, sort: ["P50", "P95", "P99"] },
      },
    },
    sloRule(),
    sloLabel(),
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
            y: { field: "p95", type: "quantitative", title: "P95 (ms)" },
            color: { field: "scenario", type: "nominal", title: null },
          },
        },
        sloRule(),
        sloLabel(),
      ],
    },
  };
}

/** Degradation: how latency grows as the served load grows (fixed resources). */
export function degradation(results: readonly HttpScenarioResult[]): Figure {
  const rows = results.flatMap((r) => r.stages.map((s) => ({ scenario: r.name, rps: s.rps, p95: s.p95, vus: s.vus })));
  return {
    file: "degradation.svg",
    title: "Degradation: P95 latency against throughput (fixed capacity)",
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "rps", type: "quantitative", title: "throughput (requests/s)" },
            y: { field: "p95", type: "quantitative", title: "P95 (ms, log scale)", scale: { type: "log" } },
            color: { field: "scenario", type: "nominal", title: null },
            tooltip: [{ field: "vus" }],
          },
        },
        sloRule(),
      ],
    },
  };
}

/** Completed tasks at time `t`, interpolated between the probe's samples. */
function completedAt(points: AsyncScenarioResult["timeline"], t: number): number {
  const after = points.findIndex((p) => p.t >= t);
  if (after <= 0) return after === 0 ? points[0]!.completed : points.at(-1)!.completed;
  const a = points[after - 1]!;
  const b = points[after]!;
  return a.completed + ((b.completed - a.completed) * (t - a.t)) / (b.t - a.t || 1);
}

/**
 * Tasks completed per minute while the queue drains, in about 60 equal bins: the probe's raw
 * samples are too fine (workers complete tasks in batches) to read a rate from.
 */
export function drainRate(result: AsyncScenarioResult): Figure {
  const points = result.timeline;
  const end = points.at(-1)?.t ?? 0;
  const bin = Math.max(1, Math.round(end / 60));
  const rows = Array.from({ length: Math.ceil(end / bin) }, (_, i) => {
    const from = i * bin;
    const to = Math.min(end, from + bin);
    return { from, to, tasksPerMinute: ((completedAt(points, to) - completedAt(points, from)) / (to - from || 1)) * 60 };
  });
  return {
    file: "async-drain.svg",
    title: `Async pipeline: tasks/min during the drain (${result.tasks.toLocaleString("en-US")} tasks, ${bin} s bins)`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      mark: { type: "rect", color: "#4c78a8", stroke: "white", strokeWidth: 0.5 },
      encoding: {
        x: { field: "from", type: "quantitative", title: "seconds since publishing started" },
        x2: { field: "to" },
        y: { field: "tasksPerMinute", type: "quantitative", title: "tasks/min" },
      },
    },
  };
}

/** Speedup: throughput and P95 against api instances (fixed load). */
export function speedup(points: readonly SpeedupPoint[]): Figure {
  const rows = points.flatMap((p) => [
    { instances: p.instances, metric: "mean requests/s", value: p.meanRps },
    { instances: p.instances, metric: "P95 (ms)", value: p.p95 },
  ]);
  return {
    file: "speedup.svg",
    title: "Speedup: throughput and P95 against api instances",
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

/** Every figure the summary has data for. */
export function figuresFor(summary: Summary): Figure[] {
  const byName = new Map(summary.scenarios.map((s) => [s.name, s]));
  const estimates = new Map((summary.confidence ?? []).map((e) => [e.name, e]));
  const read = byName.get("read") as HttpScenarioResult | undefined;
  const mixed = byName.get("mixed") as HttpScenarioResult | undefined;
  const asyncResult = byName.get("async") as AsyncScenarioResult | undefined;
  const figures: Figure[] = [];
  if (read) figures.push(latencyPerStage(read, estimates.get("read")));
  if (mixed) figures.push(latencyPerStage(mixed, estimates.get("mixed")));
  if (read && mixed) figures.push(p95ReadVsMixed(read, mixed));
  const http = [read, mixed].filter((r): r is HttpScenarioResult => r !== undefined);
  if (http.length > 0) figures.push(degradation(http));
  if (asyncResult && asyncResult.timeline.length > 1) figures.push(drainRate(asyncResult));
  if (summary.speedup && summary.speedup.length > 0) figures.push(speedup(summary.speedup));
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
