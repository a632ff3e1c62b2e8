/**
 * The cloud resilience run is never run here: these tests pin the gcloud commands it would run
 * against staging and the preflight that refuses to start without what it needs.
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../environments";
import { cloudFaultPlan, resiliencePreflight, RESILIENCE_PERMISSIONS, ROLLOUT_VARIABLE, type ResiliencePreflightProbes } from "./cloud-plan";
import { CLOUD_FAULTS } from "./faults";

const stagingSettings = { VALORIZE_STAGING_PROJECT_ID: "acme-stg-1", VALORIZE_STAGING_STATE_BUCKET: "acme-tf", VALORIZE_STAGING_DOMAINS: "stg.acme-corp.com", VALORIZE_STAGING_TICKET_EMAILS: "ops@acme-corp.com" };
const staging = loadEnvironment("staging", { env: stagingSettings });
const dev = loadEnvironment("dev", { env: { VALORIZE_DEV_PROJECT_ID: "acme-dev-1" } });
const where = { projectId: "acme-stg-1", region: "us-central1" };

describe("the cloud fault plan", () => {
  const plan = cloudFaultPlan(staging, where, "r1");
  const step = (fault: (typeof CLOUD_FAULTS)[number]) => plan.find((s) => s.fault === fault)!;

  it("covers every cloud fault, in the schedule's order", () => {
    expect(plan.map((s) => s.fault)).toEqual([...CLOUD_FAULTS]);
  });

  it("fails over Cloud SQL and Memorystore with the stacks' instance names", () => {
    expect(step("postgres-failover").inject).toEqual([["sql", "instances", "failover", "valorize-stg-pg", "--project=acme-stg-1", "--quiet"]]);
    expect(step("redis-failover").inject).toEqual([["redis", "instances", "failover", "valorize-stg-redis", "--data-protection-mode=limited-data-loss", "--region=us-central1", "--project=acme-stg-1", "--quiet"]]);
  });

  it("rolls out new api and realtime revisions with a variable, and removes it afterwards", () => {
    expect(step("api-new-revision").inject).toEqual([["run", "services", "update", "valorize-stg-api", `--update-env-vars=${ROLLOUT_VARIABLE}=r1-api`, "--region=us-central1", "--project=acme-stg-1", "--quiet"]]);
    expect(step("realtime-new-revision").cleanup).toEqual([["run", "services", "update", "valorize-stg-realtime", `--remove-env-vars=${ROLLOUT_VARIABLE}`, "--region=us-central1", "--project=acme-stg-1", "--quiet"]]);
  });

  it("takes the worker to 0 instances with manual scaling (max instances cannot be 0) and back to the environment's automatic scaling", () => {
    const worker = step("worker-scaled-to-zero");
    expect(worker.inject).toEqual([["run", "services", "update", "valorize-stg-worker", "--scaling=0", "--region=us-central1", "--project=acme-stg-1", "--quiet"]]);
    const back = ["run", "services", "update", "valorize-stg-worker", "--scaling=auto", `--min=${staging.services.worker.minInstances}`, `--max=${staging.services.worker.maxInstances}`, "--region=us-central1", "--project=acme-stg-1", "--quiet"];
    expect(worker.restore).toEqual([back]);
    expect(worker.cleanup).toEqual([back]);
    expect(worker.inject.flat().some((a) => a.startsWith("--max-instances"))).toBe(false);
  });

  it("pauses and resumes every categorisation shard, and always resumes them at the end", () => {
    const queues = step("task-queues-paused");
    expect(queues.inject).toHaveLength(staging.taskQueues.categorise.shards);
    expect(queues.inject[0]).toEqual(["tasks", "queues", "pause", "valorize-stg-categorise-0", "--location=us-central1", "--project=acme-stg-1", "--quiet"]);
    expect(queues.cleanup.map((c) => c[2])).toEqual(Array(staging.taskQueues.categorise.shards).fill("resume"));
  });
});

/** A machine where gcloud is installed and logged in, with `granted` permissions. */
function probes(over: Partial<ResiliencePreflightProbes> & { granted?: readonly string[] } = {}): ResiliencePreflightProbes & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    onPath: over.onPath ?? (() => true),
    gcloud: over.gcloud ?? (async (args) => (calls.push([...args]), args[1] === "list" ? { code: 0, stdout: "ops@acme-corp.com\n" } : { code: 0, stdout: "ya29.token\n" })),
    grantedPermissions: over.grantedPermissions ?? (async (_p, _t, wanted) => wanted.filter((w) => (over.granted ?? wanted).includes(w))),
  };
}

describe("the cloud resilience preflight", () => {
  it("passes on staging with gcloud logged in and every permission", async () => {
    const machine = probes();
    expect(await resiliencePreflight("staging", staging, machine)).toBeUndefined();
    expect(machine.calls).toEqual([["auth", "list", "--filter=status:ACTIVE", "--format=value(account)"], ["auth", "print-access-token"]]);
  });

  it("refuses an environment without a standby to fail over to, naming each setting and the way out", async () => {
    const message = await resiliencePreflight("dev", dev, probes());
    expect(message).toContain("--env dev --scenarios resilience cannot start yet:");
    expect(message).toContain("database.availabilityType = ZONAL: a Cloud SQL failover needs a high-availability (REGIONAL) instance");
    expect(message).toContain("cache.tier = BASIC: a Memorystore failover needs a Standard tier instance (STANDARD_HA)");
  });

  it("names a missing gcloud, a missing login, and every missing permission with the role that grants it", async () => {
    expect(await resiliencePreflight("staging", staging, probes({ onPath: () => false }))).toMatch(/gcloud is not on PATH: it performs the faults .*install it from https:\/\/cloud.google.com\/sdk\/docs\/install/);
    expect(await resiliencePreflight("staging", staging, probes({ gcloud: async () => ({ code: 0, stdout: "" }) }))).toContain("gcloud has no active account");
    const missing = await resiliencePreflight("staging", staging, probes({ granted: RESILIENCE_PERMISSIONS.map((p) => p.permission).filter((p) => !p.startsWith("redis.")) }));
    expect(missing).toContain("ops@acme-corp.com lacks redis.instances.failover on project acme-stg-1: it fails Memorystore over to its replica; grant roles/redis.admin");
    expect(missing).toContain("lacks redis.instances.get");
    expect(missing).not.toContain("cloudsql");
  });
});
