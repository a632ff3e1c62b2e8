import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { Construct } from "../lib/cdktf";
import { serviceAccountId, serviceAccountMember, type IServiceAccountGrantee } from "../lib/google";

/** What any workload needs to report about itself, and nothing more. */
export const TELEMETRY_ROLES = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"] as const;

export interface RuntimeIdentityProps {
  readonly project: string;
  readonly namePrefix: string;
  /** Component name, part of the account id (`<namePrefix>-<component>`). */
  readonly component: string;
  readonly description: string;
  /** Project roles beyond nothing. @default TELEMETRY_ROLES */
  readonly projectRoles?: readonly string[];
}

/**
 * A dedicated service account for one workload. Workloads never run as the default compute
 * account (which holds Editor in many projects); each gets its own identity and only the roles
 * its job needs, granted here (telemetry) or on the resources it uses (secrets, queues, database).
 */
export class RuntimeIdentity extends Construct implements IServiceAccountGrantee {
  readonly serviceAccount: ServiceAccount;
  readonly email: string;
  readonly member: string;
  /** The component: grants to this identity are named after it (e.g. `reader-api`). */
  readonly grantId: string;

  constructor(scope: Construct, id: string, props: RuntimeIdentityProps) {
    super(scope, id);
    this.serviceAccount = new ServiceAccount(this, "account", {
      project: props.project,
      accountId: serviceAccountId(props.namePrefix, props.component),
      displayName: `${props.namePrefix} ${props.component}`,
      description: props.description,
    });
    this.email = this.serviceAccount.email;
    this.member = serviceAccountMember(this.email);
    this.grantId = props.component;
    for (const role of props.projectRoles ?? TELEMETRY_ROLES) {
      new ProjectIamMember(this, role.replace("roles/", "").replace(/\./g, "-"), {
        project: props.project,
        role,
        member: this.member,
      });
    }
  }
}
