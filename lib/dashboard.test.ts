import { describe, expect, it } from "vitest";
import { dashboardJson, header, mosaic, MOSAIC_COLUMNS, ratioSeries, scorecard, series, withoutProto3Defaults, xyChart } from "./dashboard";

const chart = (title: string) => xyChart(title, [series('metric.type="x"', { perSeriesAligner: "ALIGN_RATE" })]);

describe("dashboard builders", () => {
  it("wraps tiles into rows as tall as their tallest tile", () => {
    const placed = mosaic([
      { widget: chart("a"), width: 24, height: 16 },
      { widget: chart("b"), width: 24, height: 8 },
      { widget: chart("c"), width: 16, height: 4 },
    ]);
    expect(placed.map(({ xPos, yPos }) => [xPos, yPos])).toEqual([
      [0, 0],
      [24, 0],
      [0, 16],
    ]);
    expect(() => mosaic([{ widget: chart("wide"), width: MOSAIC_COLUMNS + 1, height: 1 }])).toThrow(/wider than the 48-column grid/);
  });

  it("builds charts, ratios and scorecards in Cloud Monitoring's shape", () => {
    const widget = xyChart("t", [ratioSeries("bad", "all", { perSeriesAligner: "ALIGN_RATE" })], { thresholds: [{ value: 0.005, label: "SLO" }] }) as any;
    expect(widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilterRatio.numerator).toEqual({ filter: "bad", aggregation: { alignmentPeriod: "60s", perSeriesAligner: "ALIGN_RATE" } });
    expect(widget.xyChart.thresholds).toEqual([{ value: 0.005, label: "SLO", color: "RED", direction: "ABOVE", targetAxis: "Y1" }]);
    const card = scorecard("budget", "select_slo_budget_fraction(x)", { dangerBelow: 0 }) as any;
    expect(card.scorecard.thresholds).toEqual([{ value: 0, color: "RED", direction: "BELOW" }]);
  });

  it("serialises deterministically", () => {
    const tiles = [{ widget: chart("a"), width: 24, height: 16 }];
    expect(dashboardJson("d", tiles)).toBe(dashboardJson("d", tiles));
    expect(JSON.parse(dashboardJson("d", tiles)).mosaicLayout.columns).toBe(48);
  });

  it("leaves out the fields proto3 treats as unset (0, \"\", false, []), which the Monitoring API drops (provider issue 16173)", () => {
    const json = JSON.parse(dashboardJson("d", [
      { widget: header("Section"), width: 48, height: 4 },
      { widget: scorecard("budget", "select_slo_budget_fraction(x)", { dangerBelow: 0, warningBelow: 0.25 }), width: 12, height: 8 },
    ]));
    expect(json.mosaicLayout.tiles[0]).toEqual({ width: 48, height: 4, widget: { title: "Section", text: { format: "MARKDOWN", style: { fontSize: "FS_LARGE" } } } });
    expect(json.mosaicLayout.tiles[1].yPos).toBe(4);
    expect(json.mosaicLayout.tiles[1].xPos).toBeUndefined();
    // A threshold at 0 is still a threshold at 0: absent reads as 0, as the API stores it.
    expect(json.mosaicLayout.tiles[1].widget.scorecard.thresholds).toEqual([{ color: "RED", direction: "BELOW" }, { value: 0.25, color: "YELLOW", direction: "BELOW" }]);
    expect(json.labels).toBeUndefined();
  });

  it("keeps empty messages (they have presence) and every value that is not a default", () => {
    expect(withoutProto3Defaults({ a: 0, b: "", c: false, d: [], e: {}, f: [0, 1], g: { h: 0, i: true }, j: "x", k: -1 })).toEqual({ e: {}, f: [0, 1], g: { i: true }, j: "x", k: -1 });
  });
});
