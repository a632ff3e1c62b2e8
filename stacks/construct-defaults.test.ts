/**
 * Constructs carry their own secure defaults (so they build from their required props alone) and
 * the config schema states the platform's defaults for every environment. Where both describe the
 * same setting they must agree: each construct built from an all-defaults config, mapped as the
 * stack maps it, synthesizes exactly as the construct built without those props.
 */
import { describe, expect, it } from "vitest";
import { AppImage } from "../constructs/app-image";
import { AppService } from "../constructs/app-service";
import { Cache } from "../constructs/cache";
import { ConnectionBudget } from "../constructs/connection-budget";
import { Database } from "../constructs/database";
import { Edge } from "../constructs/edge";
import { Network } from "../constructs/network";
import { Observability } from "../constructs/observability";
import { parseEnvironment } from "../environments";
import { SERVICE_ROLES } from "../lib/service-roles";
import { BASE, network, secrets } from "../test/support/fixtures";
import { target } from "../test/support/observability";
import { synthStack } from "../test/support/synth";
import { cacheOptions, databaseOptions, edgeOptions, observabilityOptions } from "./environment-props";

/** Every setting at the schema's default (dev is not a shared environment, so nothing else is required). */
const config = parseEnvironment({ name: "dev", namePrefix: "vz-test" });
const same = (fromConfig: Parameters<typeof synthStack>[0], fromDefaults: Parameters<typeof synthStack>[0]) => expect(synthStack(fromConfig).raw).toBe(synthStack(fromDefaults).raw);

describe("construct defaults agree with the config schema's", () => {
  it("Network", () => {
    same(
      (stack) => new Network(stack, "network", { ...BASE, ...config.network }),
      (stack) => new Network(stack, "network", BASE),
    );
  });

  it("Database and the connection budget's reserve", () => {
    same(
      (stack) => new Database(stack, "database", { ...BASE, network: network(stack), ...databaseOptions(config.database), maxConnections: 100 }),
      (stack) => new Database(stack, "database", { ...BASE, network: network(stack), maxConnections: 100 }),
    );
    let fromConfig!: ConnectionBudget;
    let fromDefaults!: ConnectionBudget;
    const consumers = [{ name: "api", maxInstances: 10, poolSize: 10 }];
    synthStack((stack) => (fromConfig = new ConnectionBudget(stack, "budget", { consumers, reserve: config.database.connectionReserve })));
    synthStack((stack) => (fromDefaults = new ConnectionBudget(stack, "budget", { consumers })));
    expect(fromConfig.result).toEqual(fromDefaults.result);
  });

  it("Cache", () => {
    same(
      (stack) => new Cache(stack, "cache", { ...BASE, network: network(stack), secrets: secrets(stack), ...cacheOptions(config.cache) }),
      (stack) => new Cache(stack, "cache", { ...BASE, network: network(stack), secrets: secrets(stack) }),
    );
  });

  it("AppImage", () => {
    same(
      (stack) => new AppImage(stack, "image", { ...BASE, keepVersions: config.image.keepVersions }),
      (stack) => new AppImage(stack, "image", BASE),
    );
  });

  it.each(SERVICE_ROLES)("AppService %s: its role's sizing", (role) => {
    const image = "us-docker.pkg.dev/acme/app/app@sha256:0123";
    same(
      (stack) => new AppService(stack, role, { ...BASE, role, image, network: network(stack), sizing: config.services[role] }),
      (stack) => new AppService(stack, role, { ...BASE, role, image, network: network(stack) }),
    );
  });

  it("Edge", () => {
    const services = (stack: Parameters<Parameters<typeof synthStack>[0]>[0]) => {
      const net = network(stack);
      const service = (role: "api" | "realtime") => new AppService(stack, role, { ...BASE, role, image: "img@sha256:1", network: net });
      return { api: service("api"), realtime: service("realtime") };
    };
    same(
      (stack) => new Edge(stack, "edge", { ...BASE, ...services(stack), ...edgeOptions(config.edge) }),
      (stack) => new Edge(stack, "edge", { ...BASE, ...services(stack) }),
    );
  });

  it("Observability: notifications, uptime check and alert thresholds", () => {
    const options = observabilityOptions(config.observability);
    same(
      (stack) => new Observability(stack, "observability", { ...BASE, environment: "dev", target, ...options }),
      (stack) => new Observability(stack, "observability", { ...BASE, environment: "dev", target, slos: options.slos }),
    );
  });
});
