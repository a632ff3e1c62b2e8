/**
 * The paths the roles serve and the edge (load balancer or local proxy) routes to them.
 */
import type { TaskType } from "./task-queues";

/** Liveness: the process is up. Every role serves it; the edge routes it to the api (uptime checks). */
export const HEALTH_PATH = "/healthz";
/** Readiness: the role's dependencies answer. Every role serves it. */
export const READY_PATH = "/readyz";
/** The api's routes live under it. */
export const API_PATH = "/api";
/** The realtime role's WebSocket. */
export const REALTIME_PATH = "/ws";

/** Where the worker takes a pushed task of a type. */
export function taskPath(type: TaskType): string {
  return `/tasks/${type}`;
}

/** Path routing at the edge; everything not listed is the static site (served by the api). */
export const EDGE_ROUTES = {
  api: [API_PATH, `${API_PATH}/*`, HEALTH_PATH],
  realtime: [REALTIME_PATH, `${REALTIME_PATH}/*`],
} as const satisfies Readonly<Record<"api" | "realtime", readonly string[]>>;
