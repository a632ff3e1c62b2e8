import type { EnvironmentInput } from "./schema";
import type { WorkerCapacity } from "./task-queues";

/**
 * The local worker: one process, which Node serves 1,000 concurrent requests with at ease (Cloud
 * Run's per-instance maximum). The local dispatcher sizes its queues' concurrency from it, as the
 * cloud queues are sized from the cloud worker.
 */
export const LOCAL_WORKER: WorkerCapacity = { maxInstances: 1, concurrency: 1000 };

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
    worker: { ...LOCAL_WORKER },
  },
};
