import type { EnvironmentInput } from "./schema";

/**
 * Local: the same system on one machine (the Docker stack and `npm run experiment`). Cloud-only
 * settings keep their defaults and are ignored; the task queue policies are the ones the local
 * dispatcher enforces.
 */
export const local: EnvironmentInput = {
  name: "local",
  namePrefix: "valorize-local",
  labels: { env: "local" },
  services: {
    api: { maxInstances: 1 },
    realtime: { maxInstances: 1 },
    worker: { maxInstances: 1 },
  },
};
