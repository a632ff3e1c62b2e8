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
import { Testing } from "../lib/cdktf";
import { processEnvOf, STAND_IN_PROJECT as PROJECT, terraformStandIns, workloadsOf } from "../test/support/stack-env";
import { envOf, resourcesOf, serviceNamed, synthEnvironment, testEnvironment, type SynthesizedJson } from "../test/support/synth";
import { EnvironmentStack } from "./environment-stack";

/** What the app must do with a push token, given how the platform hands it over. */
function modeThePlatformImplies(invokerIamDisabled: boolean): TaskAuthConfig["mode"] | "app-verifies-signature" {
  return invokerIamDisabled ? "app-verifies-signature" : "cloud-run-iam";
}

/** The worker's environment as Cloud Run starts the container (test/support/stack-env.ts). */
function workerProcessEnv(json: SynthesizedJson): Record<string, string> {
  const worker = workloadsOf(json).find((w) => w.kind === "service" && w.role === "worker")!;
  return processEnvOf(json, worker);
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
    tasksAccountEmail: terraformStandIns(json)(env.TASKS_SERVICE_ACCOUNT),
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
