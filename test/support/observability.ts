/** Builds an Observability construct over a made-up environment and reads it back, for its tests. */
import { Observability, type ObservabilityProps, type ObservabilityTarget, type SloSpec } from "../../constructs/observability";
import { BASE } from "./fixtures";
import { resourcesOf, synthStack, type SynthesizedJson } from "./synth";

export const target: ObservabilityTarget = {
  services: { api: "vz-test-api", realtime: "vz-test-realtime", worker: "vz-test-worker" },
  database: { id: "acme-test-1:vz-test-pg", maxConnections: 200 },
  cache: { id: "projects/acme-test-1/locations/us-central1/instances/vz-test-redis" },
  queues: ["vz-test-categorise-0", "vz-test-import-0"],
  edge: { publicHost: "valorize.example.com", usesHttps: true, urlMap: "vz-test-url-map" },
};

/** The study's SLOs: errors < 0.5 % and P95 <= 300 ms, and the worker's task success. */
export const STUDY_SLOS: readonly SloSpec[] = [
  { service: "api", sli: "availability", objective: 0.995 },
  { service: "api", sli: "latency", objective: 0.95, thresholdMs: 300 },
  { service: "realtime", sli: "availability", objective: 0.995 },
  { service: "worker", sli: "task-success", objective: 0.995 },
];

export const notifications = { pageEmails: ["oncall@example.com"], ticketEmails: ["team@example.com"] };

/** The construct with the study's SLOs and the given options over its other defaults. */
export function synthObservability(options: Partial<Omit<ObservabilityProps, "project" | "region" | "namePrefix">> = {}) {
  return synthStack((stack) => new Observability(stack, "observability", { ...BASE, environment: "test", target, slos: STUDY_SLOS, ...options }));
}

export const alertPolicies = (json: SynthesizedJson) => Object.values(resourcesOf(json, "google_monitoring_alert_policy")) as any[];

/** The dashboard's tiles as the Monitoring API gets them. */
export const dashboardTiles = (json: SynthesizedJson) =>
  JSON.parse((Object.values(resourcesOf(json, "google_monitoring_dashboard"))[0] as any).dashboard_json).mosaicLayout.tiles as Array<{ xPos?: number; yPos?: number; width: number; height: number; widget: any }>;
