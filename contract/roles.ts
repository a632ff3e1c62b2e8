/** The roles one image runs, chosen by its first argument. */
export const APP_ROLES = ["api", "worker", "realtime", "dispatcher", "migrate", "seed"] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** The roles deployed as Cloud Run services (the dispatcher is the local Cloud Tasks; migrate a job). */
export const SERVICE_ROLES = ["api", "realtime", "worker"] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];
