import { CloudRunV2Job } from "@cdktf/provider-google/lib/cloud-run-v2-job";
import { GoogleCloudRunV2Job } from "@cdktf/provider-google-beta/lib/google-cloud-run-v2-job";
import { GoogleBetaProvider } from "@cdktf/provider-google-beta/lib/provider";
import { describe, expect, it } from "vitest";
import { BASE, database, network, secrets } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { MigrationJob } from "./migration-job";

function synthJob(options: { runOnDeploy?: boolean; image?: string; namePrefix?: string } = {}) {
  return synthStack((stack) => {
    const net = network(stack);
    const db = database(stack, {}, 100, net);
    const password = secrets(stack).add("db-owner-password", { kind: "operator", description: "Owner password." });
    new MigrationJob(stack, "migrations", {
      ...BASE,
      ...(options.namePrefix ? { namePrefix: options.namePrefix } : {}),
      image: options.image ?? "img@sha256:1",
      betaProvider: new GoogleBetaProvider(stack, "google-beta", { project: BASE.project, region: BASE.region }),
      network: net,
      database: db,
      ownerPassword: password,
      grantTo: ["api@acme-test-1.iam", "worker@acme-test-1.iam"],
      runOnDeploy: options.runOnDeploy,
    });
  });
}

const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.value_source]));

describe("MigrationJob", () => {
  const { json, raw } = synthJob();
  const job = onlyResource(json, "google_cloud_run_v2_job");
  const container = job.template.template.containers[0];
  const runIds = Object.entries(resourcesOf(json, "terraform_data"));

  it("runs the image's migrate role as its own identity on the private network", () => {
    expect(container.args).toEqual(["migrate"]);
    expect(container.image).toBe("img@sha256:1");
    expect(job.template.template.service_account).toMatch(/google_service_account\..*\.email/);
    expect(job.template.template.vpc_access.egress).toBe("PRIVATE_RANGES_ONLY");
  });

  it("connects as the owner with a password read from Secret Manager, then grants the runtime users", () => {
    const env = envOf(container);
    expect(env).toMatchObject({ DB_AUTH: "password", DB_USER: expect.stringMatching(/google_sql_user\./), DB_GRANT_TO: "api@acme-test-1.iam,worker@acme-test-1.iam", DB_POOL_SIZE: "2" });
    expect(env.DB_PASSWORD).toEqual({ secret_key_ref: expect.objectContaining({ secret: expect.stringMatching(/secret_id/) }) });
    expect(JSON.stringify(env)).not.toMatch(/var\.db_owner_password/);
    const reader = onlyResource(json, "google_secret_manager_secret_iam_member");
    expect(reader.role).toBe("roles/secretmanager.secretAccessor");
  });

  it("is run by Terraform itself: no gcloud, no local-exec, nothing shelled out", () => {
    expect(raw).not.toMatch(/gcloud|local-exec|provisioner/);
    for (const [, data] of runIds) expect(data.provisioner).toBeUndefined();
  });

  it("runs once per image: the execution token is a run id Terraform draws anew when the image (or the users to grant) changes", () => {
    expect(runIds).toHaveLength(1);
    const [runId, data] = runIds[0]!;
    expect(data.triggers_replace).toEqual(["img@sha256:1", "api@acme-test-1.iam,worker@acme-test-1.iam"]);
    expect(job.run_execution_token).toBe(`\${substr(replace(terraform_data.${runId}.id, "-", ""), 0, 12)}`);
    // Another image: another trigger, so Terraform replaces the run id and the job runs again.
    const next = Object.values(resourcesOf(synthJob({ image: "img@sha256:2" }).json, "terraform_data")) as any[];
    expect(next[0].triggers_replace[0]).toBe("img@sha256:2");
  });

  it("waits for the run (run_execution_token, not start_execution_token) through the beta provider, with time for every retry", () => {
    expect(job.provider).toBe("google-beta");
    expect(job.start_execution_token).toBeUndefined();
    expect(job.template.template.max_retries).toBe(MigrationJob.MAX_RETRIES);
    expect(job.template.template.timeout).toBe(`${MigrationJob.TASK_TIMEOUT_SECONDS}s`);
    const minutes = (value: string) => Number(/^(\d+)m$/.exec(value)![1]);
    expect(minutes(job.timeouts.update) * 60).toBeGreaterThanOrEqual((MigrationJob.MAX_RETRIES + 1) * MigrationJob.TASK_TIMEOUT_SECONDS);
    expect(minutes(job.timeouts.create)).toBe(minutes(job.timeouts.update));
  });

  it("uses the beta provider because provider 6.50's GA schema lacks the token (move back to GA when it has it)", () => {
    expect("runExecutionToken" in GoogleCloudRunV2Job.prototype).toBe(true);
    expect("runExecutionToken" in CloudRunV2Job.prototype).toBe(false);
  });

  it("refuses to roll out after a failed run, naming how to run again", () => {
    const [runId] = runIds[0]!;
    const [postcondition] = job.lifecycle.postcondition;
    expect(postcondition.condition).toBe('${try(self.terminal_condition[0].state, "CONDITION_SUCCEEDED") == "CONDITION_SUCCEEDED"}');
    expect(postcondition.error_message).toContain(`terraform apply -replace=terraform_data.${runId}`);
  });

  it("can leave running to the operator", () => {
    const manual = synthJob({ runOnDeploy: false }).json;
    expect(resourcesOf(manual, "terraform_data")).toEqual({});
    const definedOnly = onlyResource(manual, "google_cloud_run_v2_job");
    expect(definedOnly.run_execution_token).toBeUndefined();
    expect(definedOnly.lifecycle).toBeUndefined();
  });

  it("leaves room for the token: the longest prefix the identity allows keeps job name + token under 63 characters", () => {
    const longest = "v".repeat(30 - "-migrate".length);
    const job = onlyResource(synthJob({ namePrefix: longest }).json, "google_cloud_run_v2_job");
    expect(job.name.length + MigrationJob.TOKEN_LENGTH).toBeLessThan(63);
    expect(() => synthJob({ namePrefix: `${longest}v` })).toThrow(/Service account id .* must be 6-30 characters/);
  });

  it("requires an operator-supplied owner password", () => {
    expect(() =>
      synthStack((stack) => {
        const net = network(stack);
        const db = database(stack, {}, 100, net);
        const password = secrets(stack).add("pw", { kind: "resource", data: "x" });
        new MigrationJob(stack, "m", { ...BASE, image: "i", betaProvider: new GoogleBetaProvider(stack, "beta", {}), network: net, database: db, ownerPassword: password, grantTo: [] });
      }),
    ).toThrow(/ownerPassword must be an operator-supplied secret/);
  });
});
