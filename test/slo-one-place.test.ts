/**
 * The SLO is one fact (contract/slo.ts): change the latency threshold and the availability
 * objective there, and the SLO resources, the burn-rate alerts on them, the dashboard's lines, the
 * experiment's verdicts and the benchmark's SLO check all follow. Here the contract module is
 * replaced by one with other numbers, and every consumer is built from it as in production.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../contract/slo", async (importOriginal) => {
  const original = await importOriginal<typeof import("../contract/slo")>();
  return { ...original, STUDY_SLO: { latencyThresholdMs: 200, latencyObjective: 0.9, availabilityObjective: 0.99 } };
});

const { loadEnvironment } = await import("../environments");
const { resourcesOf, synthEnvironment } = await import("./support/synth");
const { SLO, sloText, sloVerdict } = await import("../loadtests/slo");

describe("changing the SLO in contract/slo.ts", () => {
  const config = loadEnvironment("dev");
  const { json } = synthEnvironment(config);
  const slos = Object.values(resourcesOf(json, "google_monitoring_slo")) as any[];

  it("changes the environments' SLO specs", () => {
    expect(config.observability.slos).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: "api", sli: "availability", objective: 0.99 }),
        expect.objectContaining({ service: "api", sli: "latency", objective: 0.9, thresholdMs: 200 }),
        expect.objectContaining({ service: "worker", sli: "task-success", objective: 0.99 }),
      ]),
    );
  });

  it("changes the SLO resources: goals and the latency cut", () => {
    expect(slos.map((s) => [s.slo_id, s.goal]).sort()).toEqual([
      ["api-availability", 0.99],
      ["api-latency", 0.9],
      ["realtime-availability", 0.99],
      ["worker-task-success", 0.99],
    ]);
    const cut = slos.find((s) => s.slo_id === "api-latency").request_based_sli.distribution_cut.range.max;
    expect(cut).toBeGreaterThanOrEqual(200);
    expect(cut).toBeLessThan(300); // the first histogram bound at or above 200 ms (1.4^16), not 300's (1.4^17)
    expect(slos.find((s) => s.slo_id === "api-latency").display_name).toContain("90.00 % of requests within 200 ms");
    expect(slos.find((s) => s.slo_id === "api-availability").display_name).toContain("99.00 % of requests without 5xx");
  });

  it("changes the burn-rate alerts, which watch those SLOs: three per SLO", () => {
    const sloIds = Object.keys(resourcesOf(json, "google_monitoring_slo"));
    const alerts = Object.values(resourcesOf(json, "google_monitoring_alert_policy")) as any[];
    for (const id of sloIds) {
      const watching = alerts.filter((a) => JSON.stringify(a.conditions).includes(`select_slo_burn_rate(\\"\${google_monitoring_slo.${id}.name}`));
      expect(watching, id).toHaveLength(3);
    }
  });

  it("changes the dashboard's SLO lines: the 5xx ratio line at 1 %, the latency line at 200 ms", () => {
    const dashboard = JSON.parse((Object.values(resourcesOf(json, "google_monitoring_dashboard"))[0] as any).dashboard_json);
    const thresholds = JSON.stringify(dashboard).match(/"thresholds":\[[^\]]*\]/g) ?? [];
    expect(thresholds.some((t) => t.includes('"value":0.01'))).toBe(true);
    expect(thresholds.some((t) => t.includes('"value":200'))).toBe(true);
    expect(thresholds.some((t) => t.includes('"value":300') || t.includes('"value":0.005'))).toBe(false);
  });

  it("changes the experiment's verdicts and the benchmark's SLO check", () => {
    expect(SLO).toMatchObject({ p95Ms: 200, maxErrorRate: 0.01, availability: 0.99, percentile: 90 });
    expect(sloVerdict(210, 0).ok).toBe(false);
    expect(sloVerdict(190, 0.008).ok).toBe(true);
    expect(sloText()).toBe("P90 <= 200 ms, errors < 1 %");
  });
});
