/** How each environment's config reaches its synthesized stack: wiring between services, what differs per environment, and the uncommitted inputs. */
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { describe, expect, it } from "vitest";
import { CLOUD_ENVIRONMENT_NAMES, parseEnvironment, ENVIRONMENTS, type EnvironmentConfig } from "../environments";
import { Testing } from "../lib/cdktf";
import { envOf, onlyResource, resourcesAt, resourcesOf, serviceNamed, synthEnvironment, testEnvironment } from "../test/support/synth";
import { EnvironmentStack } from "./environment-stack";

const synthesized = Object.fromEntries(CLOUD_ENVIRONMENT_NAMES.map((name) => [name, synthEnvironment(testEnvironment(name))]));
const dev = synthesized.dev!;
const prod = synthesized.prod!;

describe("wiring between services", () => {
  const api = envOf(serviceNamed(dev.json, "api"));

  it("gives the api the queue paths, the worker URL and the OIDC identity to enqueue with", () => {
    expect(api.TASKS_BACKEND).toBe("cloud-tasks");
    expect(api.TASK_QUEUES).toMatch(/^\$\{jsonencode\(\{"categorise" = \[google_cloud_tasks_queue\.task-queues_categorise-0_\w+\.id, .*"import" = \[.*"notify" = \[/);
    expect(api.WORKER_URL).toMatch(/google_cloud_run_v2_service\.worker_service_\w+\.uri/);
    expect(api.TASKS_SERVICE_ACCOUNT).toMatch(/google_service_account\.tasks-identity_account_\w+\.email/);
    expect(api.TASKS_OIDC_AUDIENCE).toBe("valorize-dev-worker");
    expect(envOf(serviceNamed(dev.json, "worker")).TASKS_OIDC_AUDIENCE).toBe("valorize-dev-worker");
  });

  it("gives api and realtime the token key, and every service the Redis URL, password and CA", () => {
    for (const role of ["api", "realtime", "worker"]) {
      const env = envOf(serviceNamed(dev.json, role));
      expect(env.REDIS_URL).toMatch(/^rediss:\/\//);
      expect(env.REDIS_PASSWORD).toHaveProperty("secret_key_ref");
      expect(env.REDIS_CA_CERT).toHaveProperty("secret_key_ref");
      expect("TOKEN_SECRET" in env).toBe(role !== "worker");
    }
  });

  it("lets the migration job grant table access to exactly the three runtime users", () => {
    const job = onlyResource(dev.json, "google_cloud_run_v2_job");
    const grantTo = job.template.template.containers[0].env.find((e: any) => e.name === "DB_GRANT_TO").value as string;
    expect(grantTo.split(",").map((u) => u.replace(/.*database_iam-user-(\w+)_.*/, "$1")).sort()).toEqual(["api", "realtime", "worker"]);
  });

  it("derives max_connections from the connection budget", () => {
    const config = testEnvironment("dev");
    const budget = (["api", "realtime", "worker"] as const).reduce((sum, role) => sum + config.services[role].maxInstances * config.services[role].dbPoolSize, 0) + 2;
    const flags = onlyResource(dev.json, "google_sql_database_instance").settings.database_flags;
    expect(flags.find((f: any) => f.name === "max_connections").value).toBe(String(budget + config.database.connectionReserve));
  });
});

describe("prod differs from dev where it matters", () => {
  const sql = (json: any) => onlyResource(json, "google_sql_database_instance");
  const redis = (json: any) => onlyResource(json, "google_redis_instance");

  it("prod's database is regional, protected from deletion and on the study's 2 vCPU / 16 GiB", () => {
    expect(sql(prod.json).settings).toMatchObject({ availability_type: "REGIONAL", tier: "db-perf-optimized-N-2", edition: "ENTERPRISE_PLUS", deletion_protection_enabled: true });
    expect(sql(prod.json).deletion_protection).toBe(true);
    expect(sql(dev.json).settings).toMatchObject({ availability_type: "ZONAL", deletion_protection_enabled: false });
    expect(sql(dev.json).deletion_protection).toBe(false);
  });

  it("prod's Redis is highly available, dev's basic", () => {
    expect(redis(prod.json).tier).toBe("STANDARD_HA");
    expect(redis(dev.json).tier).toBe("BASIC");
  });

  it("prod keeps warm instances and scales further", () => {
    const scaling = (json: any, role: string) => serviceNamed(json, role).template.scaling;
    expect(scaling(dev.json, "api")).toEqual({ min_instance_count: 0, max_instance_count: 10 });
    expect(scaling(prod.json, "api").min_instance_count).toBeGreaterThanOrEqual(1);
    expect(scaling(prod.json, "api").max_instance_count).toBe(40);
    expect(scaling(prod.json, "realtime").min_instance_count).toBeGreaterThanOrEqual(1);
  });

  it("prod serves HTTPS with a TLS 1.2+ policy and an enforcing WAF; dev is HTTP-only and previews", () => {
    const proxy = onlyResource(prod.json, "google_compute_target_https_proxy");
    expect(proxy.ssl_policy).toMatch(/google_compute_ssl_policy\./);
    expect(onlyResource(prod.json, "google_compute_ssl_policy")).toMatchObject({ profile: "MODERN", min_tls_version: "TLS_1_2" });
    expect(resourcesOf(dev.json, "google_compute_target_https_proxy")).toEqual({});
    const wafRules = (json: any) => (Object.values(resourcesOf(json, "google_compute_security_policy")) as any[]).flatMap((p) => p.rule).filter((r: any) => /evaluatePreconfiguredWaf/.test(r.match?.expr?.expression ?? ""));
    expect(wafRules(prod.json).length).toBe(8);
    for (const rule of wafRules(prod.json)) expect(rule.preview).toBe(false);
    for (const rule of wafRules(dev.json)) expect(rule.preview).toBe(true);
  });

  it("puts every backend service behind Cloud Armor in every environment", () => {
    for (const { json } of [dev, prod]) {
      const backends = Object.values(resourcesOf(json, "google_compute_backend_service")) as any[];
      expect(backends).toHaveLength(2);
      for (const backend of backends) expect(backend.security_policy).toMatch(/google_compute_security_policy\./);
    }
  });

  it("every environment monitors the study's SLOs; prod pages on-call, staging only files tickets", () => {
    for (const { json } of [dev, prod]) {
      expect((Object.values(resourcesOf(json, "google_monitoring_slo")) as any[]).map((s) => s.slo_id).sort()).toEqual(["api-availability", "api-latency", "realtime-availability", "worker-task-success"]);
    }
    const emails = (json: any) => (Object.values(resourcesOf(json, "google_monitoring_notification_channel")) as any[]).map((c) => c.labels.email_address).sort();
    // The recipients a team gives at deploy time (test/support/fixtures.ts).
    expect(emails(prod.json)).toEqual(["oncall@valorize-fixture.net", "platform@valorize-fixture.net"]);
    expect(emails(synthesized.staging!.json)).toEqual(["platform@valorize-fixture.net"]);
    expect(emails(dev.json)).toEqual([]);
  });

  it("prod shards categorisation wider", () => {
    expect(resourcesAt(prod.json, "google_cloud_tasks_queue", "categorise")).toHaveLength(8);
    expect(resourcesAt(dev.json, "google_cloud_tasks_queue", "categorise")).toHaveLength(4);
  });
});

describe("environment inputs", () => {
  it("keeps state locally (git-ignored, project root) without a bucket and in GCS with one", () => {
    expect(dev.json.terraform?.backend).toEqual({ local: { path: "../../../terraform.dev.tfstate" } });
    const withBucket = synthEnvironment(testEnvironment("staging", { env: { VALORIZE_STAGING_STATE_BUCKET: "acme-tf-state" } }));
    expect(withBucket.json.terraform?.backend).toEqual({ gcs: { bucket: "acme-tf-state", prefix: "valorize/staging" } });
  });

  it("takes the project id at synth when given, else as a validated Terraform variable", () => {
    expect(dev.json.variable?.project_id.validation[0].condition).toContain("regex(");
    const pinned = synthEnvironment(testEnvironment("dev", { env: { VALORIZE_DEV_PROJECT_ID: "acme-dev-42" } }));
    expect(pinned.json.variable?.project_id).toBeUndefined();
    expect(pinned.raw).toHaveProviderWithProperties(GoogleProvider, { project: "acme-dev-42" });
  });

  it("deploys a pinned image without building", () => {
    const pinned = synthEnvironment(testEnvironment("prod", { env: { VALORIZE_PROD_IMAGE: "us-docker.pkg.dev/acme/app/app@sha256:feed" } }));
    expect(resourcesOf(pinned.json, "docker_image")).toEqual({});
    expect(serviceNamed(pinned.json, "api").template.containers[0].image).toBe("us-docker.pkg.dev/acme/app/app@sha256:feed");
  });

  it("fails synth when the services could exhaust an explicit max_connections, with the numbers", () => {
    const config: EnvironmentConfig = parseEnvironment({ ...ENVIRONMENTS.dev, database: { ...ENVIRONMENTS.dev.database, maxConnections: 100 } });
    const stack = new EnvironmentStack(Testing.app(), "dev", { config });
    expect(() => Testing.synth(stack, true)).toThrow(/Connection budget exceeded: the services can open 131 PostgreSQL connections .* but max_connections 100 minus reserve 20 leaves 80/);
  });
});
