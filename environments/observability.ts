/**
 * Observability settings (constructs/observability/, props mapped by the stack): a short SLO spec per service, from which
 * the SLOs, burn-rate alerts and dashboard tiles are generated; notification routing; the uptime
 * check; resource alert thresholds. Defaults are the study's SLOs.
 */
import { z } from "zod";

const email = z.email("must be an email address");
const ratio = (what: string) => z.number().gt(0, `${what} must be above 0`).lt(1, `${what} must be below 1`);

export const SLO_SERVICES = ["api", "realtime", "worker"] as const;
export const SLI_KINDS = ["availability", "latency", "task-success"] as const;
export const UPTIME_REGIONS = ["USA", "EUROPE", "SOUTH_AMERICA", "ASIA_PACIFIC", "USA_OREGON", "USA_IOWA", "USA_VIRGINIA"] as const;

/**
 * One SLO: which service, which SLI, the objective and the rolling window.
 * - availability: share of requests that are not 5xx;
 * - latency: share of requests served within `thresholdMs` (P95 <= 300 ms is "95 % within 300 ms");
 * - task-success: share of task attempts the worker answered with 2xx (every Cloud Tasks
 *   attempt is one request to the worker).
 */
export const sloSpecSchema = z
  .strictObject({
    service: z.enum(SLO_SERVICES),
    sli: z.enum(SLI_KINDS),
    /** Cloud Monitoring accepts goals in (0, 0.999]. */
    objective: z.number().gt(0, "must be above 0").max(0.999, "must be at most 0.999 (Cloud Monitoring's limit)"),
    /** Rolling period, 1-30 days. */
    windowDays: z.number().int().min(1, "must be at least 1 day").max(30, "must be at most 30 days").default(28),
    thresholdMs: z.number().positive("must be positive").optional(),
  })
  .superRefine((slo, ctx) => {
    if (slo.sli === "latency" && slo.thresholdMs === undefined) ctx.addIssue({ code: "custom", path: ["thresholdMs"], message: "is required for a latency SLO" });
    if (slo.sli !== "latency" && slo.thresholdMs !== undefined) ctx.addIssue({ code: "custom", path: ["thresholdMs"], message: "only applies to latency SLOs" });
    if (slo.service === "realtime" && slo.sli === "latency") {
      ctx.addIssue({ code: "custom", path: ["sli"], message: "realtime has no latency SLO: a WebSocket request lasts as long as the connection, so its latency measures nothing" });
    }
    if (slo.sli === "task-success" && slo.service !== "worker") ctx.addIssue({ code: "custom", path: ["sli"], message: "task-success applies to the worker only" });
  });

export type SloSpec = z.output<typeof sloSpecSchema>;

/** The study's SLOs: errors < 0.5 % (availability 99.5 %) and P95 <= 300 ms. */
export const DEFAULT_SLOS: readonly z.input<typeof sloSpecSchema>[] = [
  { service: "api", sli: "availability", objective: 0.995 },
  { service: "api", sli: "latency", objective: 0.95, thresholdMs: 300 },
  { service: "realtime", sli: "availability", objective: 0.995 },
  { service: "worker", sli: "task-success", objective: 0.995 },
];

export const observabilitySchema = z.strictObject({
  notifications: z
    .strictObject({
      /** Receive page-severity alerts (fast burns, the uptime check). */
      pageEmails: z.array(email).default([]),
      /** Receive ticket-severity alerts (slow burns, resource saturation). */
      ticketEmails: z.array(email).default([]),
    })
    .prefault({}),
  slos: z
    .array(sloSpecSchema)
    .default(() => DEFAULT_SLOS.map((slo) => sloSpecSchema.parse(slo)))
    .superRefine((slos, ctx) => {
      const seen = new Set<string>();
      slos.forEach((slo, i) => {
        const key = `${slo.service}/${slo.sli}`;
        if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `defines ${key} twice` });
        seen.add(key);
      });
    }),
  uptime: z
    .strictObject({
      /** Probed through the load balancer; the edge routes it to the api. */
      path: z.string().regex(/^\/[\w/.-]*$/, "must be a URL path such as /healthz").default("/healthz"),
      periodSeconds: z.union([z.literal(60), z.literal(300), z.literal(600), z.literal(900)], "must be 60, 300, 600 or 900").default(60),
      /** Checker regions; Cloud Monitoring requires at least three. */
      regions: z.array(z.enum(UPTIME_REGIONS)).min(3, "needs at least 3 regions").default(["USA", "EUROPE", "ASIA_PACIFIC"]),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      /** Ticket when less than this share of an SLO's error budget is left in its rolling window. */
      errorBudgetLeft: ratio("errorBudgetLeft").default(0.25),
      sqlCpu: ratio("sqlCpu").default(0.8),
      sqlMemory: ratio("sqlMemory").default(0.9),
      sqlDisk: ratio("sqlDisk").default(0.85),
      /** Connections in use as a share of max_connections. */
      sqlConnections: ratio("sqlConnections").default(0.8),
      redisMemory: ratio("redisMemory").default(0.8),
      /** Tasks waiting in all the environment's queues together (RESOURCE_ALERT_SERIES in constructs/observability/resource-alerts.ts). */
      queueDepth: z.number().int().positive().default(10_000),
      /** How long a resource must stay above its threshold before a ticket. */
      durationMinutes: z.number().int().min(1).max(1440).default(10),
    })
    .prefault({}),
});

export type ObservabilitySettings = z.output<typeof observabilitySchema>;
