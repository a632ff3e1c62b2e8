import type { EnvironmentInput } from "./schema";

/**
 * Production: the study's database (2 vCPU / 16 GiB, which Cloud SQL offers as the Enterprise
 * Plus tier db-perf-optimized-N-2), regional with PITR and deletion protection, HA Redis, warm
 * api and realtime instances and four times the study's api quota.
 */
export const prod: EnvironmentInput = {
  name: "prod",
  namePrefix: "valorize-prod",
  region: "us-central1",
  labels: { env: "prod", cost_center: "platform" },
  network: { subnetCidr: "10.30.0.0/23" },
  database: {
    edition: "ENTERPRISE_PLUS",
    tier: "db-perf-optimized-N-2",
    availabilityType: "REGIONAL",
    diskSizeGb: 100,
    diskAutoresizeLimitGb: 1000,
    deletionProtection: true,
    backups: { pointInTimeRecovery: true, transactionLogRetentionDays: 14, retainedBackups: 30 },
  },
  cache: { tier: "STANDARD_HA", memorySizeGb: 5 },
  // Domains and alert recipients are the organisation's own: VALORIZE_PROD_DOMAINS,
  // VALORIZE_PROD_PAGE_EMAILS and VALORIZE_PROD_TICKET_EMAILS (or write them here in your fork).
  edge: { armor: { preview: false }, staticAssets: { serveFrom: "api" } },
  services: {
    api: { minInstances: 2, maxInstances: 40 },
    realtime: { minInstances: 1, maxInstances: 10 },
    worker: { minInstances: 1, maxInstances: 20 },
  },
  taskQueues: { categorise: { shards: 8 } },
};
