import { describe, expect, it } from "vitest";
import { loadConfig } from "../app/config";
import { AppService } from "../constructs/app-service";
import { ENVIRONMENTS, LOCAL_TASK_PUSH_IDENTITY, loadEnvironment, parseEnvironment } from "../environments";
import { Testing } from "../lib/cdktf";
import { resourcesOf } from "../test/support/synth";
import { LocalStack, ROLE_PORTS } from "./local-stack";

function synthLocal(config = loadEnvironment("local")) {
  const stack = new LocalStack(Testing.app(), "local", { config });
  const raw = Testing.synth(stack, true);
  return { raw, json: JSON.parse(raw) };
}

const { raw, json } = synthLocal();
const containers = Object.values(resourcesOf(json, "docker_container")) as any[];
const container = (name: string) => containers.find((c) => c.name === `valorize-local-${name}`);
const envOf = (c: any) => Object.fromEntries(c.env.map((line: string) => line.split(/=(.*)/s).slice(0, 2)));

describe("local stack", () => {
  it("shells out to nothing during apply: no gcloud, no local-exec", () => {
    expect(raw).not.toMatch(/gcloud|local-exec|"provisioner"/);
  });

  it("matches the reviewed snapshot", async () => {
    await expect(JSON.stringify(JSON.parse(raw), null, 2)).toMatchFileSnapshot("./__snapshots__/local.cdk.tf.json");
  });

  it("runs the whole system: PostgreSQL, Redis, migrations, api replicas, worker, realtime, dispatcher and a proxy", () => {
    expect(containers.map((c) => c.name).sort()).toEqual(
      ["api-1", "api-2", "dispatcher", "migrate", "postgres", "proxy", "realtime", "redis", "worker"].map((n) => `valorize-local-${n}`),
    );
    expect(Object.keys(resourcesOf(json, "docker_network"))).toHaveLength(1);
  });

  it("builds the app image from app/ with the same source hash as the cloud stacks", () => {
    const app = (resourcesOf(json, "docker_image") as any)["app-image"];
    expect(app.build).toMatchObject({ context: "${path.module}/../../..", dockerfile: "app/Dockerfile" });
    expect(app.triggers.source_hash).toMatch(/^\$\{local\.app-source-hash\}$/);
    for (const role of ["api-1", "worker", "realtime", "dispatcher", "migrate"]) {
      expect(container(role).image).toBe("${docker_image.app-image.image_id}");
      expect(container(role).command).toEqual([role.replace(/-\d$/, "")]);
    }
  });

  it("publishes only the proxy, PostgreSQL and Redis, on loopback", () => {
    const published = containers.filter((c) => c.ports).map((c) => [c.name, c.ports[0].ip, c.ports[0].external]);
    expect(published.sort()).toEqual([
      ["valorize-local-postgres", "127.0.0.1", 15432],
      ["valorize-local-proxy", "127.0.0.1", 8000],
      ["valorize-local-redis", "127.0.0.1", 16379],
    ]);
  });

  it("keeps Redis's data (the local task queues) on a volume in an append-only file, so a restart loses no queued task", () => {
    const redis = container("redis");
    expect(redis.command.join(" ")).toContain("--appendonly yes --appendfsync everysec");
    expect(redis.volumes).toEqual([{ container_path: "/data", volume_name: "${docker_volume.redis-data.name}" }]);
  });

  it("hardens every container: no capabilities beyond need, no privilege escalation", () => {
    for (const c of containers) {
      expect(c.capabilities.drop).toEqual(["ALL"]);
      expect(c.security_opts).toEqual(["no-new-privileges:true"]);
    }
    expect(container("api-1").read_only).toBe(true);
    expect(container("worker").read_only).toBe(true);
  });

  it("migrates once before any app role starts, and starts roles only when healthy", () => {
    expect(container("migrate")).toMatchObject({ must_run: false, restart: "no", attach: true });
    for (const role of ["api-1", "api-2", "worker", "realtime", "dispatcher"]) {
      expect(container(role).depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/docker_container\.migrate_container/)]));
      expect(container(role).wait).toBe(true);
      expect(container(role).healthcheck.test.join(" ")).toContain("/readyz");
    }
  });

  it("configures the app like the cloud, with the local task backend", () => {
    const env = envOf(container("api-1"));
    expect(env).toMatchObject({ TASKS_BACKEND: "local", WORKER_URL: `http://worker:${ROLE_PORTS.worker}`, REDIS_URL: "redis://redis:6379", PORT: "8080" });
    expect(env.DATABASE_URL).toBe("postgres://valorize:${var.local_db_password}@postgres:5432/valorize");
    expect(envOf(container("realtime")).PORT).toBe(String(ROLE_PORTS.realtime));
  });

  it("has the dispatcher push, and the worker expect, one push identity: what the stacks would name the local worker", () => {
    expect(LOCAL_TASK_PUSH_IDENTITY.audience).toBe(AppService.serviceName(ENVIRONMENTS.local.namePrefix, "worker"));
    const identity = { mode: "cloud-run-iam", ...LOCAL_TASK_PUSH_IDENTITY };
    expect(loadConfig("worker", envOf(container("worker"))).taskAuth).toEqual(identity);
    expect(loadConfig("dispatcher", envOf(container("dispatcher"))).taskAuth).toEqual(identity);
  });

  it("routes paths like the cloud load balancer", () => {
    const conf = container("proxy").upload.find((u: any) => u.file === "/etc/nginx/conf.d/default.conf").content as string;
    expect(conf).toContain("server valorize-local-api-1:8080");
    expect(conf).toContain("server valorize-local-api-2:8080");
    expect(conf).toMatch(/location \/api\/ \{[^}]*proxy_pass http:\/\/api;[^}]*proxy_cache edge;/s);
    expect(conf).toMatch(/location \/ws \{[^}]*proxy_pass http:\/\/realtime;[^}]*Upgrade \$http_upgrade/s);
    expect(conf).toMatch(/location \/ \{[^}]*root \/usr\/share\/nginx\/html;[^}]*Cache-Control "public"/s);
  });

  it("outputs the base URL for the experiment", () => {
    expect(json.output.base_url.value).toBe("http://127.0.0.1:8000");
    expect(json.output.database_url.sensitive).toBe(true);
  });

  it("follows its settings (replicas, ports)", () => {
    const wide = synthLocal(parseEnvironment({ ...ENVIRONMENTS.local, localDocker: { apiReplicas: 3, proxyPort: 9000 } })).json;
    const names = (Object.values(resourcesOf(wide, "docker_container")) as any[]).map((c) => c.name);
    expect(names.filter((n) => /-api-\d$/.test(n))).toHaveLength(3);
    expect(wide.output.base_url.value).toBe("http://127.0.0.1:9000");
  });
});
