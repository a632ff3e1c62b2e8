import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { GoogleBetaProvider } from "@cdktf/provider-google-beta/lib/provider";
import { AppImage } from "../constructs/app-image";
import { AppService, type AppServiceProps } from "../constructs/app-service";
import { Cache } from "../constructs/cache";
import { ConnectionBudget } from "../constructs/connection-budget";
import { Database } from "../constructs/database";
import { Edge } from "../constructs/edge";
import { MigrationJob } from "../constructs/migration-job";
import { Network } from "../constructs/network";
import { Observability, redisInstanceId, type ObservabilityTarget } from "../constructs/observability";
import { ProjectServices } from "../constructs/project-services";
import { RuntimeIdentity } from "../constructs/runtime-identity";
import { Secrets, type ManagedSecret } from "../constructs/secrets";
import { TaskQueues } from "../constructs/task-queues";
import { PROJECT_ID_PATTERN, SERVICE_ROLES, type EnvironmentConfig, type ServiceRole } from "../environments/schema";
import { Aspects, Construct, GcsBackend, LocalBackend, TerraformOutput, TerraformVariable } from "../lib/cdktf";
import { StandaloneStack } from "../lib/standalone-stack";
import { PolicyPack } from "../policies/pack";
import { cacheOptions, databaseOptions, edgeOptions, observabilityOptions } from "./environment-props";

export interface EnvironmentStackProps {
  readonly config: EnvironmentConfig;
}

/** Labels every labelable resource carries (through the provider's default labels). */
export function platformLabels(config: EnvironmentConfig): Record<string, string> {
  return { app: "valorize", env: config.name, managed_by: "cdktf", ...config.labels };
}

/**
 * One Google Cloud environment (dev, staging, prod): the whole system from one config.
 * Composition only; every decision lives in a construct or in the environment's config.
 */
export class EnvironmentStack extends StandaloneStack {
  readonly config: EnvironmentConfig;
  readonly project: string;
  readonly network: Network;
  readonly database: Database;
  readonly cache: Cache;
  readonly secrets: Secrets;
  readonly image: AppImage;
  readonly services: Readonly<Record<ServiceRole, AppService>>;
  readonly taskQueues: TaskQueues;
  readonly migrations: MigrationJob;
  readonly connectionBudget: ConnectionBudget;
  readonly edge: Edge;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const config = props.config;
    this.config = config;
    this.stateBackend();
    // Write-only arguments (secrets that never reach state) need Terraform 1.11.
    this.addOverride("terraform.required_version", ">= 1.11");
    const { project, betaProvider } = this.providers();
    this.project = project;
    const base = { project, region: config.region, namePrefix: config.namePrefix };

    this.network = new Network(this, "network", { ...base, ...config.network });
    this.secrets = new Secrets(this, "secrets", { project, namePrefix: config.namePrefix });
    const tokenSecret = this.secrets.add("token-signing-key", { kind: "operator", description: "Key the app uses to hash and verify API tokens." });
    const ownerPassword = this.secrets.add("db-owner-password", { kind: "operator", description: "Password of the database owner, used only by the migration job." });
    this.connectionBudget = new ConnectionBudget(this, "connection-budget", {
      consumers: [
        ...SERVICE_ROLES.map((role) => ({ name: role, maxInstances: config.services[role].maxInstances, poolSize: config.services[role].dbPoolSize })),
        { name: "migrate", maxInstances: 1, poolSize: MigrationJob.DEFAULT_POOL_SIZE },
      ],
      reserve: config.database.connectionReserve,
      maxConnections: config.database.maxConnections,
    });
    const network = this.network;
    const maxConnections = this.connectionBudget.maxConnections;
    this.database = new Database(this, "database", { ...base, network, ...databaseOptions(config.database), maxConnections, labels: platformLabels(config) });
    this.cache = new Cache(this, "cache", { ...base, network, ...cacheOptions(config.cache), secrets: this.secrets });
    this.image = new AppImage(this, "image", { ...base, prebuiltUri: config.image.prebuiltUri, keepVersions: config.image.keepVersions });

