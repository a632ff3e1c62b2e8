import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { DockerService } from "../constructs/docker-service";
import type { EnvironmentConfig } from "../environments/schema";
import { HEALTH_PATH, LOCAL_PORTS, LOCAL_TASK_PUSH_IDENTITY, READY_PATH, REALTIME_PATH, type RuntimeEnv } from "../contract";
import { Construct, Fn, LocalBackend, TerraformOutput, TerraformVariable } from "../lib/cdktf";
import { StandaloneStack } from "../lib/standalone-stack";
import { imageSourceHash, PROJECT_ROOT_FROM_STACK } from "../lib/image-sources";
import { renderProxyConfig } from "../lib/nginx";

export interface LocalStackProps {
  readonly config: EnvironmentConfig;
}

/** Ports the app's roles listen on (the app's defaults, so every role can share one host). */
/** The roles' ports inside their containers: the same as natively (contract/ports.ts). */
export const ROLE_PORTS = { api: LOCAL_PORTS.api, worker: LOCAL_PORTS.worker, realtime: LOCAL_PORTS.realtime, dispatcher: LOCAL_PORTS.dispatcher } as const;

const PROXY_PORT_IN_CONTAINER = 8080;

/** Health check that asks a role's own `/readyz` with the Node.js runtime already in the image. */
function readyCheck(port: number): string[] {
  return ["CMD", "node", "-e", `fetch('http://127.0.0.1:${port}${READY_PATH}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

/**
 * The `local` environment on Docker: the same system as the cloud stacks on one machine —
 * PostgreSQL, Redis, the app image built from `app/`, containers for api (replicas), worker,
 * realtime and the task dispatcher (the local Cloud Tasks), and an nginx reverse proxy routing
 * paths like the cloud load balancer. `npx cdktf deploy local` brings it up on a machine with
 * Docker and Terraform; `npm run experiment -- --base-url <base_url>` can then target it.
 */
export class LocalStack extends StandaloneStack {
  private readonly config: EnvironmentConfig;
  private readonly settings: EnvironmentConfig["localDocker"];
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: LocalStackProps) {
    super(scope, id);
    this.config = props.config;
    this.settings = props.config.localDocker;
    this.prefix = props.config.namePrefix;
    new LocalBackend(this, { path: `../../../terraform.${this.config.name}.tfstate` });
    new DockerProvider(this, "docker", {});

    const dbPassword = new TerraformVariable(this, "local_db_password", {
      type: "string",
      sensitive: true,
      default: "valorize-local",
      description: "Password of the local PostgreSQL user; the database is reachable only from this machine.",
    });
    const network = new Network(this, "network", { name: this.prefix, driver: "bridge" });
    const images = this.images();
    const data = this.dataServices(network, images, dbPassword.stringValue);
    const { apiReplicas, realtime } = this.appServices(network, images.app.imageId, data, dbPassword.stringValue);
    this.proxy(network, images.proxy.imageId, apiReplicas, realtime);
    this.outputs(dbPassword.stringValue);
  }

  /** The public images, pulled, and the app's image, built from `app/` whenever its sources change. */
  private images() {
    const pull = (id: string, name: string) => new Image(this, id, { name, keepLocally: true });
    const postgres = pull("postgres-image", this.settings.images.postgres);
    const redis = pull("redis-image", this.settings.images.redis);
    const proxy = pull("proxy-image", this.settings.images.proxy);
    const sourceHash = imageSourceHash(this, "app-source-hash");
    const app = new Image(this, "app-image", {
      name: `${this.prefix}/app:${Fn.substr(sourceHash, 0, 16)}`,
      buildAttribute: { context: PROJECT_ROOT_FROM_STACK, dockerfile: "app/Dockerfile" },
      triggers: { source_hash: sourceHash },
      keepLocally: true,
    });
    return { postgres, redis, proxy, app };
  }

  /** PostgreSQL and Redis, each with its data on a volume. */
  private dataServices(network: Network, images: { postgres: Image; redis: Image }, dbPassword: string) {
    const { settings, prefix, config } = this;
    const pgData = new Volume(this, "pg-data", { name: `${prefix}-pg-data` });
    const postgres = new DockerService(this, "postgres", {
      name: `${prefix}-postgres`,
      aliases: ["postgres"],
      image: images.postgres.imageId,
      network,
      env: { POSTGRES_USER: "valorize", POSTGRES_PASSWORD: dbPassword, POSTGRES_DB: config.database.databaseName },
      command: ["postgres", "-c", "max_connections=200", "-c", `log_min_duration_statement=${config.database.slowQueryMs}`],
      ports: [{ containerPort: 5432, hostPort: settings.postgresPort, hostAddress: settings.bindAddress }],
      volumes: [{ volumeName: pgData.name, containerPath: "/var/lib/postgresql/data" }],
      healthcheck: { test: ["CMD-SHELL", "pg_isready -U valorize"] },
      // The image's entrypoint prepares the data directory as root, then drops to `postgres`.
      readOnlyRootFilesystem: false,
      capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
    });
    // Redis also holds the local task queues (the stand-in for Cloud Tasks, which never loses a
    // queued task): an append-only file on a volume, fsynced every second, keeps them across a
    // restart of the container; only a crash of the host can lose the last second or so.
    const redisData = new Volume(this, "redis-data", { name: `${prefix}-redis-data` });
    const redis = new DockerService(this, "redis", {
      name: `${prefix}-redis`,
      aliases: ["redis"],
      image: images.redis.imageId,
      network,
      command: [
        "redis-server", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
        "--maxmemory", "256mb", "--maxmemory-policy", config.cache.maxmemoryPolicy,
      ],
      ports: [{ containerPort: 6379, hostPort: settings.redisPort, hostAddress: settings.bindAddress }],
      volumes: [{ volumeName: redisData.name, containerPath: "/data" }],
      healthcheck: { test: ["CMD", "redis-cli", "ping"] },
      // The image's entrypoint hands /data to the redis user (CHOWN) before dropping to it.
      capabilities: ["CHOWN", "SETGID", "SETUID"],
    });
    return { postgres, redis };
  }

  /** The migration container, then api replicas, worker, realtime and the dispatcher. */
  private appServices(network: Network, image: string, data: { postgres: DockerService; redis: DockerService }, dbPassword: string) {
    const { settings, prefix, config } = this;
    const appEnv = {
      DATABASE_URL: `postgres://valorize:${dbPassword}@postgres:5432/${config.database.databaseName}`,
      REDIS_URL: "redis://redis:6379",
      TASKS_BACKEND: "local",
      WORKER_URL: `http://worker:${ROLE_PORTS.worker}`,
      TOKEN_SECRET: "local-only-token-secret-not-for-production",
      // The dashboard's WebSocket: /ws on the proxy's origin, which routes it to realtime.
      REALTIME_PUBLIC_URL: REALTIME_PATH,
      LOG_LEVEL: "info",
    } satisfies RuntimeEnv;
    // The push identity, as the cloud stacks give the worker: the dispatcher mints the stripped
    // tokens Cloud Run would forward for it, and the worker checks them as it does in the cloud.
    const pushEnv = { TASKS_OIDC_AUDIENCE: LOCAL_TASK_PUSH_IDENTITY.audience, TASKS_SERVICE_ACCOUNT: LOCAL_TASK_PUSH_IDENTITY.serviceAccount } satisfies RuntimeEnv;
    const app = (role: keyof typeof ROLE_PORTS | "migrate", name: string, extra: Partial<ConstructorParameters<typeof DockerService>[2]> = {}) =>
      new DockerService(this, name, {
        name: `${prefix}-${name}`,
        image,
        network,
        command: [role],
        env: {
          ...appEnv,
          ...(role === "worker" || role === "dispatcher" ? pushEnv : {}),
          ...(role === "migrate" ? {} : { PORT: String(ROLE_PORTS[role]), DB_POOL_SIZE: String(config.services[role === "dispatcher" ? "worker" : role].dbPoolSize) }),
        },
        healthcheck: role === "migrate" ? undefined : { test: readyCheck(ROLE_PORTS[role]) },
        memoryMb: 1024,
        dependsOn: [data.postgres.container, data.redis.container],
        ...extra,
      });

    const migrate = app("migrate", "migrate", { runOnce: true });
    const afterMigrate = [data.postgres.container, data.redis.container, migrate.container];
    const apiReplicas = Array.from({ length: settings.apiReplicas }, (_, i) => app("api", `api-${i + 1}`, { aliases: ["api"], dependsOn: afterMigrate }));
    const worker = app("worker", "worker", { aliases: ["worker"], dependsOn: afterMigrate });
    const realtime = app("realtime", "realtime", { aliases: ["realtime"], dependsOn: afterMigrate });
    app("dispatcher", "dispatcher", { dependsOn: [...afterMigrate, worker.container] });
    return { apiReplicas, realtime };
  }

  /** The local edge: nginx routing paths like the cloud load balancer. */
  private proxy(network: Network, image: string, apiReplicas: readonly DockerService[], realtime: DockerService): void {
    const { settings, prefix } = this;
    new DockerService(this, "proxy", {
      name: `${prefix}-proxy`,
      image,
      network,
      ports: [{ containerPort: PROXY_PORT_IN_CONTAINER, hostPort: settings.proxyPort, hostAddress: settings.bindAddress }],
      files: [
        {
          path: "/etc/nginx/conf.d/default.conf",
          content: renderProxyConfig({
            api: apiReplicas.map((replica) => `${replica.name}:${ROLE_PORTS.api}`),
            realtime: `${realtime.name}:${ROLE_PORTS.realtime}`,
            listenPort: PROXY_PORT_IN_CONTAINER,
          }),
        },
      ],
      // Docker cannot copy the configuration into a read-only root filesystem.
      readOnlyRootFilesystem: false,
      healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PROXY_PORT_IN_CONTAINER}${HEALTH_PATH}`] },
      dependsOn: [...apiReplicas.map((r) => r.container), realtime.container],
    });
  }

  private outputs(dbPassword: string): void {
    const { settings } = this;
    const hostUrl = (scheme: string, port: number, path = "") => `${scheme}://${settings.bindAddress}:${port}${path}`;
    new TerraformOutput(this, "base_url", { value: hostUrl("http", settings.proxyPort), description: "The local edge: point the experiment here." });
    new TerraformOutput(this, "database_url", {
      value: `postgres://valorize:${dbPassword}@${settings.bindAddress}:${settings.postgresPort}/${this.config.database.databaseName}`,
      sensitive: true,
      description: "PostgreSQL for operators and the experiment's audit.",
    });
    new TerraformOutput(this, "redis_url", { value: hostUrl("redis", settings.redisPort), description: "Redis for operators." });
  }
}
