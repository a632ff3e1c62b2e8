import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { describe, expect, it } from "vitest";
import { CLOUD_ENVIRONMENT_NAMES, parseEnvironment, ENVIRONMENTS, type EnvironmentConfig } from "../environments";
import { Testing } from "../lib/cdktf";
import { envOf, onlyResource, resourcesAt, resourcesOf, serviceNamed, synthEnvironment, testEnvironment } from "../test/support/synth";
import { EnvironmentStack } from "./environment-stack";

const synthesized = Object.fromEntries(CLOUD_ENVIRONMENT_NAMES.map((name) => [name, synthEnvironment(testEnvironment(name))]));
const dev = synthesized.dev!;
const prod = synthesized.prod!;


describe.each(CLOUD_ENVIRONMENT_NAMES)("%s stack", (name) => {
  const { json, raw } = synthesized[name]!;

  it("matches the reviewed snapshot (an unreviewed change fails CI)", async () => {
    await expect(JSON.stringify(JSON.parse(raw), null, 2)).toMatchFileSnapshot(`./__snapshots__/${name}.cdk.tf.json`);
  });

  it("contains the whole system", () => {
    for (const type of [
      "google_compute_network",
      "google_service_networking_connection",
      "google_sql_database_instance",
      "google_redis_instance",
      "google_cloud_run_v2_job",
      "google_artifact_registry_repository",
      "docker_registry_image",
    ]) {
      expect(Object.keys(resourcesOf(json, type)), type).toHaveLength(1);
    }
    expect(Object.values(resourcesOf(json, "google_cloud_run_v2_service")).map((s: any) => s.name).sort()).toEqual(
      ["api", "realtime", "worker"].map((role) => `${ENVIRONMENTS[name].namePrefix}-${role}`),
    );
    expect(Object.keys(resourcesOf(json, "google_cloud_tasks_queue")).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(resourcesOf(json, "terraform_data")).sort()).toEqual([expect.stringMatching(/^apis_ready/), expect.stringMatching(/^image_build-id/), expect.stringMatching(/^migrations_run-id/)]);
  });

  it("emits no proto3 default in the dashboard JSON (the Monitoring API drops them: a change on every plan, provider issue 16173)", () => {
    const dashboards = Object.values(resourcesOf(json, "google_monitoring_dashboard")) as any[];
    expect(dashboards).toHaveLength(1);
    const defaults: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === 0 || value === "" || value === false || value === null || value === "0s") defaults.push(`${path} = ${JSON.stringify(value)}`);
      else if (Array.isArray(value)) value.length ? value.forEach((item, i) => walk(item, `${path}[${i}]`)) : defaults.push(`${path} = []`);
      else if (typeof value === "object") Object.keys(value!).length ? Object.entries(value!).forEach(([k, v]) => walk(v, `${path}.${k}`)) : defaults.push(`${path} = {}`);
    };
    walk(JSON.parse(dashboards[0].dashboard_json), "dashboard");
    expect(defaults).toEqual([]);
  });

  it("enables the API behind every resource type it declares (project IAM needs Cloud Resource Manager)", () => {
    const enabled = new Set((Object.values(resourcesOf(json, "google_project_service")) as any[]).map((s) => s.service));
    const types = [...Object.keys(json.resource), ...Object.keys(json.data ?? {}).map((type) => `data.${type}`)];
    const unmapped = types.filter((type) => !(type in API_OF));
    expect(unmapped, "resource types missing from API_OF: classify them").toEqual([]);
    const missing = types.flatMap((type) => API_OF[type]!.filter((api) => !enabled.has(api)).map((api) => `${type} needs ${api}`));
    expect(missing).toEqual([]);
  });

  it("labels every labelable resource through the provider's default labels", () => {
    expect(raw).toHaveProviderWithProperties(GoogleProvider, { default_labels: expect.objectContaining({ app: "valorize", env: name, managed_by: "cdktf" }) });
  });

  it("outputs what operators need (no static_bucket: every environment serves the static site from the api)", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(
      [
        "api_service_account",
        "api_url",
        "base_url",
        "database_connection_name",
        "database_name",
        "database_private_ip",
        "edge_ip",
        "image_uri",
        "max_connections",
        "migration_job",
        "project_id",
        "realtime_service_account",
        "realtime_url",
        "redis_host",
        "region",
        "task_queues",
        "tasks_service_account",
        "worker_service_account",
        "worker_url",
      ].sort(),
    );
  });

  it("never passes a secret-looking variable as a plain value", () => {
    const workloads = [...Object.values(resourcesOf(json, "google_cloud_run_v2_service")), ...Object.values(resourcesOf(json, "google_cloud_run_v2_job"))] as any[];
    for (const workload of workloads) {
      const containers = workload.template.containers ?? workload.template.template.containers;
      for (const variable of containers[0].env) {
        if (/PASSWORD|SECRET|TOKEN|KEY|CERT/.test(variable.name)) expect(variable.value_source, `${workload.name} ${variable.name}`).toBeDefined();
      }
    }
  });

  it("starts services only after the current image's migrations ran (the job's update waits for its run)", () => {
    const job = onlyResource(json, "google_cloud_run_v2_job");
    expect(job.run_execution_token).toMatch(/^\$\{substr\(replace\(terraform_data\.migrations_run-id_\w+\.id, "-", ""\), 0, 12\)\}$/);
    const [runId] = Object.entries(resourcesOf(json, "terraform_data")).find(([id]) => id.startsWith("migrations_run-id"))!;
    expect(resourcesOf(json, "terraform_data")[runId].triggers_replace[0]).toBe(job.template.template.containers[0].image);
    for (const role of ["api", "realtime", "worker"]) {
      expect(serviceNamed(json, role).depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_cloud_run_v2_job\.migrations_job/)]));
      expect(serviceNamed(json, role).template.containers[0].image).toBe(job.template.template.containers[0].image);
    }
  });

  it("shells out to nothing during apply: no gcloud, no local-exec, no provisioner (a CI runner has only the provider's credentials)", () => {
    expect(raw).not.toMatch(/gcloud|local-exec|"provisioner"/);
  });

  it("configures google-beta exactly like google (project, region, default labels), for the migration job only", () => {
    const [google] = json.provider!.google!;
    const [beta] = json.provider!["google-beta"]!;
    expect(beta).toEqual(google);
    const onBeta = Object.entries(json.resource).flatMap(([type, byId]) => Object.values(byId).filter((r: any) => r.provider === "google-beta").map(() => type));
    expect(onBeta).toEqual(["google_cloud_run_v2_job"]);
  });

  it("requires Terraform >= 1.11 (write-only secret arguments)", () => {
    expect(json.terraform?.required_version).toBe(">= 1.11");
  });
});

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

