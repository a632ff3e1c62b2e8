/**
 * Rules that relate several settings to each other, checked after the schema has filled defaults.
 * Each violation names the setting, its value and the rule, like the schema's own errors.
 */
import { howToSet } from "./external";
import { SERVICE_ROLES, type EnvironmentConfig, type EnvironmentName } from "./schema";
import { dispatchBudget, TASK_TYPES } from "./task-queues";

export interface ConfigViolation {
  /** Dotted path of the setting, e.g. `services.api.minInstances`. */
  readonly setting: string;
  readonly value: unknown;
  readonly rule: string;
  /** An uncommitted setting that is not given (as opposed to a value that is wrong). */
  readonly missing?: true;
}

/**
 * Environments other people rely on: their Terraform state must be shared (never on a laptop by
 * accident), and their domains and alert recipients must be real ones.
 */
export const SHARED_ENVIRONMENTS: readonly EnvironmentName[] = ["staging", "prod"];

/**
 * Why a DNS name can never be served or receive mail, if it is reserved: the documentation names
 * of RFC 2606 / RFC 6761 (`example.com`, `*.example`, `*.test`, `*.invalid`, `*.localhost`), mDNS's
 * `.local` (RFC 6762), `home.arpa` (RFC 8375), `.alt` (RFC 9476) and `.internal` (ICANN, 2024).
 * A Google-managed certificate for one never provisions, and mail to one reaches nobody.
 */
export function reservedDomain(name: string): string | undefined {
  const labels = name.toLowerCase().replace(/\.$/, "").split(".");
  const tld = labels.at(-1) ?? "";
  const secondLevel = labels.slice(-2).join(".");
  if (["example.com", "example.net", "example.org"].includes(secondLevel)) return `${secondLevel} is reserved for documentation (RFC 2606)`;
  if (["example", "test", "invalid", "localhost"].includes(tld)) return `.${tld} is a reserved top-level domain (RFC 2606/6761)`;
  if (tld === "local") return ".local is reserved for multicast DNS (RFC 6762)";
  if (tld === "alt") return ".alt is reserved for non-DNS names (RFC 9476)";
  if (tld === "internal") return ".internal is reserved for private networks (ICANN, 2024)";
  if (secondLevel === "home.arpa") return "home.arpa is reserved for home networks (RFC 8375)";
  return undefined;
}

