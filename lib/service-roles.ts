/**
 * The app's Cloud Run services, all from one image: a pure list that the config, the constructs
 * and the stacks share (constructs read it from here, not from environments/).
 */
export const SERVICE_ROLES = ["api", "realtime", "worker"] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];
