/** Small building blocks for construct tests: a project, a network, a database. */
import { Database } from "../../constructs/database";
import { Network } from "../../constructs/network";
import { Secrets } from "../../constructs/secrets";
import { databaseSchema } from "../../environments/schema";
import type { TerraformStack } from "../../lib/cdktf";

export const BASE = { project: "acme-test-1", region: "us-central1", namePrefix: "vz-test" } as const;

export function network(stack: TerraformStack): Network {
  return new Network(stack, "network", BASE);
}

export function database(stack: TerraformStack, settings: object = {}, maxConnections = 100, net: Network = network(stack)): Database {
  return new Database(stack, "database", {
    ...BASE,
    network: net,
    settings: databaseSchema.parse(settings),
    maxConnections,
  });
}

export function secrets(stack: TerraformStack): Secrets {
  return new Secrets(stack, "secrets", BASE);
}