    // Identities first: the migration job grants table access to their database users, and the
    // worker must know the tasks identity before the queues exist.
    const identities = Object.fromEntries(
      SERVICE_ROLES.map((role) => [role, new RuntimeIdentity(this, `${role}-identity`, { ...base, component: role, description: `Runtime identity of the ${role} service.` })]),
    ) as Record<ServiceRole, RuntimeIdentity>;
    const tasksIdentity = TaskQueues.createIdentity(this, base, "tasks-identity");
    const grantTo = SERVICE_ROLES.map((role) => this.database.addIamUser(identities[role]).name);
    this.migrations = new MigrationJob(this, "migrations", { ...base, image: this.image.imageUri, betaProvider, network, database: this.database, ownerPassword, grantTo });

    ({ services: this.services, taskQueues: this.taskQueues } = this.appServices(base, identities, tasksIdentity, tokenSecret));
    const { api, realtime } = this.services;
    this.edge = new Edge(this, "edge", { ...base, api, realtime, ...edgeOptions(config.edge), labels: platformLabels(config) });
    this.observability = new Observability(this, "observability", { ...base, environment: config.name, ...observabilityOptions(config.observability), target: this.observabilityTarget() });
    // Our cdk-nag: every rule checked at synth; errors fail it (policies/).
    Aspects.of(this).add(PolicyPack.forEnvironment(config));

