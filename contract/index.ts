/**
 * The contract between the app and everything that starts it (the stacks and constructs, the
 * local system, the Docker stack), the policy pack and the load tests: what each side must agree
 * on, defined once. Plain TypeScript importing nothing (no zod, no cdktf, nothing of the app), so
 * every floor may read it and the app's bundle and the k6 script can include it.
 */
export * from "./roles";
export * from "./ports";
export * from "./routes";
export * from "./runtime-env";
export * from "./slo";
export * from "./task-queues";
export * from "./sizing";
