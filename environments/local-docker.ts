/**
 * Settings of the `local` stack: the whole system on one machine's Docker engine
 * (stacks/local-stack.ts). Only the reverse proxy and, for operators, PostgreSQL and Redis publish
 * ports, and only on the loopback address by default.
 */
import { z } from "zod";

const port = z.number().int().min(1024).max(65535);
const image = z.string().regex(/^[a-z0-9./_-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/, "must be an image reference such as postgres:16-alpine");

export const localDockerSchema = z.strictObject({
  /** Address published ports bind to; 127.0.0.1 keeps the system off the LAN. */
  bindAddress: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "must be an IPv4 address").default("127.0.0.1"),
  /** The reverse proxy (the local stand-in for the cloud load balancer). */
  proxyPort: port.default(8000),
  /** PostgreSQL and Redis for operators and the experiment's audit queries. */
  postgresPort: port.default(15432),
  redisPort: port.default(16379),
  /** api containers behind the proxy (the local counterpart of Cloud Run instances). */
  apiReplicas: z.number().int().min(1).max(16).default(2),
  images: z
    .strictObject({
      postgres: image.default("postgres:16-alpine"),
      redis: image.default("redis:7.2-alpine"),
      // Runs as a non-root user and listens on 8080.
      proxy: image.default("nginxinc/nginx-unprivileged:1.27-alpine"),
    })
    .prefault({}),
});

export type LocalDockerSettings = z.output<typeof localDockerSchema>;
