/**
 * Typed builders for Cloud Monitoring dashboards (`google_monitoring_dashboard.dashboard_json`):
 * charts and scorecards from metric filters, laid out on a mosaic grid. Dashboards are generated,
 * never pasted: each tile is a function call, and the JSON is deterministic.
 */

export interface Aggregation {
  readonly alignmentPeriod?: string;
  readonly perSeriesAligner: string;
  readonly crossSeriesReducer?: string;
  readonly groupByFields?: readonly string[];
}

type Json = Record<string, unknown>;

export interface DataSet {
  readonly timeSeriesQuery: Json;
  readonly plotType: "LINE" | "STACKED_AREA" | "STACKED_BAR";
  readonly legendTemplate?: string;
  readonly targetAxis: "Y1";
}

export interface Widget {
  readonly title: string;
  readonly [kind: string]: unknown;
}

const aggregation = (a: Aggregation): Json => ({ alignmentPeriod: a.alignmentPeriod ?? "60s", ...a, ...(a.groupByFields ? { groupByFields: [...a.groupByFields] } : {}) });

/** A series from one metric filter. */
export function series(filter: string, agg: Aggregation, legendTemplate?: string, plotType: DataSet["plotType"] = "LINE"): DataSet {
  return {
    timeSeriesQuery: { timeSeriesFilter: { filter, aggregation: aggregation(agg) } },
    plotType,
    targetAxis: "Y1",
    ...(legendTemplate ? { legendTemplate } : {}),
  };
}

/** A ratio of two filters, e.g. 5xx requests / all requests. */
export function ratioSeries(numerator: string, denominator: string, agg: Aggregation, legendTemplate?: string): DataSet {
  return {
    timeSeriesQuery: { timeSeriesFilterRatio: { numerator: { filter: numerator, aggregation: aggregation(agg) }, denominator: { filter: denominator, aggregation: aggregation(agg) } } },
    plotType: "LINE",
    targetAxis: "Y1",
    ...(legendTemplate ? { legendTemplate } : {}),
  };
}

export interface Threshold {
  readonly value: number;
  readonly label: string;
}

export function xyChart(title: string, dataSets: readonly DataSet[], options: { readonly yLabel?: string; readonly thresholds?: readonly Threshold[] } = {}): Widget {
  return {
    title,
    xyChart: {
      dataSets: [...dataSets],
      yAxis: { ...(options.yLabel ? { label: options.yLabel } : {}), scale: "LINEAR" },
      ...(options.thresholds?.length ? { thresholds: options.thresholds.map((t) => ({ value: t.value, label: t.label, color: "RED", direction: "ABOVE", targetAxis: "Y1" })) } : {}),
    },
  };
}

/** A single number with a spark line, e.g. the error budget left. */
export function scorecard(title: string, filter: string, options: { readonly dangerBelow?: number; readonly warningBelow?: number } = {}): Widget {
  const thresholds = [
    ...(options.dangerBelow !== undefined ? [{ value: options.dangerBelow, color: "RED", direction: "BELOW" }] : []),
    ...(options.warningBelow !== undefined ? [{ value: options.warningBelow, color: "YELLOW", direction: "BELOW" }] : []),
  ];
  return {
    title,
    scorecard: {
      timeSeriesQuery: { timeSeriesFilter: { filter } },
      sparkChartView: { sparkChartType: "SPARK_LINE" },
      ...(thresholds.length ? { thresholds } : {}),
    },
  };
}

export function header(text: string): Widget {
  return { title: text, text: { format: "MARKDOWN", style: { fontSize: "FS_LARGE" } } };
}

export interface TileSpec {
  readonly widget: Widget;
  /** Grid columns (of MOSAIC_COLUMNS). */
  readonly width: number;
  readonly height: number;
}

/** Cloud Monitoring's mosaic layout is 48 columns wide. */
export const MOSAIC_COLUMNS = 48;

export interface PlacedTile {
  readonly xPos: number;
  readonly yPos: number;
  readonly width: number;
  readonly height: number;
  readonly widget: Widget;
}

/** Places tiles left to right, wrapping rows, each row as tall as its tallest tile. */
export function mosaic(tiles: readonly TileSpec[]): PlacedTile[] {
  const placed: PlacedTile[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const tile of tiles) {
    if (tile.width > MOSAIC_COLUMNS) throw new Error(`tile "${tile.widget.title}" is wider than the ${MOSAIC_COLUMNS}-column grid`);
    if (x + tile.width > MOSAIC_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    placed.push({ xPos: x, yPos: y, width: tile.width, height: tile.height, widget: tile.widget });
    x += tile.width;
    rowHeight = Math.max(rowHeight, tile.height);
  }
  return placed;
}

/**
 * The dashboard without the fields proto3 treats as unset: 0, "", false and empty lists.
 *
 * The Monitoring API stores dashboards as protocol buffers and answers with proto3 JSON, which
 * leaves out every scalar or repeated field equal to its default (`xPos: 0`, `label: ""`,
 * `groupByFields: []`, a threshold's `value: 0`). The provider compares that answer with the
 * configured `dashboard_json`, so any such field shows as a change on every plan
 * (hashicorp/terraform-provider-google#16173, open; #7242 before it). Dropping them loses nothing:
 * a proto3 scalar without presence reads as its default when absent, which is also how the API
 * itself stores them (a threshold at 0 stays a threshold at 0; the dashboard's fields carry no
 * `optional` presence). Empty objects are kept: a message field does have presence (an empty
 * widget kind still selects that kind), and the API returns it as `{}`.
 */
export function withoutProto3Defaults<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutProto3Defaults(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (isProto3Default(field)) continue;
    kept[key] = withoutProto3Defaults(field);
  }
  return kept as T;
}

function isProto3Default(field: unknown): boolean {
  return field === 0 || field === "" || field === false || field === undefined || (Array.isArray(field) && field.length === 0);
}

export function dashboardJson(displayName: string, tiles: readonly TileSpec[], labels: Readonly<Record<string, string>> = {}): string {
  const dashboard = { displayName, mosaicLayout: { columns: MOSAIC_COLUMNS, tiles: mosaic(tiles) }, ...(Object.keys(labels).length ? { labels } : {}) };
  return JSON.stringify(withoutProto3Defaults(dashboard));
}
