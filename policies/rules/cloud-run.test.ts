import { CloudRunServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-service-iam-member";
import { CloudRunV2Job } from "@cdktf/provider-google/lib/cloud-run-v2-job";
import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { CloudRunV2ServiceIamBinding } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-binding";
import { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
import { CloudRunV2ServiceIamPolicy } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-policy";
import { DataGoogleComputeDefaultServiceAccount } from "@cdktf/provider-google/lib/data-google-compute-default-service-account";
import { DataGoogleIamPolicy } from "@cdktf/provider-google/lib/data-google-iam-policy";
import { describe, expect, it } from "vitest";
import { environmentStack, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { runDedicatedServiceAccount, runIngressNeverAll, runInternalServiceAuthenticated } from "./cloud-run";

const container = { image: "us-docker.pkg.dev/cloudrun/container/hello" };

describe("VZ-RUN-001 ingress never ALL", () => {
  it("passes load-balancer and internal-only ingress", () => {
    expect(runRule(runIngressNeverAll, unmodifiedEnvironmentStack("dev"))).toMatchObject({ status: "pass", checked: 3 });
  });

  it("fails ingress ALL, set explicitly or left to the default", () => {
    const stack = environmentStack("dev");
    stack.services.api.service.addOverride("ingress", "INGRESS_TRAFFIC_ALL");
    expect(runRule(runIngressNeverAll, stack).problems).toEqual(['dev/api/service: ingress is "INGRESS_TRAFFIC_ALL"']);
    const unset = smallStack((s) => new CloudRunV2Service(s, "svc", { name: "svc", location: "us-central1", template: { containers: [container] } }));
    expect(runRule(runIngressNeverAll, unset).problems).toEqual(["test/svc: ingress is unset (the default is INGRESS_TRAFFIC_ALL)"]);
  });
});

describe("VZ-RUN-002 internal services accept IAM callers only", () => {
  it("passes the worker, invocable by the tasks identity only", () => {
    expect(runRule(runInternalServiceAuthenticated, unmodifiedEnvironmentStack("dev"))).toMatchObject({ status: "pass", checked: 1 });
  });

  it("fails allUsers and allAuthenticatedUsers grants on the worker, whatever the IAM resource", () => {
    const stack = environmentStack("dev");
    const worker = stack.services.worker;
    worker.grantInvoke({ member: "allUsers" });
    new CloudRunV2ServiceIamBinding(stack, "worker-binding", { name: worker.service.name, location: "us-central1", role: "roles/run.invoker", members: ["allAuthenticatedUsers"] });
    const policy = new DataGoogleIamPolicy(stack, "open-policy", { binding: [{ role: "roles/run.invoker", members: ["allUsers"] }] });
    new CloudRunV2ServiceIamPolicy(stack, "worker-policy", { name: worker.service.name, location: "us-central1", policyData: policy.policyData });
    // The v1 IAM resources name the service literally.
    new CloudRunServiceIamMember(stack, "worker-v1", { service: "valorize-dev-worker", location: "us-central1", role: "roles/run.invoker", member: "allUsers" });
    expect(runRule(runInternalServiceAuthenticated, stack).problems).toEqual([
      "dev/worker/service: dev/worker/invoker-allusers grants roles/run.invoker to allUsers",
      "dev/worker/service: dev/worker-v1 grants roles/run.invoker to allUsers",
      "dev/worker/service: dev/worker-binding grants roles/run.invoker to allAuthenticatedUsers",
      "dev/worker/service: dev/worker-policy grants roles/run.invoker to allUsers",
    ]);
  });

  it("fails an internal service with the IAM check disabled", () => {
    const stack = environmentStack("dev");
    stack.services.worker.service.addOverride("invoker_iam_disabled", true);
    expect(runRule(runInternalServiceAuthenticated, stack).problems).toEqual([expect.stringContaining("invoker_iam_disabled is true")]);
  });

  it("fails an IAM policy it cannot read, rather than assume it is safe", () => {
    const stack = environmentStack("dev");
    new CloudRunV2ServiceIamPolicy(stack, "opaque", { name: stack.services.worker.service.name, location: "us-central1", policyData: "${var.worker_policy}" });
    expect(runRule(runInternalServiceAuthenticated, stack).problems).toEqual([expect.stringContaining("cannot be checked at synth")]);
  });

  it("leaves public services alone: allUsers behind the load balancer is how they are public", () => {
    const stack = environmentStack("dev");
    stack.services.api.grantInvoke({ member: "allUsers", grantId: "public" });
    new CloudRunV2ServiceIamMember(stack, "api-all", { name: stack.services.api.service.name, location: "us-central1", role: "roles/run.invoker", member: "allUsers" });
    expect(runRule(runInternalServiceAuthenticated, stack).status).toBe("pass");
  });
});

describe("VZ-RUN-003 no default service account", () => {
  it("passes services and the migration job, each with a dedicated account", () => {
    expect(runRule(runDedicatedServiceAccount, unmodifiedEnvironmentStack("prod"))).toMatchObject({ status: "pass", checked: 4 });
  });

  it("fails an unset account, the default compute account by email, and by data source", () => {
    const stack = smallStack((s) => {
      new CloudRunV2Job(s, "job", { name: "job", location: "us-central1", template: { template: { containers: [container] } } });
      new CloudRunV2Service(s, "by-email", {
        name: "by-email",
        location: "us-central1",
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        template: { serviceAccount: "123456789-compute@developer.gserviceaccount.com", containers: [container] },
      });
      const fallback = new DataGoogleComputeDefaultServiceAccount(s, "default-sa", {});
      new CloudRunV2Service(s, "by-data", {
        name: "by-data",
        location: "us-central1",
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        template: { serviceAccount: fallback.email, containers: [container] },
      });
    });
    expect(runRule(runDedicatedServiceAccount, stack).problems).toEqual([
      "test/by-email: template.service_account is the default compute service account (123456789-compute@developer.gserviceaccount.com)",
      "test/by-data: template.service_account is the default compute service account (${data.google_compute_default_service_account.default-sa.email})",
      "test/job: template.template.service_account is unset, so it runs as the project's default compute service account",
    ]);
  });
});
