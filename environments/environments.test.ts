import { describe, expect, it } from "vitest";
import {
  CLOUD_ENVIRONMENT_NAMES,
  DEFAULT_TASK_QUEUES,
  dispatchBudget,
  ENVIRONMENTS,
  EnvironmentConfigError,
  externalSettingNames,
  loadEnvironment,
  parseCloudSqlTier,
  parseEnvironment,
  shardFor,
  taskQueueName,
} from ".";

/** Parses `input` and returns the violations it is rejected with. */
function rejection(input: unknown): EnvironmentConfigError {
  try {
    parseEnvironment(input);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error;
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

const dev = ENVIRONMENTS.dev;

describe("committed environments", () => {
  it.each(["dev", "staging", "prod", "local"] as const)("%s loads and validates", (name) => {
    const config = loadEnvironment(name);
    expect(config.name).toBe(name);
    expect(config.namePrefix).toMatch(/^valorize-/);
  });

  it("runs every service on 1 vCPU / 1 GiB, the study's instance size", () => {
    for (const name of CLOUD_ENVIRONMENT_NAMES) {
      for (const service of Object.values(loadEnvironment(name).services)) {
        expect(service.cpu).toBe("1");
        expect(service.memory).toBe("1Gi");
      }
    }
  });

  it("gives dev the study's quota and prod more, with warm api and realtime instances", () => {
    const d = loadEnvironment("dev");
    const p = loadEnvironment("prod");
    expect(d.services.api.maxInstances).toBe(10);
    expect(p.services.api.maxInstances).toBeGreaterThan(d.services.api.maxInstances);
    expect(p.services.api.minInstances).toBeGreaterThanOrEqual(1);
    expect(p.services.realtime.minInstances).toBeGreaterThanOrEqual(1);
  });

  it("sets concurrency per role: many sockets per realtime instance, fewer requests per api instance", () => {
    const { services } = loadEnvironment("dev");
    expect(services.realtime.concurrency).toBe(1000);
    expect(services.api.concurrency).toBe(80);
    expect(services.worker.concurrency).toBeLessThan(services.api.concurrency);
    expect(services.realtime.timeoutSeconds).toBe(3600);
  });

  it("makes prod durable (regional, PITR, deletion protection, HA Redis) and dev cheap", () => {
    const p = loadEnvironment("prod");
    const d = loadEnvironment("dev");
    expect(p.database).toMatchObject({
      version: "POSTGRES_16",
      availabilityType: "REGIONAL",
      deletionProtection: true,
      tier: "db-perf-optimized-N-2",
      backups: { enabled: true, pointInTimeRecovery: true },
    });
    expect(parseCloudSqlTier(p.database.tier, p.database.edition)).toEqual({ vcpus: 2, memoryMiB: 16384 });
    expect(p.cache.tier).toBe("STANDARD_HA");
    expect(d.database.availabilityType).toBe("ZONAL");
    expect(d.database.deletionProtection).toBe(false);
    expect(d.cache.tier).toBe("BASIC");
  });

  it("commits no project id: it comes from the environment or the cdktf context", () => {
    for (const name of CLOUD_ENVIRONMENT_NAMES) expect(ENVIRONMENTS[name].projectId).toBeUndefined();
    expect(loadEnvironment("dev").projectId).toBeUndefined();
    expect(loadEnvironment("dev", { env: { VALORIZE_DEV_PROJECT_ID: "acme-dev-123" } }).projectId).toBe("acme-dev-123");
    expect(loadEnvironment("prod", { context: (key) => (key === "prod.projectId" ? "acme-prod-1" : undefined) }).projectId).toBe("acme-prod-1");
    // Environment variables win over context, and one environment's variable does not leak into another.
    const both = { env: { VALORIZE_PROD_PROJECT_ID: "from-env-01" }, context: (key: string) => (key === "prod.projectId" ? "from-context" : undefined) };
    expect(loadEnvironment("prod", both).projectId).toBe("from-env-01");
    expect(loadEnvironment("staging", { env: { VALORIZE_PROD_PROJECT_ID: "acme-prod-1" } }).projectId).toBeUndefined();
  });

  it("reads the state bucket and a pinned image from the environment", () => {
    const names = externalSettingNames("staging");
    const config = loadEnvironment("staging", {
      env: { [names.stateBucket]: "acme-tf-state", [names.image]: "us-docker.pkg.dev/acme/app/app@sha256:abc" },
    });
    expect(config.stateBucket).toBe("acme-tf-state");
    expect(config.image.prebuiltUri).toBe("us-docker.pkg.dev/acme/app/app@sha256:abc");
  });

  it("rejects an external setting that is malformed, naming its variable's setting", () => {
    expect(() => loadEnvironment("dev", { env: { VALORIZE_DEV_PROJECT_ID: "Bad_Project" } })).toThrow(/projectId = "Bad_Project": must be a GCP project id/);
  });
});

describe("invalid configuration fails with the setting, the value and the rule", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["out-of-range number", { ...dev, services: { api: { maxInstances: 0 } } }, /services\.api\.maxInstances = 0: .*>=1/],
    ["wrong type", { ...dev, services: { api: { concurrency: "lots" } } }, /services\.api\.concurrency = "lots": .*expected number/],
    ["unknown setting (typo)", { ...dev, database: { tier: "db-custom-1-3840", edition: "ENTERPRISE", delete_protection: true } }, /database\.delete_protection = true: is not a known setting/],
    ["bad enum", { ...dev, cache: { tier: "PREMIUM" } }, /cache\.tier = "PREMIUM"/],
    ["bad label", { ...dev, labels: { Team: "x" } }, /labels\.Team.*GCP label key/],
    ["bad name prefix", { ...dev, namePrefix: "Valorize_Dev" }, /namePrefix = "Valorize_Dev": must be 2-20 characters/],
    ["min above max", { ...dev, services: { worker: { minInstances: 6, maxInstances: 5 } } }, /services\.worker\.minInstances = 6: must not exceed services\.worker\.maxInstances \(5\)/],
    ["tier not matching edition", { ...dev, database: { ...dev.database, tier: "db-perf-optimized-N-2" } }, /database\.tier = "db-perf-optimized-N-2": db-perf-optimized tiers require edition ENTERPRISE_PLUS/],
    ["too much memory per vCPU", { ...dev, database: { ...dev.database, tier: "db-custom-2-16384" } }, /database\.tier = "db-custom-2-16384": memory must be 0.9-6.5 GiB per vCPU \(this tier has 8.00\)/],
    ["PITR without backups", { ...dev, database: { ...dev.database, backups: { enabled: false, pointInTimeRecovery: true } } }, /database\.backups\.pointInTimeRecovery = true: requires database\.backups\.enabled = true/],
    ["log retention over the edition's limit", { ...dev, database: { ...dev.database, backups: { transactionLogRetentionDays: 14, retainedBackups: 14 } } }, /transactionLogRetentionDays = 14: must be at most 7 days on edition ENTERPRISE/],
    ["subnet too small", { ...dev, network: { subnetCidr: "10.10.0.0/27" } }, /network\.subnetCidr = "10\.10\.0\.0\/27": Cloud Run direct VPC egress needs a subnet of \/26 or larger/],
    ["subnet off its boundary", { ...dev, network: { subnetCidr: "10.10.0.5/24" } }, /must start on a \/24 boundary/],
    ["subnet too small for the instances", { ...dev, network: { subnetCidr: "10.10.0.0/26" }, services: { api: { maxInstances: 40 } } }, /has 60 usable addresses but direct VPC egress needs 2 x total max instances = 110/],
    ["queue faster than Cloud Tasks allows", { ...dev, taskQueues: { categorise: { maxDispatchesPerSecond: 900 } } }, /taskQueues\.categorise\.maxDispatchesPerSecond = 900: Cloud Tasks allows at most 500/],
    ["backoff bounds inverted", { ...dev, taskQueues: { notify: { retry: { minBackoffSeconds: 700 } } } }, /taskQueues\.notify\.retry\.minBackoffSeconds = 700: must not exceed .*maxBackoffSeconds \(600\)/],
    ["realtime timeout too short for WebSockets", { ...dev, services: { realtime: { timeoutSeconds: 60 } } }, /services\.realtime\.timeoutSeconds = 60: must be at least 300 s/],
  ];

  it.each(cases)("%s", (_name, input, message) => {
    const error = rejection(input);
    expect(error.message).toMatch(/^Invalid configuration for environment "dev":/);
    expect(error.message).toMatch(message);
    expect(error.violations.length).toBeGreaterThan(0);
  });

  it("reports every schema violation at once", () => {
    const error = rejection({ ...dev, region: "moon", services: { api: { maxInstances: -1, cpu: "lots" } } });
    expect(error.violations.map((v) => v.setting).sort()).toEqual(["region", "services.api.cpu", "services.api.maxInstances"]);
  });
});