export interface CloudSqlMachine {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

// Enterprise Plus performance-optimized tiers carry 8 GiB per vCPU (N-128 is capped at 864 GiB).
const PERF_OPTIMIZED_VCPUS = [2, 4, 8, 16, 32, 48, 64, 80, 96, 128];

/**
 * Reads vCPUs and memory from a dedicated-core Cloud SQL tier name, or explains why it is not one.
 * Shared-core tiers (db-f1-micro, db-g1-small) have no SLA and are rejected on purpose.
 */
export function parseCloudSqlTier(tier: string, edition: "ENTERPRISE" | "ENTERPRISE_PLUS"): CloudSqlMachine | string {
  const perf = /^db-perf-optimized-N-(\d+)$/.exec(tier);
  if (perf) {
    const vcpus = Number(perf[1]);
    if (edition !== "ENTERPRISE_PLUS") return "db-perf-optimized tiers require edition ENTERPRISE_PLUS";
    if (!PERF_OPTIMIZED_VCPUS.includes(vcpus)) return `db-perf-optimized-N-<vCPU> takes one of ${PERF_OPTIMIZED_VCPUS.join(", ")} vCPUs`;
    return { vcpus, memoryMiB: Math.min(vcpus * 8, 864) * 1024 };
  }
  const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  if (!custom) return "must be db-custom-<vCPU>-<MiB> (ENTERPRISE) or db-perf-optimized-N-<vCPU> (ENTERPRISE_PLUS)";
  if (edition !== "ENTERPRISE") return "db-custom tiers require edition ENTERPRISE";
  const vcpus = Number(custom[1]);
  const memoryMiB = Number(custom[2]);
  if (vcpus !== 1 && (vcpus % 2 !== 0 || vcpus > 96)) return "vCPUs must be 1 or an even number up to 96";
  if (memoryMiB % 256 !== 0) return "memory must be a multiple of 256 MiB";
  if (memoryMiB < 3840) return "memory must be at least 3840 MiB";
  const perVcpuGiB = memoryMiB / 1024 / vcpus;
  if (perVcpuGiB < 0.9 || perVcpuGiB > 6.5) return `memory must be 0.9-6.5 GiB per vCPU (this tier has ${perVcpuGiB.toFixed(2)})`;
  return { vcpus, memoryMiB };
}

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function checkEnvironmentRules(config: EnvironmentConfig): ConfigViolation[] {
  const violations: ConfigViolation[] = [];
  const violate = (setting: string, value: unknown, rule: string) => violations.push({ setting, value, rule });
  const missing = (setting: string, rule: string) => violations.push({ setting, value: undefined, rule, missing: true });

  if (SHARED_ENVIRONMENTS.includes(config.name)) {
    const env = config.name;
    if (!config.stateBucket && !config.localState) {
      missing(
        "stateBucket",
        `${env} keeps its Terraform state in a GCS bucket (shared, locked, versioned; never on a laptop by accident): set ${howToSet(env, "stateBucket")}; ` +
          `to keep it on this machine on purpose, set ${howToSet(env, "localState")} to 1`,
      );
    }
    if (config.edge.domains.length === 0) {
      missing("edge.domains", `${env} serves HTTPS on its own domains: set ${howToSet(env, "domains")} to a comma-separated list, or edge.domains in environments/${env}.ts`);
    }
    config.edge.domains.forEach((domain, i) => {
      const reserved = reservedDomain(domain);
      if (reserved) violate(`edge.domains.${i}`, domain, `${reserved}: its managed certificate would never provision and the uptime check would page at once; set your own domain (${howToSet(env, "domains")})`);
    });
    const { pageEmails, ticketEmails } = config.observability.notifications;
    if (pageEmails.length + ticketEmails.length === 0) {
      missing(
        "observability.notifications",
        `${env}'s alerts would notify nobody: set ${howToSet(env, "pageEmails")} and/or ${howToSet(env, "ticketEmails")} (comma-separated addresses), or observability.notifications in environments/${env}.ts`,
      );
    }
    for (const [setting, emails] of [["pageEmails", pageEmails], ["ticketEmails", ticketEmails]] as const) {
      emails.forEach((email, i) => {
        const reserved = reservedDomain(email.split("@").pop() ?? "");
        if (reserved) violate(`observability.notifications.${setting}.${i}`, email, `${reserved}: alerts sent there reach nobody; set a real address (${howToSet(env, setting)})`);
      });
    }
  }

  for (const role of SERVICE_ROLES) {
    const s = config.services[role];
    if (s.minInstances > s.maxInstances) {
      violate(`services.${role}.minInstances`, s.minInstances, `must not exceed services.${role}.maxInstances (${s.maxInstances})`);
    }
  }
  // A WebSocket is one long request: anything shorter than the maximum drops clients needlessly.
  if (config.services.realtime.timeoutSeconds < 300) {
    violate("services.realtime.timeoutSeconds", config.services.realtime.timeoutSeconds, "must be at least 300 s: WebSocket connections live as long as the request timeout");
  }

  // Cloud Run ends a request at the service's timeout with a 504 ("Setting request timeout"), Cloud
  // Tasks cancels an attempt at its dispatch deadline and retries it (Task.dispatch_deadline): a
  // worker timeout below a queue's deadline turns every long task into a 504 that is retried
  // until it gives up, although the queue would have waited.
  const longestDeadline = Math.max(...TASK_TYPES.map((type) => config.taskQueues[type].dispatchDeadlineSeconds));
  if (config.services.worker.timeoutSeconds < longestDeadline) {
    const slowest = TASK_TYPES.filter((type) => config.taskQueues[type].dispatchDeadlineSeconds === longestDeadline).join(", ");
    violate(
      "services.worker.timeoutSeconds",
      config.services.worker.timeoutSeconds,
      `must be at least the longest dispatch deadline of its queues (${longestDeadline} s, ${slowest}): Cloud Run would end those tasks with 504 before Cloud Tasks' deadline`,
    );
  }

  const db = config.database;
  const machine = parseCloudSqlTier(db.tier, db.edition);
  if (typeof machine === "string") violate("database.tier", db.tier, machine);
  if (db.backups.pointInTimeRecovery && !db.backups.enabled) {
    violate("database.backups.pointInTimeRecovery", true, "requires database.backups.enabled = true");
  }
  if (db.edition === "ENTERPRISE" && db.backups.transactionLogRetentionDays > 7) {
    violate("database.backups.transactionLogRetentionDays", db.backups.transactionLogRetentionDays, "must be at most 7 days on edition ENTERPRISE");
  }
  if (db.backups.retainedBackups < db.backups.transactionLogRetentionDays) {
    violate("database.backups.retainedBackups", db.backups.retainedBackups, `must cover the PITR window: at least database.backups.transactionLogRetentionDays (${db.backups.transactionLogRetentionDays})`);
  }
  if (db.diskAutoresizeLimitGb !== 0 && db.diskAutoresizeLimitGb < db.diskSizeGb) {
    violate("database.diskAutoresizeLimitGb", db.diskAutoresizeLimitGb, `must be 0 (no limit) or at least database.diskSizeGb (${db.diskSizeGb})`);
  }

  const [address, prefix] = config.network.subnetCidr.split("/") as [string, string];
  const prefixLength = Number(prefix);
  if (address.split(".").some((octet) => Number(octet) > 255)) {
    violate("network.subnetCidr", config.network.subnetCidr, "octets must be 0-255");
  } else if (prefixLength > 26) {
    violate("network.subnetCidr", config.network.subnetCidr, "Cloud Run direct VPC egress needs a subnet of /26 or larger");
  } else if (ipv4ToInt(address) % 2 ** (32 - prefixLength) !== 0) {
    violate("network.subnetCidr", config.network.subnetCidr, `must start on a /${prefixLength} boundary`);
  } else {
    // Direct VPC egress takes up to two addresses per instance while revisions roll over.
    const needed = 2 * SERVICE_ROLES.reduce((sum, role) => sum + config.services[role].maxInstances, 0);
    const usable = 2 ** (32 - prefixLength) - 4; // GCP reserves four addresses per subnet
    if (usable < needed) {
      violate("network.subnetCidr", config.network.subnetCidr, `has ${usable} usable addresses but direct VPC egress needs 2 x total max instances = ${needed}`);
    }
  }

  const worker = config.services.worker;
  const budget = dispatchBudget(config.taskQueues, worker);
  if (!budget.fits) {
    violate(
      "taskQueues",
      `${budget.dispatches} concurrent dispatches`,
      `the queues can push ${budget.dispatches} tasks at once (${budget.breakdown}) but the worker takes ${budget.capacity} ` +
        `(services.worker.maxInstances ${worker.maxInstances} x concurrency ${worker.concurrency}); Cloud Run answers the rest with 429, ` +
        "which Cloud Tasks retries and the worker SLO counts as failures. Lower taskQueues.<type>.maxConcurrentDispatches " +
        "(or leave it unset: it is then sized from the worker), or raise the worker's maxInstances or concurrency",
    );
  }
  for (const type of TASK_TYPES) {
    const retry = config.taskQueues[type].retry;
    if (retry.minBackoffSeconds > retry.maxBackoffSeconds) {
      violate(`taskQueues.${type}.retry.minBackoffSeconds`, retry.minBackoffSeconds, `must not exceed taskQueues.${type}.retry.maxBackoffSeconds (${retry.maxBackoffSeconds})`);
    }
  }
  return violations;
}
