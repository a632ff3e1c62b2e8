import type { EnvironmentInput } from "./schema";

/** Staging: prod's shape (regional database, HA Redis) at a smaller size, for release rehearsals. */
export const staging: EnvironmentInput = {
  name: "staging",
  namePrefix: "valorize-stg",
  region: "us-central1",
  labels: { env: "staging", cost_center: "platform" },
  network: { subnetCidr: "10.20.0.0/24" },
  database: {
    edition: "ENTERPRISE",
    tier: "db-custom-2-7680",
    availabilityType: "REGIONAL",
    diskSizeGb: 20,
    deletionProtection: true,
  },
  cache: { tier: "STANDARD_HA", memorySizeGb: 1 },
  // Enforcing here surfaces WAF false positives before prod.
  // Domains and alert recipients: VALORIZE_STAGING_DOMAINS and VALORIZE_STAGING_TICKET_EMAILS
  // (or write them here in your fork).
  edge: { armor: { preview: false, logLevel: "VERBOSE" }, staticAssets: { serveFrom: "api" } },
  services: {
    api: { minInstances: 1, maxInstances: 20 },
    realtime: { minInstances: 1, maxInstances: 3 },
    worker: { minInstances: 0, maxInstances: 10 },
  },
};
