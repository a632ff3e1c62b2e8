import { CloudRunV2ServiceIamMember } from "@cdktf/provider-google/lib/cloud-run-v2-service-iam-member";
import { describe, expect, it } from "vitest";
import type { ServiceRole } from "../lib/service-roles";
import { BASE, database, network, secrets } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { AppService } from "./app-service";

const sizing = { minInstances: 1, maxInstances: 7, concurrency: 33, dbPoolSize: 4, timeoutSeconds: 120 };

function synthService(role: ServiceRole, extra: Partial<ConstructorParameters<typeof AppService>[2]> = {}) {
  let service!: AppService;
  const out = synthStack((stack) => {
    const net = network(stack);
    const db = database(stack, {}, 100, net);
    const token = secrets(stack).add("token", { kind: "resource", data: "t" });
    service = new AppService(stack, role, {
      ...BASE,
      role,
      image: "us-docker.pkg.dev/acme/app/app@sha256:0123",
      sizing,
      network: net,
      database: db,
      env: { REDIS_URL: "rediss://10.0.0.3:6378" },
      secretEnv: { TOKEN_SECRET: token },
      ...extra,
    });
  });
  return { ...out, service, run: onlyResource(out.json, "google_cloud_run_v2_service") };
}

const envOf = (run: any) => Object.fromEntries(run.template.containers[0].env.map((e: any) => [e.name, e.value ?? e.value_source]));

describe("AppService", () => {
  it.each([
    ["api", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", true],
    ["realtime", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", true],
    ["worker", "INGRESS_TRAFFIC_INTERNAL_ONLY", false],
  ] as const)("%s: ingress %s, IAM invoker check off = %s", (role, ingress, invokerIamDisabled) => {
    const { run } = synthService(role);
    expect(run.ingress).toBe(ingress);
    expect(run.invoker_iam_disabled).toBe(invokerIamDisabled);
  });

  it("the worker accepts only tokens for its own fixed audience and grants no public invoker", () => {
    const { run, json, service } = synthService("worker");
    expect(run.custom_audiences).toEqual(["vz-test-worker"]);
    expect(service.oidcAudience).toBe("vz-test-worker");
    expect(resourcesOf(json, "google_cloud_run_v2_service_iam_member")).toEqual({});
  });

  it("realtime keeps WebSockets alive: 3600 s capable timeout, session affinity, CPU always allocated", () => {
    const { run } = synthService("realtime", { sizing: { ...sizing, timeoutSeconds: 3600, concurrency: 1000 } });
    expect(run.template.timeout).toBe("3600s");
    expect(run.template.session_affinity).toBe(true);
    expect(run.template.containers[0].resources.cpu_idle).toBe(false);
    const api = synthService("api").run;
    expect(api.template.session_affinity).toBe(false);
    expect(api.template.containers[0].resources.cpu_idle).toBe(true);
  });

  it.each([
    ["api", { max: 10, concurrency: 80, timeout: "60s", pool: "10" }],
    ["realtime", { max: 5, concurrency: 1000, timeout: "3600s", pool: "2" }],
    ["worker", { max: 10, concurrency: 50, timeout: "900s", pool: "5" }],
  ] as const)("%s without sizing gets its role's defaults on 1 vCPU / 1 GiB, scaling to zero", (role, expected) => {
    const { run } = synthService(role, { sizing: undefined });
    expect(run.template.scaling).toEqual({ min_instance_count: 0, max_instance_count: expected.max });
    expect(run.template.max_instance_request_concurrency).toBe(expected.concurrency);
    expect(run.template.timeout).toBe(expected.timeout);
    expect(run.template.containers[0].resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
    expect(envOf(run).DB_POOL_SIZE).toBe(expected.pool);
  });

  it("sizes, scales and limits concurrency from its props", () => {
    const { run } = synthService("api");
    expect(run.template.scaling).toEqual({ min_instance_count: 1, max_instance_count: 7 });
    expect(run.template.max_instance_request_concurrency).toBe(33);
    expect(run.template.timeout).toBe("120s");
    expect(run.template.containers[0].resources).toMatchObject({ limits: { cpu: "1", memory: "1Gi" }, startup_cpu_boost: true });
    expect(envOf(run).DB_POOL_SIZE).toBe("4");
  });

  it("runs as its own service account, never the default compute account, with telemetry roles only", () => {
    const { run, json } = synthService("api");
    expect(run.template.service_account).toMatch(/^\$\{google_service_account\..*\.email\}$/);
    expect(onlyResource(json, "google_service_account").account_id).toBe("vz-test-api");
    const projectRoles = Object.values(resourcesOf(json, "google_project_iam_member")).map((g: any) => g.role).sort();
    expect(projectRoles).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser", "roles/cloudtrace.agent", "roles/logging.logWriter", "roles/monitoring.metricWriter"]);
  });

  it("egresses directly into the VPC for private ranges only", () => {
    const { run } = synthService("api");
    expect(run.template.vpc_access.egress).toBe("PRIVATE_RANGES_ONLY");
    expect(run.template.vpc_access.network_interfaces[0].subnetwork).toMatch(/google_compute_subnetwork\..*\.id/);
  });

  it("proves DB and Redis reachability before traffic (startup /readyz) and restarts when wedged (liveness /healthz)", () => {
    const container = synthService("worker").run.template.containers[0];
    expect(container.startup_probe.http_get.path).toBe("/readyz");
    expect(container.startup_probe.failure_threshold * container.startup_probe.period_seconds).toBeGreaterThanOrEqual(60);
    expect(container.liveness_probe.http_get.path).toBe("/healthz");
    expect(container.args).toEqual(["worker"]);
  });

  it("reads secrets as Secret Manager references after its read grant exists", () => {
    const { run, json } = synthService("api");
    const env = envOf(run);
    expect(env.TOKEN_SECRET).toEqual({ secret_key_ref: { secret: expect.stringMatching(/secret_id/), version: expect.stringMatching(/secret_manager_secret_version\..*\.version/) } });
    const grant = onlyResource(json, "google_secret_manager_secret_iam_member");
    expect(grant.member).toMatch(/serviceAccount:\$\{google_service_account\./);
    expect(run.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_secret_manager_secret_iam_member\./), expect.stringMatching(/^google_sql_user\./)]));
  });

  it("connects to Cloud SQL with IAM auth through the connector settings", () => {
    expect(envOf(synthService("api").run)).toMatchObject({
      DB_AUTH: "iam",
      DB_IP_TYPE: "PRIVATE",
      DB_NAME: "valorize",
      DB_CONNECTION_NAME: expect.stringMatching(/connection_name/),
      DB_USER: expect.stringMatching(/google_sql_user\..*\.name/),
      REDIS_URL: "rediss://10.0.0.3:6378",
    });
  });

  it("refuses a variable given both as a value and as a secret", () => {
    expect(() => synthService("api", { env: { TOKEN_SECRET: "plain" } })).toThrow(/TOKEN_SECRET is given both as a value and as a secret/);
  });

  it("grants invoke to one principal on this service only", () => {
    const { raw } = synthStack((stack) => {
      const net = network(stack);
      new AppService(stack, "worker", { ...BASE, role: "worker", image: "img@sha256:1", sizing, network: net, database: database(stack, {}, 100, net) }).grantInvoke({ member: "serviceAccount:t@p.iam.gserviceaccount.com", grantId: "tasks" });
    });
    expect(raw).toHaveResourceWithProperties(CloudRunV2ServiceIamMember, { role: "roles/run.invoker", member: "serviceAccount:t@p.iam.gserviceaccount.com" });
  });
});
