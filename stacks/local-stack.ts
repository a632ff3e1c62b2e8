import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { DockerService } from "../constructs/docker-service";
import type { EnvironmentConfig } from "../environments/schema";
import { LOCAL_TASK_PUSH_IDENTITY } from "../environments/task-queues";
import { Construct, Fn, LocalBackend, TerraformOutput, TerraformVariable } from "../lib/cdktf";
import { StandaloneStack } from "../lib/standalone-stack";
import { imageSourceHash, PROJECT_ROOT_FROM_STACK } from "../lib/image-sources";
import { renderProxyConfig } from "../lib/nginx";

export interface LocalStackProps {
  readonly config: EnvironmentConfig;
}

/** Ports the app's roles listen on (the app's defaults, so every role can share one host). */
export const ROLE_PORTS = { api: 8080, worker: 8081, realtime: 8082, dispatcher: 8083 } as const;

const PROXY_PORT_IN_CONTAINER = 8080;
const STATIC_ROOT = "/usr/share/nginx/html";

/** Health check that asks a role's own `/readyz` with the Node.js runtime already in the image. */
function readyCheck(port: number): string[] {
  return ["CMD", "node", "-e", `fetch('http://127.0.0.1:${port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

/**
 * The `local` environment on Docker: the same system as the cloud stacks on one machine —
 * PostgreSQL, Redis, the app image built from `app/`, containers for api (replicas), worker,
 * realtime and the task dispatcher (the local Cloud Tasks), and an nginx reverse proxy routing
 * paths like the cloud load balancer. `npx cdktf deploy local` brings it up on a machine with
 * Docker and Terraform; `npm run experiment -- --base-url <base_url>` can then target it.
 */
export class LocalStack extends StandaloneStack {
  constructor(scope: Construct, id: string, props: LocalStackProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.localDocker;
    const prefix = config.namePrefix;
    new LocalBackend(this, { path: `../../../terraform.${config.name}.tfstate` });
    new DockerProvider(this, "docker", {});

    const dbPassword = new TerraformVariable(this, "local_db_password", {
      type: "string",
      sensitive: true,
      default: "valorize-local",
      description: "Password of the local PostgreSQL user; the database is reachable only from this machine.",
    });

    const network = new Network(this, "network", { name: prefix, driver: "bridge" });
    const pull = (id: string, name: string) => new Image(this, id, { name, keepLocally: true });
    const postgresImage = pull("postgres-image", settings.images.postgres);
    const redisImage = pull("redis-image", settings.images.redis);
    const proxyImage = pull("proxy-image", settings.images.proxy);
    const sourceHash = imageSourceHash(this, "app-source-hash");
    const appImage = new Image(this, "app-image", {
      name: `${prefix}/app:${Fn.substr(sourceHash, 0, 16)}`,
      buildAttribute: { context: PROJECT_ROOT_FROM_STACK, dockerfile: "app/Dockerfile" },
      triggers: { source_hash: sourceHash },
      keepLocally: true,
    });
    const pgData = new Volume(this, "pg-data", { name: `${prefix}-pg-data` });

    const databaseName = config.database.databaseName;
    const postgres = new DockerService(this, "postgres", {
      name: `${prefix}-postgres`,
      aliases: ["postgres"],
      image: postgresImage.imageId,
      network,
      env: { POSTGRES_USER: "valorize", POSTGRES_PASSWORD: dbPassword.stringValue, POSTGRES_DB: databaseName },
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
      image: redisImage.imageId,
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

    const appEnv = {
      DATABASE_URL: `postgres://valorize:${dbPassword.stringValue}@postgres:5432/${databaseName}`,
      REDIS_URL: "redis://redis:6379",
      TASKS_BACKEND: "local",
      WORKER_URL: `http://worker:${ROLE_PORTS.worker}`,
      TOKEN_SECRET: "local-only-token-secret-not-for-production",
      LOG_LEVEL: "info",
    };
    // The push identity, as the cloud stacks give the worker: the dispatcher mints the stripped
    // tokens Cloud Run would forward for it, and the worker checks them as it does in the cloud.
    const pushEnv = { TASKS_OIDC_AUDIENCE: LOCAL_TASK_PUSH_IDENTITY.audience, TASKS_SERVICE_ACCOUNT: LOCAL_TASK_PUSH_IDENTITY.serviceAccount };
    const app = (role: keyof typeof ROLE_PORTS | "migrate", name: string, extra: Partial<ConstructorParameters<typeof DockerService>[2]> = {}) =>
      new DockerService(this, name, {
        name: `${prefix}-${name}`,
        image: appImage.imageId,
        network,
        command: [role],
        env: {
          ...appEnv,
          ...(role === "worker" || role === "dispatcher" ? pushEnv : {}),
          ...(role === "migrate" ? {} : { PORT: String(ROLE_PORTS[role]), DB_POOL_SIZE: String(config.services[role === "dispatcher" ? "worker" : role].dbPoolSize) }),
        },
        healthcheck: role === "migrate" ? undefined : { test: readyCheck(ROLE_PORTS[role]) },
        memoryMb: 1024,
        dependsOn: [postgres.container, redis.container],
        ...extra,
      });

    const migrate = app("migrate", "migrate", { runOnce: true });
    const afterMigrate = [postgres.container, redis.container, migrate.container];
    const apiReplicas = Array.from({ length: settings.apiReplicas }, (_, i) => app("api", `api-${i + 1}`, { aliases: ["api"], dependsOn: afterMigrate }));
    const worker = app("worker", "worker", { aliases: ["worker"], dependsOn: afterMigrate });
    const realtime = app("realtime", "realtime", { aliases: ["realtime"], dependsOn: afterMigrate });
    app("dispatcher", "dispatcher", { dependsOn: [...afterMigrate, worker.container] });

    new DockerService(this, "proxy", {
      name: `${prefix}-proxy`,
      image: proxyImage.imageId,
      network,
      ports: [{ containerPort: PROXY_PORT_IN_CONTAINER, hostPort: settings.proxyPort, hostAddress: settings.bindAddress }],
      files: [
        {
          path: "/etc/nginx/conf.d/default.conf",
          content: renderProxyConfig({
            api: apiReplicas.map((replica) => `${replica.name}:${ROLE_PORTS.api}`),
            realtime: `${realtime.name}:${ROLE_PORTS.realtime}`,
            listenPort: PROXY_PORT_IN_CONTAINER,
            staticRoot: STATIC_ROOT,
          }),
        },
        { path: `${STATIC_ROOT}/index.html`, content: "<!doctype html><title>valorize</title><p>valorize local edge</p>\n" },
      ],
      // Docker cannot copy the configuration into a read-only root filesystem.
      readOnlyRootFilesystem: false,
      healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PROXY_PORT_IN_CONTAINER}/healthz`] },
      dependsOn: [...apiReplicas.map((r) => r.container), realtime.container],
    });

    const hostUrl = (scheme: string, port: number, path = "") => `${scheme}://${settings.bindAddress}:${port}${path}`;
    new TerraformOutput(this, "base_url", { value: hostUrl("http", settings.proxyPort), description: "The local edge: point the experiment here." });
    new TerraformOutput(this, "database_url", {
      value: `postgres://valorize:${dbPassword.stringValue}@${settings.bindAddress}:${settings.postgresPort}/${databaseName}`,
      sensitive: true,
      description: "PostgreSQL for operators and the experiment's audit.",
    });
    new TerraformOutput(this, "redis_url", { value: hostUrl("redis", settings.redisPort), description: "Redis for operators." });
  }
}