    this.outputs();
  }

  /** Terraform state in GCS with a bucket, else in a local file. */
  private stateBackend(): void {
    const { stateBucket, name } = this.config;
    if (stateBucket) {
      new GcsBackend(this, { bucket: stateBucket, prefix: `valorize/${name}` });
    } else {
      // Relative to cdktf.out/stacks/<name>/: state lives in the (git-ignored) project root.
      new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });
    }
  }

  /** The google and google-beta providers, labelling every labelable resource, and the APIs they call. */
  private providers(): { project: string; betaProvider: GoogleBetaProvider } {
    const config = this.config;
    const project = config.projectId ?? projectIdVariable(this);
    const providerConfig = { project, region: config.region, defaultLabels: platformLabels(config), addTerraformAttributionLabel: true };
    new GoogleProvider(this, "google", providerConfig);
    // For the one beta-only field the stack uses: the migration job's run_execution_token.
    const betaProvider = new GoogleBetaProvider(this, "google-beta", providerConfig);
    new ProjectServices(this, "apis", { project });
    return { project, betaProvider };
  }

  /** The worker, its task queues, then the api (which enqueues) and realtime, all after the migrations. */
  private appServices(
    base: { project: string; region: string; namePrefix: string },
    identities: Readonly<Record<ServiceRole, RuntimeIdentity>>,
    tasksIdentity: RuntimeIdentity,
    tokenSecret: ManagedSecret,
  ): { services: Record<ServiceRole, AppService>; taskQueues: TaskQueues } {
    const { config, cache } = this;
    const redisEnv = { REDIS_URL: cache.url };
    const redisSecrets = { REDIS_PASSWORD: cache.authSecret, REDIS_CA_CERT: cache.caSecret };
    const common = { ...base, image: this.image.imageUri, network: this.network, database: this.database, dependsOn: [this.migrations.completed] };
    const service = (role: ServiceRole, props: Pick<AppServiceProps, "env" | "secretEnv" | "dependsOn">) =>
      new AppService(this, role, { ...common, role, identity: identities[role], sizing: config.services[role], ...props });

    const worker = service("worker", {
      env: { ...redisEnv, TASKS_SERVICE_ACCOUNT: tasksIdentity.email, TASKS_OIDC_AUDIENCE: AppService.serviceName(base.namePrefix, "worker") },
      secretEnv: redisSecrets,
    });
    const taskQueues = new TaskQueues(this, "task-queues", { ...base, policies: config.taskQueues, worker, identity: tasksIdentity });
    const api = service("api", {
      env: {
        ...redisEnv,
        TASKS_BACKEND: "cloud-tasks",
        TASK_QUEUES: taskQueues.queuePathsJson,
        WORKER_URL: worker.url,
        TASKS_SERVICE_ACCOUNT: tasksIdentity.email,
        TASKS_OIDC_AUDIENCE: worker.oidcAudience ?? worker.url,
      },
      secretEnv: { ...redisSecrets, TOKEN_SECRET: tokenSecret },
      dependsOn: [this.migrations.completed, ...taskQueues.grantEnqueue(identities.api)],
    });
    const realtime = service("realtime", { env: redisEnv, secretEnv: { ...redisSecrets, TOKEN_SECRET: tokenSecret } });
    return { services: { api, realtime, worker }, taskQueues };
  }

  /** What the SLOs, alerts and dashboard watch, by the names the resources carry. */
  private observabilityTarget(): ObservabilityTarget {
    const { project, services, database, cache, taskQueues, edge } = this;
    return {
      services: { api: services.api.name, realtime: services.realtime.name, worker: services.worker.name },
      database: { id: `${project}:${database.instance.name}`, maxConnections: database.maxConnections },
      cache: { id: redisInstanceId(project, this.config.region, cache.instance.name) },
      queues: taskQueues.queues.map((queue) => queue.name),
      edge: { publicHost: edge.publicHost, usesHttps: edge.usesHttps, urlMap: edge.names.urlMap },
    };
  }

  private outputs(): void {
    const out = (name: string, value: string, description: string) =>
      new TerraformOutput(this, `output-${name}`, { value, description }).overrideLogicalId(name);
    out("project_id", this.project, "Project the environment runs in.");
    out("region", this.config.region, "Region of the regional resources.");
    for (const role of SERVICE_ROLES) {
      out(`${role}_url`, this.services[role].url, `Cloud Run URL of the ${role} service (ingress-restricted).`);
      out(`${role}_service_account`, this.services[role].identity.email, `Service account of the ${role} service.`);
    }
    out("database_connection_name", this.database.connectionName, "Cloud SQL connection name (project:region:instance) for the connectors and cloud-sql-proxy.");
    out("database_private_ip", this.database.privateIp, "Private IP of the Cloud SQL instance.");
    out("database_name", this.database.databaseName, "Application database.");
    out("redis_host", this.cache.host, "Memorystore host (TLS, AUTH in Secret Manager).");
    out("task_queues", this.taskQueues.queuePathsJson, "Cloud Tasks queue paths per task type (JSON).");
    out("tasks_service_account", this.taskQueues.identity.email, "Identity Cloud Tasks uses to call the worker.");
    out("image_uri", this.image.imageUri, "App image deployed to every service, by digest.");
    out("migration_job", this.migrations.job.name, "Cloud Run job that migrates the schema.");
    out("max_connections", String(this.database.maxConnections), "PostgreSQL max_connections derived from the connection budget.");
    out("edge_ip", this.edge.ipAddress, "Global load balancer address: point the domains' A records here.");
    out("base_url", this.edge.baseUrl, "Public base URL of the system (load balancer).");
    if (this.edge.staticBucket) out("static_bucket", this.edge.staticBucket.name, "Bucket the edge serves static assets from (CDN).");
  }
}

/** The project id as a Terraform input (`TF_VAR_project_id`) when it is not given at synth. */
function projectIdVariable(scope: Construct): string {
  return new TerraformVariable(scope, "project_id", {
    type: "string",
    description: "Google Cloud project to deploy into (or set VALORIZE_<ENV>_PROJECT_ID at synth).",
    nullable: false,
    validation: [
      {
        condition: `\${can(regex("${PROJECT_ID_PATTERN.source}", var.project_id))}`,
        errorMessage: "project_id must be a GCP project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter.",
      },
    ],
  }).stringValue;
}
