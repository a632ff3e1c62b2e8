import { describe, expect, it } from "vitest";
import { LOCAL_TASK_PUSH_IDENTITY } from "../environments/task-queues";
import { ConfigError, DEFAULT_PORTS, loadConfig } from "./config";

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("defaults to the local PostgreSQL, Redis and per-role ports", () => {
    const api = loadConfig("api", {});
    expect(api.port).toBe(8080);
    expect(api.database).toMatchObject({ kind: "url", url: "postgres://postgres@127.0.0.1:5432/test", schema: "public", poolSize: 10 });
    expect(api.redis).toMatchObject({ url: "redis://127.0.0.1:6379", keyPrefix: "vz:" });
    expect(api.tasks).toEqual({ backend: "local", queuePrefix: "valorize-local" });
    expect([loadConfig("worker", {}).port, loadConfig("realtime", {}).port, loadConfig("dispatcher", {}).port]).toEqual([8081, 8082, 8083]);
  });

  it("guards pushes locally with the local push identity, the one the local dispatcher mints tokens for", () => {
    const local = { mode: "cloud-run-iam", ...LOCAL_TASK_PUSH_IDENTITY };
    expect(loadConfig("worker", {}).taskAuth).toEqual(local);
    expect(loadConfig("dispatcher", {}).taskAuth).toEqual(local);
    const cloud = { TASKS_OIDC_AUDIENCE: "valorize-dev-worker", TASKS_SERVICE_ACCOUNT: "valorize-dev-tasks@acme-dev.iam.gserviceaccount.com" };
    expect(loadConfig("worker", cloud).taskAuth).toEqual({ mode: "cloud-run-iam", audience: "valorize-dev-worker", serviceAccount: cloud.TASKS_SERVICE_ACCOUNT });
  });

  it("uses the Cloud SQL connector settings the stacks set", () => {
    const config = loadConfig("api", {
      DB_CONNECTION_NAME: "acme-prod:europe-west1:valorize",
      DB_NAME: "valorize",
      DB_USER: "api@acme-prod.iam",
      DB_AUTH: "iam",
      DB_POOL_SIZE: "7",
      PORT: "8080",
    });
    expect(config.database).toEqual({
      kind: "cloud-sql",
      connectionName: "acme-prod:europe-west1:valorize",
      database: "valorize",
      user: "api@acme-prod.iam",
      auth: "iam",
      password: undefined,
      ipType: "PRIVATE",
      schema: "public",
      poolSize: 7,
    });
  });

  it("reads the cloud task settings and defaults the OIDC audience to the worker URL", () => {
    const queues = { categorise: ["projects/p/locations/r/queues/q-0", "projects/p/locations/r/queues/q-1"], import: ["projects/p/locations/r/queues/i"], notify: ["projects/p/locations/r/queues/n"] };
    const config = loadConfig("api", {
      TASKS_BACKEND: "cloud-tasks",
      TASK_QUEUES: JSON.stringify(queues),
      WORKER_URL: "https://worker-abc.a.run.app/",
      TASKS_SERVICE_ACCOUNT: "tasks@acme.iam.gserviceaccount.com",
    });
    expect(config.tasks).toEqual({
      backend: "cloud-tasks",
      queues,
      workerUrl: "https://worker-abc.a.run.app",
      serviceAccount: "tasks@acme.iam.gserviceaccount.com",
      audience: "https://worker-abc.a.run.app/",
    });
  });

  it("names each bad variable, its value and the rule", () => {
    expect(problems(() => loadConfig("worker", { DB_POOL_SIZE: "0", REDIS_URL: "http://cache:6379", LOG_LEVEL: "loud" }))).toEqual([
      'DB_POOL_SIZE = "0": must be an integer between 1 and 200',
      'REDIS_URL = "http://cache:6379": must start with redis:// or rediss://',
      'LOG_LEVEL = "loud": must be a pino level such as info',
    ]);
  });

  it("hides secret values in messages", () => {
    expect(problems(() => loadConfig("api", { TOKEN_SECRET: "short" }))).toEqual(["TOKEN_SECRET = (hidden): must be at least 32 characters"]);
  });

  it("requires what belongs together", () => {
    expect(problems(() => loadConfig("api", { DB_CONNECTION_NAME: "p:r:i", DB_AUTH: "password" }))).toEqual([
      "DB_NAME = (unset): is required with DB_CONNECTION_NAME",
      "DB_USER = (unset): is required with DB_CONNECTION_NAME",
      "DB_PASSWORD = (unset): is required when DB_AUTH=password",
    ]);
    expect(problems(() => loadConfig("api", { TASKS_BACKEND: "cloud-tasks", TASK_QUEUES: '{"categorise":[]}' }))[0]).toMatch(/^TASK_QUEUES = .*categorise: needs at least one queue/);
    expect(problems(() => loadConfig("worker", { TASKS_OIDC_AUDIENCE: "valorize-dev-worker" }))).toEqual([
      "TASKS_SERVICE_ACCOUNT = (unset): is required when TASKS_OIDC_AUDIENCE is set (the only account allowed to push tasks)",
    ]);
    expect(problems(() => loadConfig("dispatcher", { TASKS_SERVICE_ACCOUNT: "tasks@acme.iam.gserviceaccount.com" }))).toEqual([
      "TASKS_OIDC_AUDIENCE = (unset): is required when TASKS_SERVICE_ACCOUNT is set (the audience pushes are minted for)",
    ]);
    expect(problems(() => loadConfig("api", { REDIS_CA_CERT: "-----BEGIN CERTIFICATE-----x" }))).toEqual([
      "REDIS_URL = (unset): must use rediss:// (TLS) when REDIS_CA_CERT is set",
    ]);
  });

  it("requires TOKEN_SECRET on Cloud Run for the roles that check tokens", () => {
    expect(problems(() => loadConfig("realtime", { K_SERVICE: "valorize-dev-realtime" }))[0]).toMatch(/^TOKEN_SECRET = \(unset\): is required on Cloud Run/);
    expect(loadConfig("worker", { K_SERVICE: "valorize-dev-worker", TASKS_OIDC_AUDIENCE: "valorize-dev-worker", TASKS_SERVICE_ACCOUNT: "t@p.iam.gserviceaccount.com" }).onCloudRun).toBe(true);
  });

  it("requires the push identity for the worker on Cloud Run, where the local one would refuse every push", () => {
    expect(problems(() => loadConfig("worker", { K_SERVICE: "valorize-dev-worker" }))).toEqual([
      "TASKS_OIDC_AUDIENCE = (unset): is required on Cloud Run (K_SERVICE is set): the worker's custom audience, which Cloud Tasks mints tokens for",
      "TASKS_SERVICE_ACCOUNT = (unset): is required on Cloud Run (K_SERVICE is set): the tasks service account, the only one allowed to push tasks",
    ]);
  });

  it("tells browsers to open the WebSocket on the page's origin behind the load balancer, and on realtime's own port natively", () => {
    const cloud = { K_SERVICE: "valorize-dev-api", TOKEN_SECRET: "x".repeat(32) };
    expect(loadConfig("api", cloud).web).toEqual({ root: undefined, realtimeUrl: "/ws" });
    expect(loadConfig("api", {}).web.realtimeUrl).toBe(`ws://127.0.0.1:${DEFAULT_PORTS.realtime}/ws`);
    expect(loadConfig("api", { REALTIME_PUBLIC_URL: "wss://rt.example.com/ws", WEB_ROOT: "/srv/web" }).web).toEqual({ root: "/srv/web", realtimeUrl: "wss://rt.example.com/ws" });
    expect(problems(() => loadConfig("api", { REALTIME_PUBLIC_URL: "http://rt.example.com/ws" }))).toEqual([
      'REALTIME_PUBLIC_URL = "http://rt.example.com/ws": must be a path on the api\'s origin such as /ws, or a ws:// or wss:// URL',
    ]);
  });

  it("parses the grantees of the migrate job", () => {
    expect(loadConfig("migrate", { DB_GRANT_TO: "api@p.iam, worker@p.iam,," }).grantTo).toEqual(["api@p.iam", "worker@p.iam"]);
  });
});
