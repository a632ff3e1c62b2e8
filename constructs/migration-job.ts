import { GoogleCloudRunV2Job } from "@cdktf/provider-google-beta/lib/google-cloud-run-v2-job";
import type { GoogleBetaProvider } from "@cdktf/provider-google-beta/lib/provider";
import { Construct, Fn, type ITerraformDependable } from "../lib/cdktf";
import { containerEnv, directVpcEgress } from "../lib/cloud-run";
import { TerraformData } from "../lib/terraform-data";
import type { Database } from "./database";
import type { Network } from "./network";
import { RuntimeIdentity } from "./runtime-identity";
import type { ManagedSecret } from "./secrets";

export interface MigrationJobProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** The image to migrate with (by digest); each change of it runs the job once during deploy. */
  readonly image: string;
  /**
   * The google-beta provider, configured like the stack's google provider (project, region,
   * default labels). `run_execution_token` exists only in google-beta in provider 6.50.
   */
  readonly betaProvider: GoogleBetaProvider;
  readonly network: Network;
  readonly database: Database;
  /** Password of the database owner, supplied by the operator (see Secrets). */
  readonly ownerPassword: ManagedSecret;
  /** PostgreSQL users (the services' IAM users) granted read/write on the app's tables after migrating. */
  readonly grantTo: readonly string[];
  /** Connections the job opens; counted in the connection budget. @default 2 */
  readonly poolSize?: number;
  /**
   * Run the job during deploy (Terraform starts an execution and waits for it whenever the image
   * changes). With false the job is only defined and an operator runs it. @default true
   */
  readonly runOnDeploy?: boolean;
}

/**
 * Schema migrations as a Cloud Run job, run from the app image (`migrate` role) as the database
 * owner, then granting the runtime IAM users least-privilege access to the tables. Services
 * depend on `completed`, so a new revision never starts against an old schema.
 *
 * Terraform runs the job itself, with the provider's own credentials: no gcloud, no local-exec.
 * The job's `run_execution_token` creates an execution on create or update and "The Job will
 * become ready when the execution is successfully completed" (google_cloud_run_v2_job, provider
 * docs; Cloud Run Admin API v2 Job.runExecutionToken), so the apply waits for the migrations and
 * fails when they fail. In provider 6.50 the field is in google-beta only (not in the GA schema,
 * nor in @cdktf/provider-google 16.12.1's class; GA came in 2026, magic-modules PR 18296), hence
 * the beta provider for this one resource.
 *
 * The token must be new for every run: it names the execution (`<job>-<token>`, which must stay
 * under 63 characters), so reusing one, even on a rollback, would collide with the execution it
 * named before. It is therefore the id of a `terraform_data` that Terraform draws anew whenever
 * the image (or the users to grant) changes: one run per image, never a repeated token.
 *
 * Known provider behaviour: an execution started outside Terraform (console, gcloud) makes the
 * API drop the token, and the next plan sends it again, which fails as "already exists"
 * (hashicorp/terraform-provider-google#24451, magic-modules PR 19060). Run migrations through
 * deploys, or draw a new token with `terraform apply -replace=<run id>` (named in the failure).
 *
 * IAM grants made in the same apply (Cloud SQL client, the password secret) typically take 2 and
 * possibly 7 minutes or longer to apply (IAM, "Access change propagation":
 * https://cloud.google.com/iam/docs/access-change-propagation). The migrate role retries refused
 * connections and logins for up to MIGRATE_CONNECT_RETRY (10 minutes, app/entrypoints/migrate.ts),
 * and the job retries a failed task (`max_retries`, e.g. a secret not yet readable at start).
 */
export class MigrationJob extends Construct {
  readonly job: GoogleCloudRunV2Job;
  readonly identity: RuntimeIdentity;
  /** Depend on this to start after the migrations of the current image have run. */
  readonly completed: ITerraformDependable;
  /** Drawn anew whenever the image changes; its id is the execution token. Undefined without runOnDeploy. */
  readonly runId?: TerraformData;
  static readonly DEFAULT_POOL_SIZE = 2;
  /** Task attempts after the first: covers a start refused while IAM grants propagate. */
  static readonly MAX_RETRIES = 3;
  /** Per attempt: the app's 10-minute connection retry budget plus the migrations themselves. */
  static readonly TASK_TIMEOUT_SECONDS = 900;
  /** Characters of the run id used as the token (48 random bits). */
  static readonly TOKEN_LENGTH = 12;

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
    // At most 30 characters: the identity's account id (`<namePrefix>-migrate`) is held to that
    // above, which leaves room for the token (job name + token under 63 characters).
    const name = `${props.namePrefix}-migrate`;
    // The same operator-supplied value sets the user's password and the secret the job reads.
    const owner = props.database.addOwner(this.identity, {
      password: variable.stringValue,
      passwordVersion: valueVersion,
    });
    const passwordGrant = props.ownerPassword.grantRead(this.identity);

    const runOnDeploy = props.runOnDeploy !== false;
    if (runOnDeploy) this.runId = new TerraformData(this, "run-id", { triggersReplace: [props.image, props.grantTo.join(",")] });
    const token = this.runId && Fn.substr(Fn.replace(this.runId.id, "-", ""), 0, MigrationJob.TOKEN_LENGTH);
    const totalMinutes = Math.ceil(((MigrationJob.MAX_RETRIES + 1) * MigrationJob.TASK_TIMEOUT_SECONDS) / 60) + 5;

    this.job = new GoogleCloudRunV2Job(this, "job", {
      provider: props.betaProvider,
      project: props.project,
      location: props.region,
      name,
      deletionProtection: false,
      launchStage: "GA",
      runExecutionToken: token,
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          serviceAccount: this.identity.email,
          executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
          maxRetries: MigrationJob.MAX_RETRIES,
          timeout: `${MigrationJob.TASK_TIMEOUT_SECONDS}s`,
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
      // Creating or updating the job waits for the execution: every attempt may use its timeout.
      timeouts: { create: `${totalMinutes}m`, update: `${totalMinutes}m` },
      lifecycle: this.runId && { postcondition: [succeededLastRun(name, this.runId)] },
      dependsOn: [...owner.dependables, passwordGrant, props.database.database],
    });
    this.completed = this.job;
  }
}

/**
 * A failed run leaves its token in state, so the next plan would see no change and roll the
 * services out over the old schema. The job is only Ready once its run succeeded: refuse to go on
 * until it is.
 */
function succeededLastRun(name: string, runId: TerraformData) {
  return {
    condition: `\${try(self.terminal_condition[0].state, "CONDITION_SUCCEEDED") == "CONDITION_SUCCEEDED"}`,
    errorMessage: `The last migration run of ${name} did not succeed, so the services keep their current revision. Read the execution's logs, fix the cause, then run the migrations again with a new token: terraform apply -replace=terraform_data.${runId.friendlyUniqueId}`,
  };
}
