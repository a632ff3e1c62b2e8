import { describe, expect, it } from "vitest";
import { MOSAIC_COLUMNS } from "../../lib/dashboard";
import { dashboardTiles, notifications, STUDY_SLOS, synthObservability } from "../../test/support/observability";
import { resourcesOf } from "../../test/support/synth";

const { json } = synthObservability({ notifications });
const slos = Object.values(resourcesOf(json, "google_monitoring_slo")) as any[];

describe("Observability: dashboard", () => {
  // xPos and yPos are left out at 0 (proto3 defaults, see lib/dashboard.ts).
  const tiles = dashboardTiles(json).map((t) => ({ ...t, xPos: t.xPos ?? 0, yPos: t.yPos ?? 0 }));
  const titles = tiles.map((t) => t.widget.title as string);

  it("has per-service traffic, errors, latency, instances, CPU and memory", () => {
    for (const role of ["api", "realtime", "worker"]) {
      for (const chart of ["requests/s by class", "5xx ratio", "latency P50/P95/P99", "instances", "CPU utilisation P95", "memory utilisation P95"]) {
        expect(titles).toContain(`${role}: ${chart}`);
      }
    }
  });

  it("draws the 300 ms SLO line on api and worker latency, not on WebSocket connection times", () => {
    const latency = (role: string) => tiles.find((t) => t.widget.title === `${role}: latency P50/P95/P99`)!.widget.xyChart;
    expect(latency("api").thresholds).toEqual([expect.objectContaining({ value: 300 })]);
    expect(latency("api").dataSets.map((d: any) => d.legendTemplate)).toEqual(["P50", "P95", "P99"]);
    expect(latency("realtime").thresholds).toBeUndefined();
  });

  it("covers Cloud SQL (connections against max_connections), Redis, Cloud Tasks, the load balancer and every SLO's budget", () => {
    const connections = tiles.find((t) => t.widget.title === "Cloud SQL connections vs max_connections")!.widget.xyChart;
    expect(connections.thresholds[0].value).toBe(200);
    for (const title of ["Redis memory usage ratio", "Redis cache hit ratio", "Redis connected clients", "Redis main-thread CPU", "Queue depth", "Task attempts by response", "Load balancer requests/s by class", "Load balancer latency P95"]) {
      expect(titles).toContain(title);
    }
    const budgets = tiles.filter((t) => t.widget.scorecard);
    expect(budgets).toHaveLength(slos.length);
    for (const b of budgets) expect(b.widget.scorecard.timeSeriesQuery.timeSeriesFilter.filter).toMatch(/^select_slo_budget_fraction\(/);
  });

  it("lays tiles on the grid without overlaps", () => {
    for (const t of tiles) expect(t.xPos + t.width).toBeLessThanOrEqual(MOSAIC_COLUMNS);
    for (let i = 0; i < tiles.length; i++) {
      for (let j = i + 1; j < tiles.length; j++) {
        const [a, b] = [tiles[i]!, tiles[j]!];
        const overlap = a.xPos < b.xPos + b.width && b.xPos < a.xPos + a.width && a.yPos < b.yPos + b.height && b.yPos < a.yPos + a.height;
        expect(overlap, `${a.widget.title} / ${b.widget.title}`).toBe(false);
      }
    }
  });

  it("escapes chart legends so Terraform does not interpolate them", () => {
    const raw = (Object.values(resourcesOf(json, "google_monitoring_dashboard"))[0] as any).dashboard_json as string;
    expect(raw).toContain("$${metric.label.response_code_class}");
    expect(raw).not.toMatch(/[^$]\$\{metric\./);
  });
});

describe("Observability: the dashboard follows the SLOs and thresholds", () => {
  const chart = (tiles: ReturnType<typeof dashboardTiles>, title: string) => tiles.find((t) => t.widget.title === title)!.widget.xyChart;

  it("draws each role's 5xx line at the error share its availability or task-success SLO allows", () => {
    const study = dashboardTiles(json);
    for (const role of ["api", "realtime", "worker"]) expect(chart(study, `${role}: 5xx ratio`).thresholds).toEqual([expect.objectContaining({ value: 0.005, label: "0.5 % error SLO" })]);
    const stricter = STUDY_SLOS.map((s) => (s.service === "api" && s.sli === "availability" ? { ...s, objective: 0.999 } : s));
    const tiles = dashboardTiles(synthObservability({ slos: stricter }).json);
    expect(chart(tiles, "api: 5xx ratio").thresholds).toEqual([expect.objectContaining({ value: 0.001, label: "0.1 % error SLO" })]);
    expect(chart(tiles, "worker: 5xx ratio").thresholds).toEqual([expect.objectContaining({ value: 0.005, label: "0.5 % error SLO" })]);
  });

  it("draws the latency SLO's threshold on the request latency charts, and none without a latency SLO", () => {
    const faster = STUDY_SLOS.map((s) => (s.sli === "latency" ? { ...s, thresholdMs: 250 } : s));
    const tiles = dashboardTiles(synthObservability({ slos: faster }).json);
    for (const title of ["api: latency P50/P95/P99", "worker: latency P50/P95/P99", "Load balancer latency P95"]) {
      expect(chart(tiles, title).thresholds).toEqual([expect.objectContaining({ value: 250, label: "250 ms SLO" })]);
    }
    const none = dashboardTiles(synthObservability({ slos: STUDY_SLOS.filter((s) => s.sli !== "latency") }).json);
    expect(chart(none, "api: latency P50/P95/P99").thresholds).toBeUndefined();
  });

  it("turns each error budget scorecard amber where the budget-left ticket fires", () => {
    const scorecards = (tiles: ReturnType<typeof dashboardTiles>) => tiles.filter((t) => t.widget.scorecard).map((t) => t.widget.scorecard.thresholds);
    for (const thresholds of scorecards(dashboardTiles(json))) expect(thresholds).toContainEqual(expect.objectContaining({ value: 0.25, color: "YELLOW" }));
    for (const thresholds of scorecards(dashboardTiles(synthObservability({ alerts: { errorBudgetLeft: 0.4 } }).json))) {
      expect(thresholds).toContainEqual(expect.objectContaining({ value: 0.4, color: "YELLOW" }));
    }
  });
});
