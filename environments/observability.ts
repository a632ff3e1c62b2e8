/**
 * Observability settings: SLOs per service, burn-rate alerting, dashboards, uptime checks and
 * resource alerts (constructs/observability.ts).
 */
import { z } from "zod";

const email = z.string().email("must be an email address");

export const observabilitySchema = z.strictObject({
  notifications: z
    .strictObject({
      /** Receives page-severity alerts (fast burn, uptime). */
      pageEmails: z.array(email).default([]),
      /** Receives ticket-severity alerts (slow burn, resource saturation). */
      ticketEmails: z.array(email).default([]),
    })
    .prefault({}),
});

export type ObservabilitySettings = z.output<typeof observabilitySchema>;