/**
 * The API the Google provider calls to manage each resource type (from the provider's resource
 * documentation and the API each resource's REST calls go to), or none. A type missing here
 * fails the test, so a new resource gets classified.
 */
const API_OF: Record<string, readonly string[]> = {
  terraform_data: [], // built into Terraform
  docker_image: [], // built by the local Docker engine
  docker_registry_image: ["artifactregistry.googleapis.com"], // pushed to Artifact Registry's Docker endpoint
  "data.google_client_config": [], // the provider's own token, no call
  google_artifact_registry_repository: ["artifactregistry.googleapis.com"],
  google_cloud_run_v2_job: ["run.googleapis.com"],
  google_cloud_run_v2_service: ["run.googleapis.com"],
  google_cloud_run_v2_service_iam_member: ["run.googleapis.com"],
  google_cloud_tasks_queue: ["cloudtasks.googleapis.com"],
  google_cloud_tasks_queue_iam_member: ["cloudtasks.googleapis.com"],
  google_compute_backend_bucket: ["compute.googleapis.com"],
  google_compute_backend_service: ["compute.googleapis.com"],
  google_compute_global_address: ["compute.googleapis.com"],
  google_compute_global_forwarding_rule: ["compute.googleapis.com"],
  google_compute_managed_ssl_certificate: ["compute.googleapis.com"],
  google_compute_network: ["compute.googleapis.com"],
  google_compute_region_network_endpoint_group: ["compute.googleapis.com"],
  google_compute_security_policy: ["compute.googleapis.com"],
  google_compute_ssl_policy: ["compute.googleapis.com"],
  google_compute_subnetwork: ["compute.googleapis.com"],
  google_compute_target_http_proxy: ["compute.googleapis.com"],
  google_compute_target_https_proxy: ["compute.googleapis.com"],
  google_compute_url_map: ["compute.googleapis.com"],
  google_monitoring_alert_policy: ["monitoring.googleapis.com"],
  google_monitoring_dashboard: ["monitoring.googleapis.com"],
  google_monitoring_notification_channel: ["monitoring.googleapis.com"],
  google_monitoring_service: ["monitoring.googleapis.com"],
  google_monitoring_slo: ["monitoring.googleapis.com"],
  google_monitoring_uptime_check_config: ["monitoring.googleapis.com"],
  google_project_iam_member: ["cloudresourcemanager.googleapis.com"], // projects.getIamPolicy / setIamPolicy
  google_project_service: ["serviceusage.googleapis.com"],
  google_redis_instance: ["redis.googleapis.com"],
  google_secret_manager_secret: ["secretmanager.googleapis.com"],
  google_secret_manager_secret_iam_member: ["secretmanager.googleapis.com"],
  google_secret_manager_secret_version: ["secretmanager.googleapis.com"],
  google_service_account: ["iam.googleapis.com"],
  google_service_account_iam_member: ["iam.googleapis.com"],
  google_service_networking_connection: ["servicenetworking.googleapis.com", "compute.googleapis.com"], // the peering is a VPC peering
  google_sql_database: ["sqladmin.googleapis.com"],
  google_sql_database_instance: ["sqladmin.googleapis.com"],
  google_sql_user: ["sqladmin.googleapis.com"],
  google_storage_bucket: ["storage.googleapis.com"],
  google_storage_bucket_iam_member: ["storage.googleapis.com"],
};
