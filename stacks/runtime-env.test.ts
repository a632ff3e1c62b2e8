/**
 * The contract between the stacks and the app, on the synthesized stacks: every variable a Cloud
 * Run service or job sets is one the role it runs reads (contract/runtime-env.ts ROLE_ENV, which
 * the app's config reads and nothing else), and the role's config loads from exactly that
 * environment as the container gets it, with what the stack meant.
 */
import { describe, expect, it } from "vitest";
import { loadConfig, type Role } from "../app/config";
import { ROLE_ENV, type RuntimeEnvName } from "../contract";
import { processEnvOf, workloadsOf } from "../test/support/stack-env";
import { envOf, synthEnvironment, testEnvironment } from "../test/support/synth";

describe.each(["dev", "staging", "prod"] as const)("%s: what the stack sets is what each role reads", (name) => {
  const { json } = synthEnvironment(testEnvironment(name));
  const workloads = workloadsOf(json);

  it("runs the three services and the migration job", () => {
    expect(workloads.map((w) => `${w.kind}:${w.role}`).sort()).toEqual(["job:migrate", "service:api", "service:realtime", "service:worker"]);
  });

  it.each(["api", "realtime", "worker", "migrate"] as const)("%s: sets only variables its role reads, and its config loads from them", (role) => {
    const workload = workloads.find((w) => w.role === role)!;
    const set = Object.keys(envOf(workload.resource)).sort();
    const read = new Set<string>(ROLE_ENV[role]);
    expect(set.filter((variable) => !read.has(variable)), `${role} sets variables ${role} never reads`).toEqual([]);

    const env = processEnvOf(json, workload);
    const config = loadConfig(role as Role, env);
    // What the stack meant arrives: the database through the connector as the workload's user.
    expect(config.database).toMatchObject({ kind: "cloud-sql", connectionName: env.DB_CONNECTION_NAME, user: env.DB_USER, poolSize: Number(env.DB_POOL_SIZE) });
    if (role !== "migrate") expect(config.redis).toMatchObject({ url: env.REDIS_URL, password: env.REDIS_PASSWORD, caCert: env.REDIS_CA_CERT });
    if (role === "api") expect(config.tasks).toMatchObject({ backend: "cloud-tasks", workerUrl: env.WORKER_URL, serviceAccount: env.TASKS_SERVICE_ACCOUNT });
  });

  it("never sets a variable outside the contract", () => {
    const known = new Set<string>(Object.values(ROLE_ENV).flat() as RuntimeEnvName[]);
    for (const workload of workloads) expect(Object.keys(envOf(workload.resource)).filter((v) => !known.has(v)), workload.role).toEqual([]);
  });
});

describe("the app's config reads only its role's variables", () => {
  it("ignores a variable its role does not read, even one that would be invalid", () => {
    expect(() => loadConfig("migrate", { WS_HEARTBEAT_MS: "soon", TASKS_BACKEND: "carrier-pigeon" })).not.toThrow();
    expect(() => loadConfig("realtime", { WS_HEARTBEAT_MS: "soon" })).toThrow(/WS_HEARTBEAT_MS = "soon"/);
  });
});
