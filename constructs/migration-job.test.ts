import { describe, expect, it } from "vitest";
import { BASE, database, network, secrets } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { MigrationJob } from "./migration-job";

function synthJob(runOnDeploy?: boolean) {
  return synthStack((stack) => {
    const net = network(stack);
    const db = database(stack, {}, 100, net);
    const password = secrets(stack).add("db-owner-password", { kind: "operator", description: "Owner password." });
    new MigrationJob(stack, "migrations", {
      ...BASE,
      image: "img@sha256:1",
      trigger: "hash-of-sources",
      network: net,
      database: db,
      ownerPassword: password,
      grantTo: ["api@acme-test-1.iam", "worker@acme-test-1.iam"],
      runOnDeploy,
    });
  });
}

const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.value_source]));

describe("MigrationJob", () => {
  const { json } = synthJob();
  const job = onlyResource(json, "google_cloud_run_v2_job");
  const container = job.template.template.containers[0];

  it("runs the image's migrate role as its own identity on the private network", () => {
    expect(container.args).toEqual(["migrate"]);
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

  it("runs once per change of the image sources during deploy, through gcloud", () => {
    const step = onlyResource(json, "terraform_data");
    expect(step.triggers_replace).toEqual(["hash-of-sources", "api@acme-test-1.iam,worker@acme-test-1.iam"]);
    expect(step.provisioner[0]["local-exec"].command).toBe("gcloud run jobs execute vz-test-migrate --project acme-test-1 --region us-central1 --wait");
    expect(step.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_cloud_run_v2_job\./)]));
  });

  it("can leave running to the operator", () => {
    expect(resourcesOf(synthJob(false).json, "terraform_data")).toEqual({});
  });

  it("requires an operator-supplied owner password", () => {
    expect(() =>
      synthStack((stack) => {
        const net = network(stack);
        const db = database(stack, {}, 100, net);
        const password = secrets(stack).add("pw", { kind: "resource", data: "x" });
        new MigrationJob(stack, "m", { ...BASE, image: "i", trigger: "t", network: net, database: db, ownerPassword: password, grantTo: [] });
      }),
    ).toThrow(/ownerPassword must be an operator-supplied secret/);
  });
});
