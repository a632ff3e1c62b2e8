/**
 * Edge settings: the global HTTPS load balancer, Cloud CDN and the Cloud Armor policy in front of
 * api and realtime (constructs/edge.ts). Secure defaults: Cloud Armor enforcing, adaptive
 * protection on; an environment without domains gets an HTTP-only edge and a synth warning.
 */
import { z } from "zod";

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lowercase DNS name such as app.example.com");

export const edgeSchema = z.strictObject({
  /** Served over HTTPS with a Google-managed certificate. Empty: HTTP only, with a warning. */
  domains: z.array(domain).default([]),
  armor: z
    .strictObject({
      /** Log what the WAF would block without blocking (roll rules out safely). */
      preview: z.boolean().default(false),
      /** OWASP CRS sensitivity (paranoia level) 1-4: higher blocks more and false-positives more. */
      sensitivity: z.number().int().min(1).max(4).default(1),
    })
    .prefault({}),
});

export type EdgeSettings = z.output<typeof edgeSchema>;
