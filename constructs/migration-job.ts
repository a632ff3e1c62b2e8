import { CloudRunV2Job } from "@cdktf/provider-google/lib/cloud-run-v2-job";
import { Construct, type ITerraformDependable } from "../lib/cdktf";
import { DeployStep } from "../lib/deploy-step";
import { containerEnv, directVpcEgress } from "../lib/cloud-run";
import type { Database } from "./database";
import type { Network } from "./network";
import { RuntimeIdentity } from "./runtime-identity";
import type { ManagedSecret } from "./secrets";

export interface MigrationJobProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly image: string;
  /**
   * A value that changes whenever the schema may have changed (the image's source hash); each
   * change runs the job once during deploy, before the services roll out.
   */
  readonly trigger: string;
  readonly network: Network;
  readonly database: Database;
  /** Password of the database owner, supplied by the operator (see Secrets). */
  readonly ownerPassword: ManagedSecret;
  /** PostgreSQL users (the services' IAM users) granted read/write on the app's tables after migrating. */
  readonly grantTo: readonly string[];
  /** Connections the job opens; counted in the connection budget. @default 2 */
  readonly poolSize?: number;
  /**
   * Run the job during `cdktf deploy` through `gcloud run jobs execute --wait` (needs the gcloud
   * CLI where Terraform runs). @default true
   */
  readonly runOnDeploy?: boolean;
}

/**
 * Schema migrations as a Cloud Run job, run from the app image (`migrate` role) as the database
 * owner, then granting the runtime IAM users least-privilege access to the tables. Services
 * depend on `completed`, so a new revision never starts against an old schema.
 */
export class MigrationJob extends Construct {
  readonly job: CloudRunV2Job;
  readonly identity: RuntimeIdentity;
  /** Depend on this to start after the migrations of the current image have run. */
  readonly completed: ITerraformDependable;
  static readonly DEFAULT_POOL_SIZE = 2;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    this.identity = new RuntimeIdentity(this, "identity", {
      project: props.project,
      namePrefix: props.namePrefix,
      component: "migrate",
      description: "Runs schema migrations as the database owner.",
    });
    const { variable, valueVersion } = props.ownerPassword;
    if (!variable || valueVersion === undefined) {
      throw new Error(`MigrationJob: ownerPassword must be an operator-supplied secret (Secrets.add(id, { kind: "operator", ... }))`);
    }
    // The same operator-supplied value sets the user's password and the secret the job reads.
    const owner = props.database.addOwner("migrate", {
      serviceAccountEmail: this.identity.email,
      password: variable.stringValue,
      passwordVersion: valueVersion,
    });
    const passwordGrant = props.ownerPassword.grantRead(this.identity.email, "migrate");
    const name = `${props.namePrefix}-migrate`;

    this.job = new CloudRunV2Job(this, "job", {
      project: props.project,
      location: props.region,
      name,
      deletionProtection: false,
      launchStage: "GA",
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          serviceAccount: this.identity.email,
          executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
          maxRetries: 1,
          timeout: "600s",
          vpcAccess: directVpcEgress(props.network, name),
          containers: [
            {
              name: "migrate",
              image: props.image,
              args: ["migrate"],
              resources: { limits: { cpu: "1", memory: "512Mi" } },
              env: containerEnv(
                {
                  GOOGLE_CLOUD_PROJECT: props.project,
                  DB_CONNECTION_NAME: props.database.connectionName,
                  DB_NAME: props.database.databaseName,
                  DB_USER: owner.name,
                  DB_AUTH: "password",
                  DB_IP_TYPE: "PRIVATE",
                  DB_POOL_SIZE: String(props.poolSize ?? MigrationJob.DEFAULT_POOL_SIZE),
                  DB_GRANT_TO: props.grantTo.join(","),
                },
                { DB_PASSWORD: props.ownerPassword },
              ),
            },
          ],
        },
      },
      dependsOn: [...owner.dependables, passwordGrant, props.database.database],
    });

    if (props.runOnDeploy === false) {
      this.completed = this.job;
      return;
    }
    this.completed = new DeployStep(this, "run", {
      triggers: [props.trigger, props.grantTo.join(",")],
      command: `gcloud run jobs execute ${name} --project ${props.project} --region ${props.region} --wait`,
      dependsOn: [this.job],
    });
  }
}
