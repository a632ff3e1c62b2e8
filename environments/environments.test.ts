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
  type EnvironmentName,
  type ExternalSettings,
} from ".";
import { DEPLOY_SETTINGS_FIXTURE, withDeploySettings } from "../test/support/fixtures";

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

/** An environment as a team deploys it: staging and prod with their uncommitted deploy settings. */
const load = (name: EnvironmentName, sources: ExternalSettings = {}) => loadEnvironment(name, { ...sources, env: withDeploySettings(name, sources.env) });

describe("committed environments", () => {
  it.each(["dev", "staging", "prod", "local"] as const)("%s loads and validates", (name) => {
    const config = load(name);
    expect(config.name).toBe(name);
    expect(config.namePrefix).toMatch(/^valorize-/);
  });

  it("runs every service on 1 vCPU / 1 GiB, the study's instance size", () => {
    for (const name of CLOUD_ENVIRONMENT_NAMES) {
      for (const service of Object.values(load(name).services)) {
        expect(service.cpu).toBe("1");
        expect(service.memory).toBe("1Gi");
      }
    }
  });

  it("gives dev the study's quota and prod more, with warm api and realtime instances", () => {
    const d = load("dev");
    const p = load("prod");
    expect(d.services.api.maxInstances).toBe(10);
    expect(p.services.api.maxInstances).toBeGreaterThan(d.services.api.maxInstances);
    expect(p.services.api.minInstances).toBeGreaterThanOrEqual(1);
    expect(p.services.realtime.minInstances).toBeGreaterThanOrEqual(1);
  });

  it("sets concurrency per role: many sockets per realtime instance, fewer requests per api instance", () => {
    const { services } = load("dev");
    expect(services.realtime.concurrency).toBe(1000);
    expect(services.api.concurrency).toBe(80);
    expect(services.worker.concurrency).toBeLessThan(services.api.concurrency);
    expect(services.realtime.timeoutSeconds).toBe(3600);
  });

  it("makes prod durable (regional, PITR, deletion protection, HA Redis) and dev cheap", () => {
    const p = load("prod");
    const d = load("dev");
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
    expect(load("dev").projectId).toBeUndefined();
    expect(load("dev", { env: { VALORIZE_DEV_PROJECT_ID: "acme-dev-123" } }).projectId).toBe("acme-dev-123");
    expect(load("prod", { context: (key) => (key === "prod.projectId" ? "acme-prod-1" : undefined) }).projectId).toBe("acme-prod-1");
    // Environment variables win over context, and one environment's variable does not leak into another.
    const both = { env: { VALORIZE_PROD_PROJECT_ID: "from-env-01" }, context: (key: string) => (key === "prod.projectId" ? "from-context" : undefined) };
    expect(load("prod", both).projectId).toBe("from-env-01");
    expect(load("staging", { env: { VALORIZE_PROD_PROJECT_ID: "acme-prod-1" } }).projectId).toBeUndefined();
  });

  it("reads the state bucket and a pinned image from the environment", () => {
    const names = externalSettingNames("staging");
    const config = load("staging", {
      env: { [names.stateBucket]: "acme-tf-state", [names.image]: "us-docker.pkg.dev/acme/app/app@sha256:abc" },
    });
    expect(config.stateBucket).toBe("acme-tf-state");
    expect(config.image.prebuiltUri).toBe("us-docker.pkg.dev/acme/app/app@sha256:abc");
  });

  it("rejects an external setting that is malformed, naming its variable's setting", () => {
    expect(() => load("dev", { env: { VALORIZE_DEV_PROJECT_ID: "Bad_Project" } })).toThrow(/projectId = "Bad_Project": must be a GCP project id/);
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
    ["worker timeout below a queue's dispatch deadline", { ...dev, services: { worker: { timeoutSeconds: 600 } } }, /services\.worker\.timeoutSeconds = 600: must be at least the longest dispatch deadline of its queues \(900 s, import\): Cloud Run would end those tasks with 504/],
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
    const prod = load("prod");
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
    const config = load(name);
    const budget = dispatchBudget(config.taskQueues, config.services.worker);
    expect(budget.capacity).toBe(config.services.worker.maxInstances * config.services.worker.concurrency);
    expect(budget.dispatches).toBeGreaterThan(0);
    expect(budget.dispatches).toBeLessThanOrEqual(budget.capacity);
  });

  it("sizes prod's eight categorisation shards from its worker (20 x 50 = 1,000), not at 1,000 each", () => {
    const prod = load("prod");
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

describe("guard rails for shared environments (staging, prod)", () => {
  const refusal = (name: EnvironmentName, env: Record<string, string> = {}): EnvironmentConfigError => {
    try {
      loadEnvironment(name, { env });
    } catch (error) {
      if (error instanceof EnvironmentConfigError) return error;
      throw error;
    }
    throw new Error(`expected ${name} to be refused`);
  };

  it.each(["staging", "prod"] as const)("%s refuses to load without its deploy settings, naming each and how to set it", (name) => {
    const error = refusal(name);
    expect(error.violations.map((v) => v.setting)).toEqual(["stateBucket", "edge.domains", "observability.notifications"]);
    expect(error.onlyMissingSettings).toBe(true);
    const upper = name.toUpperCase();
    expect(error.message).toContain(`stateBucket = (unset): ${name} keeps its Terraform state in a GCS bucket`);
    for (const variable of ["STATE_BUCKET", "LOCAL_STATE", "DOMAINS", "PAGE_EMAILS", "TICKET_EMAILS"]) expect(error.message).toContain(`VALORIZE_${upper}_${variable}`);
  });

  it("dev needs none of them: its state may stay local, its edge is HTTP only and it pages nobody", () => {
    expect(() => loadEnvironment("dev")).not.toThrow();
  });

  it("keeps prod's state on this machine only when told so explicitly", () => {
    const { VALORIZE_PROD_STATE_BUCKET: _bucket, ...withoutBucket } = DEPLOY_SETTINGS_FIXTURE.prod;
    expect(refusal("prod", withoutBucket).violations.map((v) => v.setting)).toEqual(["stateBucket"]);
    const local = loadEnvironment("prod", { env: { ...withoutBucket, VALORIZE_PROD_LOCAL_STATE: "1" } });
    expect(local.localState).toBe(true);
    expect(local.stateBucket).toBeUndefined();
    expect(refusal("prod", { ...withoutBucket, VALORIZE_PROD_LOCAL_STATE: "maybe" }).violations).toEqual([
      expect.objectContaining({ setting: "localState", value: "maybe" }),
    ]);
  });

  it("reads domains and recipients as comma- or space-separated lists", () => {
    const prod = load("prod", { env: { VALORIZE_PROD_DOMAINS: "a.valorize-fixture.net, b.valorize-fixture.net", VALORIZE_PROD_PAGE_EMAILS: "x@valorize-fixture.net y@valorize-fixture.net" } });
    expect(prod.edge.domains).toEqual(["a.valorize-fixture.net", "b.valorize-fixture.net"]);
    expect(prod.observability.notifications.pageEmails).toEqual(["x@valorize-fixture.net", "y@valorize-fixture.net"]);
  });

  it.each([
    ["valorize.example.com", /example\.com is reserved for documentation \(RFC 2606\)/],
    ["shop.test", /\.test is a reserved top-level domain/],
    ["api.example", /\.example is a reserved top-level domain/],
    ["app.internal", /\.internal is reserved for private networks/],
    ["printer.local", /\.local is reserved for multicast DNS/],
  ])("refuses the reserved domain %s: the certificate would never provision", (domain, reason) => {
    const error = refusal("prod", { ...DEPLOY_SETTINGS_FIXTURE.prod, VALORIZE_PROD_DOMAINS: `valorize-fixture.net,${domain}` });
    expect(error.violations).toEqual([{ setting: "edge.domains.1", value: domain, rule: expect.stringMatching(reason) }]);
    expect(error.onlyMissingSettings).toBe(false);
    expect(error.message).toContain("its managed certificate would never provision and the uptime check would page at once");
  });

  it("refuses alert recipients at reserved example domains: alerts would reach nobody", () => {
    const error = refusal("staging", { ...DEPLOY_SETTINGS_FIXTURE.staging, VALORIZE_STAGING_TICKET_EMAILS: "platform@valorize.example.com" });
    expect(error.violations).toEqual([
      { setting: "observability.notifications.ticketEmails.0", value: "platform@valorize.example.com", rule: expect.stringMatching(/^example\.com is reserved .*alerts sent there reach nobody/) },
    ]);
  });

  it("accepts real-looking names that merely contain a reserved word", () => {
    expect(() => load("prod", { env: { VALORIZE_PROD_DOMAINS: "example.com.valorize-fixture.net,testing.valorize-fixture.net" } })).not.toThrow();
  });
});
