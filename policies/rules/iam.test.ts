import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccountIamBinding } from "@cdktf/provider-google/lib/service-account-iam-binding";
import { describe, expect, it } from "vitest";
import { runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { iamNoBasicRoles, iamSecretAccessPerSecret } from "./iam";

const member = "serviceAccount:api@acme-test-1.iam.gserviceaccount.com";

describe("VZ-IAM-001 no owner/editor", () => {
  it("passes the environments' least-privilege grants", () => {
    expect(runRule(iamNoBasicRoles, unmodifiedEnvironmentStack("prod")).status).toBe("pass");
  });

  it("fails owner or editor on any resource", () => {
    const stack = smallStack((s) => {
      new ProjectIamMember(s, "editor", { project: "acme-test-1", role: "roles/editor", member });
      new ServiceAccountIamBinding(s, "owner", { serviceAccountId: "projects/p/serviceAccounts/x", role: "roles/owner", members: [member] });
      new ProjectIamMember(s, "viewer-of-logs", { project: "acme-test-1", role: "roles/logging.viewer", member });
    });
    expect(runRule(iamNoBasicRoles, stack)).toMatchObject({
      checked: 3,
      problems: [`test/editor: grants roles/editor to "${member}"`, `test/owner: grants roles/owner to ["${member}"]`],
    });
  });
});

describe("VZ-IAM-002 secret access per secret", () => {
  it("passes the environments (grants on each secret; project grants are for Cloud SQL and telemetry)", () => {
    expect(runRule(iamSecretAccessPerSecret, unmodifiedEnvironmentStack("dev")).status).toBe("pass");
  });

  it("fails a project-wide secretAccessor", () => {
    const stack = smallStack((s) => new ProjectIamMember(s, "all-secrets", { project: "acme-test-1", role: "roles/secretmanager.secretAccessor", member }));
    expect(runRule(iamSecretAccessPerSecret, stack).problems).toEqual([`test/all-secrets: grants roles/secretmanager.secretAccessor on every secret of the project to "${member}"`]);
  });

  it("accepts a project grant conditioned on the secret's name", () => {
    const stack = smallStack(
      (s) =>
        new ProjectIamMember(s, "one-secret", {
          project: "acme-test-1",
          role: "roles/secretmanager.secretAccessor",
          member,
          condition: { title: "one", expression: 'resource.name.startsWith("projects/123/secrets/token")' },
        }),
    );
    expect(runRule(iamSecretAccessPerSecret, stack).status).toBe("pass");
  });
});
