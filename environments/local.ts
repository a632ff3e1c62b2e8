import { LOCAL_WORKER } from "../contract";
import type { EnvironmentInput } from "./schema";

/**
 * Local: the same system on one machine (the Docker stack and `npm run experiment`). Cloud-only
 * settings keep their defaults and are ignored; the worker is the contract's local worker, so the
 * task queue policies resolve to what the local dispatcher enforces (contract: localTaskPolicies).
 */
export const local: EnvironmentInput = {
  name: "local",
  namePrefix: "valorize-local",
  labels: { env: "local" },
  services: {
    api: { maxInstances: 1 },
    realtime: { maxInstances: 1 },
    worker: { ...LOCAL_WORKER },
  },
};