describe("task queue policy shared with the app", () => {
  it("merges an environment's override over the defaults, field by field", () => {
    const prod = loadEnvironment("prod");
    expect(prod.taskQueues.categorise.shards).toBe(8);
    expect(prod.taskQueues.categorise.retry).toEqual(DEFAULT_TASK_QUEUES.categorise.retry);
    const custom = parseEnvironment({ ...dev, taskQueues: { import: { retry: { maxAttempts: 3 } } } });
    expect(custom.taskQueues.import.retry).toEqual({ ...DEFAULT_TASK_QUEUES.import.retry, maxAttempts: 3 });
  });

  it("names queues per shard and spreads task names over shards deterministically", () => {
    expect(taskQueueName("valorize-dev", "categorise", 2)).toBe("valorize-dev-categorise-2");
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardFor(`tx-${i}`, 4)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(shardFor("tx-42", 4)).toBe(shardFor("tx-42", 4));
  });
});

describe("dispatch budget: the queues never push more than the worker takes", () => {
  it.each(["dev", "staging", "prod", "local"] as const)("%s: every queue's concurrency comes from the worker's size, and the total fits", (name) => {
    const config = loadEnvironment(name);
    const budget = dispatchBudget(config.taskQueues, config.services.worker);
    expect(budget.capacity).toBe(config.services.worker.maxInstances * config.services.worker.concurrency);
    expect(budget.dispatches).toBeGreaterThan(0);
    expect(budget.dispatches).toBeLessThanOrEqual(budget.capacity);
  });

  it("sizes prod's eight categorisation shards from its worker (20 x 50 = 1,000), not at 1,000 each", () => {
    const prod = loadEnvironment("prod");
    expect(prod.services.worker).toMatchObject({ maxInstances: 20, concurrency: 50 });
    expect(prod.taskQueues.categorise.maxConcurrentDispatches).toBe(100); // 80 % of 1,000 over 8 shards
    expect(prod.taskQueues.notify.maxConcurrentDispatches).toBe(150);
  });

  it("follows the worker: doubling its instances doubles what the queues may dispatch", () => {
    const small = parseEnvironment({ ...dev, services: { worker: { maxInstances: 4, concurrency: 50 } } });
    const large = parseEnvironment({ ...dev, services: { worker: { maxInstances: 8, concurrency: 50 } } });
    expect(dispatchBudget(large.taskQueues, large.services.worker).dispatches).toBeGreaterThan(
      1.9 * dispatchBudget(small.taskQueues, small.services.worker).dispatches,
    );
  });

  it("refuses an explicit concurrency the worker cannot take, with the numbers", () => {
    const error = rejection({ ...dev, taskQueues: { categorise: { maxConcurrentDispatches: 1000 } } });
    expect(error.violations).toEqual([
      {
        setting: "taskQueues",
        value: "4049 concurrent dispatches",
        rule: expect.stringMatching(/^the queues can push 4049 tasks at once \(categorise 4 x 1000 = 4000; import 1 x 12 = 12; notify 1 x 37 = 37\)/),
      },
    ]);
    expect(error.message).toContain("but the worker takes 250 (services.worker.maxInstances 5 x concurrency 50)");
  });
});
