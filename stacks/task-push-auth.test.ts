/**
 * The cloud's token forwarding and the app's check, pinned together on the synthesized stacks.
 *
 * With the worker's IAM invoker check on, Cloud Run verifies each push's OIDC token and forwards
 * it with the signature removed, so the app can only check its claims (app/adapters/tasks/oidc.ts,
 * mode `cloud-run-iam`). With the check off, the token would arrive signed and unchecked, and an
 * app that trusts claims would accept anyone's. So: the worker service must keep the check on,
 * its custom audience, the worker's TASKS_OIDC_AUDIENCE and every queue's OIDC audience must be
 * one value, and TASKS_SERVICE_ACCOUNT, every queue's token account and the worker's only invoker
 * must be the tasks identity; and the worker's config, loaded from the env the stack gives it (as
 * Cloud Run would run it), must be in the mode the platform implies.
 */
import { describe, expect, it } from "vitest";
import { loadConfig, type TaskAuthConfig } from "../app/config";
import { ENVIRONMENTS } from "../environments";
import { CONTAINER_PORT } from "../lib/cloud-run";
import { Testing } from "../lib/cdktf";
import { envOf, resourcesOf, serviceNamed, synthEnvironment, testEnvironment, type SynthesizedJson } from "../test/support/synth";
import { EnvironmentStack } from "./environment-stack";

/** What the app must do with a push token, given how the platform hands it over. */
function modeThePlatformImplies(invokerIamDisabled: boolean): TaskAuthConfig["mode"] | "app-verifies-signature" {
  return invokerIamDisabled ? "app-verifies-signature" : "cloud-run-iam";
}

const PROJECT = "acme-tasks-test";

/**
 * Stands in for Terraform on the few expressions the worker's env holds, with the values they
 * take at apply: a service account's email is `<account_id>@<project>.iam.gserviceaccount.com`
 * (IAM's documented form), a connection name `<project>:<region>:<instance>`. An expression it
 * does not know fails the test, so a new reference in the env gets a stand-in on purpose.
 */
function resolver(json: SynthesizedJson) {
  const attribute = (type: string, id: string, name: string): string => {
    const resource = resourcesOf(json, type)[id];
    if (!resource) throw new Error(`no ${type}.${id} in the stack`);
    if (type === "google_service_account" && name === "email") return `${resource.account_id}@${PROJECT}.iam.gserviceaccount.com`;
    if (type === "google_sql_database_instance" && name === "connection_name") return `${PROJECT}:${resource.region}:${resource.name}`;
    if (type === "google_redis_instance" && name === "host") return "10.20.0.3";
    if (type === "google_redis_instance" && name === "port") return "6378";
    if (type === "google_sql_user" && name === "name") return resolve(resource.name);
    throw new Error(`no stand-in for ${type}.${name}: add one`);
  };
  const evaluate = (expression: string): string => {
    const trim = /^trimsuffix\((.+), "([^"]*)"\)$/.exec(expression);
    if (trim) {
      const value = evaluate(trim[1]!);
      return value.endsWith(trim[2]!) ? value.slice(0, value.length - trim[2]!.length) : value;
    }
    if (expression === "var.project_id") return PROJECT;
    const reference = /^(google_\w+)\.([\w-]+)\.(\w+)$/.exec(expression);
    if (reference) return attribute(reference[1]!, reference[2]!, reference[3]!);
    throw new Error(`no stand-in for \${${expression}}: add one`);
  };
  const resolve = (value: string): string => value.replace(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, expression: string) => evaluate(expression));
  return resolve;
}

/** The worker's environment as Cloud Run starts the container: the stack's values, secrets and K_SERVICE/PORT. */
function workerProcessEnv(json: SynthesizedJson): Record<string, string> {
  const worker = serviceNamed(json, "worker");
  const resolve = resolver(json);
  const env = Object.fromEntries(
    Object.entries(envOf(worker)).map(([name, value]) => {
      if (typeof value === "string") return [name, resolve(value)];
      // Secret Manager references: Cloud Run resolves them to the secret's value at start.
      return [name, name.endsWith("_CERT") ? "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n" : "stand-in-secret"];
    }),
  );
  // Cloud Run's container contract: it sets PORT and K_SERVICE (the service's name).
  return { ...env, K_SERVICE: worker.name, PORT: String(CONTAINER_PORT) };
}

