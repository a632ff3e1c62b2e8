import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
import { Construct, type ITerraformDependable } from "../lib/cdktf";
import { CONTAINER_PORT, containerEnv, directVpcEgress } from "../lib/cloud-run";
import { withDefaults } from "../lib/defaults";
import { grantIdOf, resourceName, type IGrantee } from "../lib/google";
import type { ServiceRole } from "../lib/service-roles";
import type { WorkerCapacity } from "../lib/task-queues";
import type { Database } from "./database";
import type { Network } from "./network";
import { DEFAULT_SIZING, ROLE_PROFILES, type ServiceSizing } from "./role-profiles";
import { RuntimeIdentity } from "./runtime-identity";
import type { ManagedSecret } from "./secrets";

export { DEFAULT_SIZING, ROLE_PROFILES, type RoleProfile, type ServiceSizing } from "./role-profiles";

export interface AppServiceProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly role: ServiceRole;
  /** Image reference, ideally by digest (`AppImage.imageUri`). */
  readonly image: string;
  /** Sizing, scaling, concurrency, pool size and timeout. @default the role's (ROLE_PROFILES, DEFAULT_SIZING) */
  readonly sizing?: ServiceSizing;
  readonly network: Network;
  /** The service's identity, when it must exist before the service (e.g. for grants elsewhere). @default a new dedicated one */
  readonly identity?: RuntimeIdentity;
  /**
   * Database the service connects to with IAM database authentication; creates its database
   * user and sets the connection variables. @default no database access
   */
  readonly database?: Database;
  /** Plain environment variables (never secrets: use `secretEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables read from Secret Manager; the service account gets read access to each. */
  readonly secretEnv?: Readonly<Record<string, ManagedSecret>>;
  /** Resources that must exist before a revision starts (e.g. the migration run). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One of the app's three Cloud Run services (api, realtime, worker) from the same image.
 *
 * Secure by default: a dedicated service account with telemetry roles only, plus read access to
 * exactly its secrets and an IAM database user; ingress from the load balancer (api, realtime) or
 * internal only (worker, which also keeps the IAM invoker check); direct VPC egress to private
 * ranges; secrets as Secret Manager references. A startup probe on `/readyz` proves the database
 * and Redis are reachable before traffic arrives (direct VPC egress can take a moment on a new
 * instance); a liveness probe on `/healthz` restarts a wedged instance.
 */
export class AppService extends Construct {
  readonly service: CloudRunV2Service;
  readonly identity: RuntimeIdentity;
  readonly role: ServiceRole;
  readonly name: string;
  /** The `*.run.app` URL (not reachable from the internet for LB-only ingress). */
  readonly url: string;
  /** PostgreSQL user of the service account, when it has database access. */
  readonly databaseUser?: string;
  /**
   * Audience of the OIDC tokens the service accepts: a fixed custom audience for IAM-invoked
   * services (so callers and the service agree on it without knowing the generated URL).
   */
  readonly oidcAudience?: string;
  /** Max instances and requests per instance: beyond their product Cloud Run answers 429. */
  readonly capacity: WorkerCapacity;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const profile = ROLE_PROFILES[props.role];
    const sizing = withDefaults(withDefaults(DEFAULT_SIZING, profile.sizing), props.sizing);
    this.role = props.role;
    this.name = AppService.serviceName(props.namePrefix, props.role);

    this.identity =
      props.identity ??
      new RuntimeIdentity(this, "identity", {
        project: props.project,
        namePrefix: props.namePrefix,
        component: props.role,
        description: profile.description,
      });
    this.oidcAudience = profile.invokerIamDisabled ? undefined : this.name;
    this.capacity = { maxInstances: sizing.maxInstances, concurrency: sizing.concurrency };

    const { env, databaseUser, databaseReady } = this.environment(props, sizing.dbPoolSize);
    this.databaseUser = databaseUser;
    const secretEnv = props.secretEnv ?? {};
    // A new revision resolves its secrets at deploy time: the grants must exist first.
    const secretGrants = Object.values(secretEnv).map((secret) => secret.grantRead(this.identity));

    this.service = new CloudRunV2Service(this, "service", {
      project: props.project,
      location: props.region,
      name: this.name,
      description: profile.description,
      ingress: profile.ingress,
      invokerIamDisabled: profile.invokerIamDisabled,
      customAudiences: this.oidcAudience ? [this.oidcAudience] : undefined,
      // Stateless: recreated from code and image at any time; state lives in Cloud SQL and Redis.
      deletionProtection: false,
      launchStage: "GA",
      template: {
        serviceAccount: this.identity.email,
        executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
        maxInstanceRequestConcurrency: sizing.concurrency,
        timeout: `${sizing.timeoutSeconds}s`,
        sessionAffinity: profile.sessionAffinity,
        scaling: { minInstanceCount: sizing.minInstances, maxInstanceCount: sizing.maxInstances },
        vpcAccess: directVpcEgress(props.network, this.name),
        containers: [
          {
            name: props.role,
            image: props.image,
            args: [props.role],
            ports: { name: "http1", containerPort: CONTAINER_PORT },
            resources: {
              limits: { cpu: sizing.cpu, memory: sizing.memory },
              cpuIdle: !profile.cpuAlwaysAllocated,
              startupCpuBoost: true,
            },
            env: containerEnv(env, secretEnv),
            startupProbe: {
              httpGet: { path: "/readyz", port: CONTAINER_PORT },
              periodSeconds: 3,
              timeoutSeconds: 2,
              // Up to 120 s for the VPC path, DB and Redis to answer before the instance is failed.
              failureThreshold: 40,
            },
            livenessProbe: {
              httpGet: { path: "/healthz", port: CONTAINER_PORT },
              periodSeconds: 15,
              timeoutSeconds: 3,
              failureThreshold: 3,
            },
          },
        ],
      },
      traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
      dependsOn: [...(props.dependsOn ?? []), ...secretGrants, ...databaseReady],
    });
    this.url = this.service.uri;
  }

  /**
   * The service's plain variables: the project, the log level, the caller's, and with a database
   * the connection through the Cloud SQL connector as this identity's IAM user (created here).
   */
  private environment(props: AppServiceProps, dbPoolSize: number): { env: Record<string, string>; databaseUser?: string; databaseReady: ITerraformDependable[] } {
    const env: Record<string, string> = { GOOGLE_CLOUD_PROJECT: props.project, LOG_LEVEL: "info", ...props.env };
    if (!props.database) return { env, databaseReady: [] };
    const user = props.database.addIamUser(this.identity);
    Object.assign(env, {
      DB_CONNECTION_NAME: props.database.connectionName,
      DB_NAME: props.database.databaseName,
      DB_USER: user.name,
      DB_AUTH: "iam",
      DB_IP_TYPE: "PRIVATE",
      DB_POOL_SIZE: String(dbPoolSize),
    });
    return { env, databaseUser: user.name, databaseReady: [...user.dependables] };
  }

  /** The Cloud Run service name of a role; also the worker's OIDC audience. */
  static serviceName(namePrefix: string, role: ServiceRole): string {
    return resourceName(namePrefix, role);
  }

  /** Lets one grantee call this service (Cloud Run `run.invoker` on this service only). */
  grantInvoke(grantee: IGrantee): CloudRunV2ServiceIamMember {
    return new CloudRunV2ServiceIamMember(this, `invoker-${grantIdOf(grantee)}`, {
      project: this.service.project,
      location: this.service.location,
      name: this.service.name,
      role: "roles/run.invoker",
      member: grantee.member,
    });
  }
}
