/** Small building blocks for construct tests: a project, a network, a database. */
import { Database, type DatabaseProps } from "../../constructs/database";
import { Network } from "../../constructs/network";
import { Secrets } from "../../constructs/secrets";
import { DEFAULT_TASK_QUEUES } from "../../environments/task-queues";
import type { TerraformStack } from "../../lib/cdktf";

export const BASE = { project: "acme-test-1", region: "us-central1", namePrefix: "vz-test" } as const;

export function network(stack: TerraformStack): Network {
  return new Network(stack, "network", BASE);
}

export function database(stack: TerraformStack, options: Partial<DatabaseProps> = {}, maxConnections = 100, net: Network = network(stack)): Database {
  return new Database(stack, "database", { ...BASE, network: net, maxConnections, ...options });
}

/** The platform's task queue policies (environments/task-queues.ts), sized for the worker role's default capacity. */
export const TASK_QUEUE_POLICIES = DEFAULT_TASK_QUEUES;

export function secrets(stack: TerraformStack): Secrets {
  return new Secrets(stack, "secrets", BASE);
}

/**
 * What a team gives its shared environments at deploy time (environments/rules.ts refuses staging
 * and prod without them): a state bucket, its own domains and alert recipients. Made-up names that
 * are not reserved example domains, so the rules accept them; never deployed.
 */
export const DEPLOY_SETTINGS_FIXTURE: Readonly<Record<"staging" | "prod", Readonly<Record<string, string>>>> = {
  staging: {
    VALORIZE_STAGING_STATE_BUCKET: "valorize-fixture-tf-state",
    VALORIZE_STAGING_DOMAINS: "staging.valorize-fixture.net",
    VALORIZE_STAGING_TICKET_EMAILS: "platform@valorize-fixture.net",
  },
  prod: {
    VALORIZE_PROD_STATE_BUCKET: "valorize-fixture-tf-state",
    VALORIZE_PROD_DOMAINS: "valorize-fixture.net,www.valorize-fixture.net",
    VALORIZE_PROD_PAGE_EMAILS: "oncall@valorize-fixture.net",
    VALORIZE_PROD_TICKET_EMAILS: "platform@valorize-fixture.net",
  },
};

/** `env` with the deploy settings fixture of `name` underneath (the caller's values win). */
export function withDeploySettings(name: string, env: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
  return { ...(DEPLOY_SETTINGS_FIXTURE[name as keyof typeof DEPLOY_SETTINGS_FIXTURE] ?? {}), ...env };
}
