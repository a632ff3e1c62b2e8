/** IAM: no basic roles, and Secret Manager access granted per secret. */
import { rule, show } from "../model";

/** Member/binding grants on any resource type (project, service account, queue, secret...). */
const isGrant = (type: string) => /_iam_(member|binding)$/.test(type);
const PROJECT_GRANTS = ["google_project_iam_member", "google_project_iam_binding", "google_folder_iam_member", "google_folder_iam_binding", "google_organization_iam_member", "google_organization_iam_binding"];

const BASIC_ROLES = ["roles/owner", "roles/editor"];
const SECRET_READ_ROLES = ["roles/secretmanager.secretAccessor", "roles/secretmanager.admin"];

export const iamNoBasicRoles = rule({
  id: "VZ-IAM-001",
  severity: "ERROR",
  title: "No owner/editor grants",
  rationale: "Owner and Editor give a workload (or anyone who steals its token) nearly every permission in the project.",
  fix: "Grant the predefined roles the workload needs, on the resources it uses (e.g. run.invoker on one service).",
  appliesTo: (stack) => stack.resources.filter((r) => isGrant(r.type)),
  check: (grant) => (BASIC_ROLES.includes(String(grant.config.role)) ? [`grants ${grant.config.role} to ${show(grant.config.member ?? grant.config.members)}`] : []),
});

export const iamSecretAccessPerSecret = rule({
  id: "VZ-IAM-002",
  severity: "ERROR",
  title: "Secret access per secret",
  rationale: "A project-wide secretAccessor lets a workload read every secret (database owner password included), not just its own.",
  fix: "Grant roles/secretmanager.secretAccessor on each secret with google_secret_manager_secret_iam_member (ManagedSecret.grantRead).",
  appliesTo: PROJECT_GRANTS,
  check: (grant) => {
    const role = String(grant.config.role);
    if (!SECRET_READ_ROLES.includes(role)) return [];
    const condition = JSON.stringify(grant.config.condition ?? "");
    // A condition on resource.name narrows a project grant to named secrets, which is acceptable.
    if (condition.includes("resource.name")) return [];
    return [`grants ${role} on every secret of the ${grant.type.split("_")[1]} to ${show(grant.config.member ?? grant.config.members)}`];
  },
});
