import type { AppRole } from "./roles";

/** The port the app listens on in a container (Cloud Run passes it as PORT). */
export const CONTAINER_PORT = 8080;

/** Ports used when PORT is unset, so that every role can run side by side on one machine. */
export const LOCAL_PORTS: Readonly<Record<AppRole, number>> = {
  api: 8080,
  worker: 8081,
  realtime: 8082,
  dispatcher: 8083,
  migrate: 0,
  seed: 0,
};