/** Everything the pairing depends on, read from one synthesized stack. */
function pushAuthOf(json: SynthesizedJson) {
  const worker = serviceNamed(json, "worker");
  const env = envOf(worker);
  const queues = Object.values(resourcesOf(json, "google_cloud_tasks_queue")) as any[];
  const invokers = (Object.values(resourcesOf(json, "google_cloud_run_v2_service_iam_member")) as any[]).filter(
    (grant) => grant.role === "roles/run.invoker" && String(grant.name).includes("google_cloud_run_v2_service.worker_"),
  );
  const config = loadConfig("worker", workerProcessEnv(json));
  return {
    worker,
    env,
    queues,
    invokers,
    config,
    platformMode: modeThePlatformImplies(worker.invoker_iam_disabled),
    tasksAccountEmail: resolver(json)(env.TASKS_SERVICE_ACCOUNT),
  };
}

describe.each(["dev", "prod"] as const)("%s: pushes reach the worker the way the app checks them", (name) => {
  const { json } = synthEnvironment(testEnvironment(name));
  const auth = pushAuthOf(json);
  const prefix = ENVIRONMENTS[name].namePrefix;

  it("keeps Cloud Run's IAM invoker check on, so pushes arrive signature-stripped, and the app expects exactly that", () => {
    expect(auth.worker.invoker_iam_disabled).toBe(false);
    expect(auth.worker.ingress).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
    expect(auth.config.taskAuth.mode).toBe(auth.platformMode);
  });

  it("uses one audience: the worker's custom audience, its TASKS_OIDC_AUDIENCE, every queue's and the api's task tokens", () => {
    expect(auth.worker.custom_audiences).toEqual([`${prefix}-worker`]);
    expect(auth.env.TASKS_OIDC_AUDIENCE).toBe(auth.worker.custom_audiences[0]);
    expect(envOf(serviceNamed(json, "api")).TASKS_OIDC_AUDIENCE).toBe(auth.env.TASKS_OIDC_AUDIENCE);
    expect(auth.queues.length).toBeGreaterThanOrEqual(3);
    for (const queue of auth.queues) expect(queue.http_target.oidc_token.audience, queue.name).toBe(auth.env.TASKS_OIDC_AUDIENCE);
  });

  it("uses one identity: TASKS_SERVICE_ACCOUNT, every queue's and the api's token account and the worker's only invoker are the tasks identity", () => {
    expect(auth.env.TASKS_SERVICE_ACCOUNT).toMatch(/^\$\{google_service_account\.tasks-identity_account_\w+\.email\}$/);
    expect(envOf(serviceNamed(json, "api")).TASKS_SERVICE_ACCOUNT).toBe(auth.env.TASKS_SERVICE_ACCOUNT);
    expect(auth.tasksAccountEmail).toBe(`${prefix}-tasks@${PROJECT}.iam.gserviceaccount.com`);
    for (const queue of auth.queues) expect(queue.http_target.oidc_token.service_account_email, queue.name).toBe(auth.env.TASKS_SERVICE_ACCOUNT);
    expect(auth.invokers.map((grant) => grant.member)).toEqual([`serviceAccount:${auth.env.TASKS_SERVICE_ACCOUNT}`]);
  });

  it("starts the worker, from the env the stack gives it, guarding that audience and account", () => {
    expect(auth.config.onCloudRun).toBe(true);
    expect(auth.config.taskAuth).toEqual({ mode: "cloud-run-iam", audience: `${prefix}-worker`, serviceAccount: auth.tasksAccountEmail });
  });
});

describe("the pairing check itself", () => {
  it("fails when the worker's IAM invoker check is turned off (pushes would arrive signed and unchecked)", () => {
    const app = Testing.app();
    const stack = new EnvironmentStack(app, "dev", { config: testEnvironment("dev") });
    stack.services.worker.service.addOverride("invoker_iam_disabled", true);
    // Read without validations: the policy pack refuses such a stack at synth too (VZ-RUN-002).
    const auth = pushAuthOf(JSON.parse(Testing.synth(stack, false)));
    expect(auth.platformMode).toBe("app-verifies-signature");
    expect(auth.config.taskAuth.mode).not.toBe(auth.platformMode);
    expect(() => Testing.synth(stack, true)).toThrow(/VZ-RUN-002 at dev\/worker\/service: invoker_iam_disabled is true/);
  });
});
