import type { EnvironmentInput } from "./schema";

/**
 * Development: the study's quota (10 api instances of 1 vCPU / 1 GiB), small zonal database and
 * basic Redis. Safety settings are relaxed only where the data is disposable.
 */
export const dev: EnvironmentInput = {
  name: "dev",
  namePrefix: "valorize-dev",
  region: "us-central1",
  labels: { env: "dev", cost_center: "platform" },
  network: { subnetCidr: "10.10.0.0/24" },
  database: {
    edition: "ENTERPRISE",
    tier: "db-custom-1-3840",
    availabilityType: "ZONAL",
    diskSizeGb: 10,
    deletionProtection: false,
    backups: { pointInTimeRecovery: true, transactionLogRetentionDays: 1, retainedBackups: 3 },
  },
  cache: { tier: "BASIC", memorySizeGb: 1 },
  // No domain: an HTTP-only edge (synth warns). Cloud Armor only logs, so load tests are not throttled.
  // The static site comes from the api: no public bucket, so the apply passes secure-by-default
  // organisation policies (README, "Static site").
  edge: { armor: { preview: true, logLevel: "VERBOSE" }, staticAssets: { serveFrom: "api" } },
  policy: {
    suppressions: [
      { rule: "VZ-EDGE-003", resource: "edge/http-proxy", reason: "dev has no domain: the edge serves HTTP only (the Edge construct warns); add edge.domains to remove this." },
    ],
  },
  services: {
    api: { minInstances: 0, maxInstances: 10 },
    realtime: { minInstances: 0, maxInstances: 2 },
    worker: { minInstances: 0, maxInstances: 5 },
  },
};
