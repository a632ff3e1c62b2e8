import { createHttpServer } from "../adapters/http/server";
import type { Logger } from "../adapters/logging";
import { RealtimeGateway } from "../adapters/realtime/gateway";
import { createRedis, redisDependency } from "../adapters/redis/connection";
import { TenantEventSubscriber } from "../adapters/redis/events";
import type { AppConfig } from "../config";
import { authenticate } from "../domain/queries/authenticate";
import { DRAIN, type RoleInstance } from "./lifecycle";
import { createCoreServices, type CoreServices } from "./services";

export interface RealtimeInstance extends RoleInstance {
  readonly core: CoreServices;
  readonly gateway: RealtimeGateway;
}

export async function buildRealtime(config: AppConfig, logger: Logger): Promise<RealtimeInstance> {
  const core = await createCoreServices(config, logger);
  const subscriberConnection = createRedis(config.redis, "subscriber");
  subscriberConnection.on("error", (error) => logger.warn({ error: error.message }, "Redis subscriber connection error"));
  const gateway = new RealtimeGateway({
    subscriber: new TenantEventSubscriber(subscriberConnection, core.keys),
    authenticate: (token) => authenticate(core.tokens, token),
    heartbeatMs: config.realtime.heartbeatMs,
    maxBufferedBytes: config.realtime.maxBufferedBytes,
    logger,
  });
  const server = createHttpServer({
    logger,
    project: config.log.project,
    // PING is one of the few commands a connection in subscriber mode may send.
    ready: async () => void (await Promise.all([core.ready(), subscriberConnection.ping()])),
    dependencies: [...core.dependencies, redisDependency(subscriberConnection)],
  });
  gateway.attach(server.app.server);
  return {
    server,
    core,
    gateway,
    async close() {
      server.markDraining();
      // WebSockets first (clients reconnect to another instance); then the HTTP side drains.
      await gateway.close();
      await server.drain(DRAIN);
      await server.app.close();
      await subscriberConnection.quit().catch(() => undefined);
      await core.close();
    },
  };
}
