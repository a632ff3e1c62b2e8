import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
import type { ServiceConfig, ServiceRole } from "../environments/schema";
import type { WorkerCapacity } from "../environments/task-queues";
import { Construct, type ITerraformDependable } from "../lib/cdktf";
import { CONTAINER_PORT, containerEnv, directVpcEgress } from "../lib/cloud-run";
import { resourceName } from "../lib/google";
import type { Database } from "./database";
import type { Network } from "./network";
import { RuntimeIdentity } from "./runtime-identity";
import type { ManagedSecret } from "./secrets";

/** What a role needs from Cloud Run, apart from sizing. */
export interface RoleProfile {
  readonly description: string;
  /**
   * api and realtime accept traffic only through the external load balancer; the worker only
   * from inside the project (Cloud Tasks) and never from the internet.
   */
  readonly ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" | "INGRESS_TRAFFIC_INTERNAL_ONLY";
  /**
   * Skip the IAM invoker check. Only for services whose ingress is the load balancer, which
   * carries end-user requests without Google identity tokens; the worker always requires IAM.
   */
  readonly invokerIamDisabled: boolean;
  /** Route a client's requests to the same instance (WebSocket reconnects land where state is). */
  readonly sessionAffinity: boolean;
  /** Keep CPU between requests: needed to push WebSocket frames and heartbeats outside requests. */
  readonly cpuAlwaysAllocated: boolean;
}

export const ROLE_PROFILES: Readonly<Record<ServiceRole, RoleProfile>> = {
  api: {
    description: "HTTP API: reads through the Redis cache, writes in PostgreSQL, enqueues tasks.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    invokerIamDisabled: true,
    sessionAffinity: false,
    cpuAlwaysAllocated: false,
  },
  realtime: {
    description: "WebSocket server; instances share tenant events through Redis pub/sub.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
    invokerIamDisabled: true,
    sessionAffinity: true,
    cpuAlwaysAllocated: true,
  },
  worker: {
    description: "Push-task worker invoked by Cloud Tasks with OIDC tokens.",
    ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
    invokerIamDisabled: false,
    sessionAffinity: false,
    cpuAlwaysAllocated: false,
  },
};

export interface AppServiceProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly role: ServiceRole;
  /** Image reference, ideally by digest (`AppImage.imageUri`). */
  readonly image: string;
  /** Sizing, scaling, concurrency, pool size and timeout. */
  readonly sizing: ServiceConfig;
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
    const sizing = props.sizing;
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

    const env: Record<string, string> = {
      GOOGLE_CLOUD_PROJECT: props.project,
      LOG_LEVEL: "info",
      ...props.env,
    };
    const databaseReady: ITerraformDependable[] = [];
    if (props.database) {
      const user = props.database.addIamUser(props.role, this.identity.email);
      this.databaseUser = user.name;
      databaseReady.push(...user.dependables);
      Object.assign(env, {
        DB_CONNECTION_NAME: props.database.connectionName,
        DB_NAME: props.database.databaseName,
        DB_USER: this.databaseUser,
        DB_AUTH: "iam",
        DB_IP_TYPE: "PRIVATE",
        DB_POOL_SIZE: String(sizing.dbPoolSize),
      });
    }
    const secretEnv = props.secretEnv ?? {};
    // A new revision resolves its secrets at deploy time: the grants must exist first.
    const secretGrants = Object.values(secretEnv).map((secret) => secret.grantRead(this.identity.email, props.role));

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

  /** The Cloud Run service name of a role; also the worker's OIDC audience. */
  static serviceName(namePrefix: string, role: ServiceRole): string {
    return resourceName(namePrefix, role);
  }

  /** Lets one principal call this service (Cloud Run `run.invoker` on this service only). */
  grantInvoke(id: string, member: string): CloudRunV2ServiceIamMember {
    return new CloudRunV2ServiceIamMember(this, `invoker-${id}`, {
      project: this.service.project,
      location: this.service.location,
      name: this.service.name,
      role: "roles/run.invoker",
      member,
    });
  }
}
