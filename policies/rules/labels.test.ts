import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { describe, expect, it } from "vitest";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import type { TerraformStack } from "../../lib/cdktf";
import { collectStackResources } from "../collect";
import { DEV, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { requiredLabels } from "./labels";

const secret = (stack: TerraformStack, labels?: Record<string, string>) => new SecretManagerSecret(stack, "secret", { secretId: "s", replication: { auto: {} }, labels });
const sql = (stack: TerraformStack, userLabels?: Record<string, string>) =>
  new SqlDatabaseInstance(stack, "db", { databaseVersion: "POSTGRES_16", region: "us-central1", settings: { tier: "db-custom-1-3840", userLabels } });

describe("labelable resources", () => {
  it("are the types the provider applies default labels to, plus Cloud SQL's user_labels", () => {
    const stack = smallStack((s) => {
      secret(s);
      new ServiceAccount(s, "sa", { accountId: "sa-test" });
      new CloudRunV2Service(s, "svc", { name: "svc", location: "us-central1", template: { containers: [{ image: "app" }] } });
      sql(s, { app: "valorize", env: "dev" });
    });
    const byType = Object.fromEntries(collectStackResources(stack).resources.resources.map((r) => [r.type, r.supportsDefaultLabels]));
    expect(byType).toEqual({ google_secret_manager_secret: true, google_service_account: false, google_cloud_run_v2_service: true, google_sql_database_instance: false });
    expect(runRule(requiredLabels, stack).checked).toBe(3);
  });
});

describe("VZ-LABEL-001 required labels", () => {
  it("passes the environments: default labels on the provider, user_labels on Cloud SQL", () => {
    const result = runRule(requiredLabels, unmodifiedEnvironmentStack("dev"));
    expect(result.status).toBe("pass");
    expect(result.checked).toBeGreaterThan(10);
  });

  it("passes labels set on the resource itself when the provider has none", () => {
    expect(runRule(requiredLabels, smallStack((s) => secret(s, { app: "valorize", env: "dev" }), null)).status).toBe("pass");
  });

  it("fails a resource without the keys when the provider has no default labels", () => {
    expect(runRule(requiredLabels, smallStack((s) => secret(s, { team: "x" }), null)).problems).toEqual([
      "test/secret: label app is missing",
      "test/secret: label env is missing",
    ]);
  });

  it("fails Cloud SQL without user_labels: default labels do not reach them", () => {
    expect(runRule(requiredLabels, smallStack((s) => sql(s))).problems).toEqual(["test/db: label app is missing", "test/db: label env is missing"]);
  });

  it("fails an env label that names another environment", () => {
    const copied = smallStack((s) => secret(s), { app: "valorize", env: "prod" });
    expect(runRule(requiredLabels, copied, DEV).problems).toEqual(['test/secret: label env is "prod" in environment dev']);
  });

  it("reads the default labels of the provider alias a resource uses", () => {
    const stack = smallStack((s) => {
      const unlabelled = new GoogleProvider(s, "google-eu", { alias: "eu", project: "acme-test-1", region: "europe-west1" });
      new SecretManagerSecret(s, "eu-secret", { secretId: "eu", replication: { auto: {} }, provider: unlabelled });
    });
    expect(runRule(requiredLabels, stack).problems).toEqual(["test/eu-secret: label app is missing", "test/eu-secret: label env is missing"]);
  });
});
