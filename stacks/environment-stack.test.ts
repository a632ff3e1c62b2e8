import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { describe, expect, it } from "vitest";
import { CLOUD_ENVIRONMENT_NAMES, ENVIRONMENTS } from "../environments";
import { onlyResource, resourcesOf, serviceNamed, synthEnvironment, testEnvironment } from "../test/support/synth";

const synthesized = Object.fromEntries(CLOUD_ENVIRONMENT_NAMES.map((name) => [name, synthEnvironment(testEnvironment(name))]));

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
