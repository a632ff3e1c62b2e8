/**
 * The resilience scenario against a deployed environment (`--env staging --scenarios resilience`):
 * the managed equivalents of the local faults, as gcloud commands, and the preflight that checks
 * what it can before anything is stopped.
 *
 * What each managed operation does (Google's documentation):
 * - `gcloud sql instances failover INSTANCE`: "Causes a high-availability Cloud SQL instance to
 *   failover" to its standby, which becomes the primary; clients are rerouted to it
 *   (https://cloud.google.com/sdk/gcloud/reference/sql/instances/failover; REST
 *   instances.failover). Only a REGIONAL (HA) instance has a standby.
 * - `gcloud redis instances failover INSTANCE --region R`: fails "a standard tier Cloud
 *   Memorystore for Redis instance from the master node to its replica"; the default data
 *   protection mode, limited-data-loss, fails over only while the replica's replication offset is
 *   within a threshold (https://cloud.google.com/sdk/gcloud/reference/redis/instances/failover;
 *   REST projects.locations.instances.failover, DataProtectionMode). Basic tier has no replica.
 * - A configuration change of a Cloud Run service creates a new revision and moves the traffic
 *   to it ("Any configuration change leads to the creation of a new revision",
 *   https://cloud.google.com/run/docs/configuring/max-instances); the old revision's instances
 *   get SIGTERM and 10 s later SIGKILL (https://cloud.google.com/run/docs/container-contract,
 *   "Instance shutdown"). An environment variable is the smallest such change.
 * - The worker cannot be set to 0 *max* instances: the setting takes "any integer value from 1 to
 *   the maximum limit" (https://cloud.google.com/run/docs/configuring/max-instances). Manual
 *   scaling sets a service's instance count directly, without a new revision, and a revision with
 *   no instances answers as a disabled revision does
 *   (https://cloud.google.com/run/docs/configuring/services/manual-scaling); switching back to
 *   automatic scaling needs both the service-level minimum and maximum or neither, and with
 *   neither they would inherit the manual count (0), so both are given, from the environment's
 *   settings. Cloud Tasks meanwhile gets errors and retries with backoff, as it would for a worker
 *   that is down.
 * - `gcloud tasks queues pause|resume` holds and releases delivery (the managed dispatcher; see
 *   queueGateCommands in experiment/run-cloud.ts).
 */
import type { EnvironmentConfig } from "../../environments";
import { formatPreflight, onPath, TOOLS } from "../../environments/deploy-preflight";
import { taskQueueName } from "../../contract";
import { cloudSqlInstanceName, redisInstanceName, resourceName } from "../../lib/google";
import type { CloudFaultName, ResilienceSettings } from "./faults";

export interface CloudLocation {
  readonly projectId: string;
  readonly region: string;
}

/** One fault as gcloud commands (arguments after `gcloud`). */
export interface CloudFaultStep {
  readonly fault: CloudFaultName;
  /** Run in order; the fault has struck when the last returns. */
  readonly inject: readonly (readonly string[])[];
  /** After the settings' downSeconds (held-down faults): bring the component back. */
  readonly restore: readonly (readonly string[])[];
  /** However the run ends, to leave the environment as it was (idempotent). */
  readonly cleanup: readonly (readonly string[])[];
}

/** The environment variable whose change makes a new revision (and that the cleanup removes). */
export const ROLLOUT_VARIABLE = "VALORIZE_RESILIENCE_ROLLOUT";

type PlanConfig = Pick<EnvironmentConfig, "namePrefix" | "services" | "taskQueues">;

/**
 * The commands of every cloud fault, in the order they strike. `rolloutId` tells the new
 * revisions apart (a value the services have not seen before).
 */
export function cloudFaultPlan(config: PlanConfig, where: CloudLocation, rolloutId: string): CloudFaultStep[] {
  const scope = [`--project=${where.projectId}`, "--quiet"];
  const regional = [`--region=${where.region}`, ...scope];
  const service = (role: "api" | "worker" | "realtime") => resourceName(config.namePrefix, role);
  const queues = (action: "pause" | "resume") =>
    Array.from({ length: config.taskQueues.categorise.shards }, (_, shard) => ["tasks", "queues", action, taskQueueName(config.namePrefix, "categorise", shard), `--location=${where.region}`, ...scope]);
  const newRevision = (role: "api" | "realtime"): CloudFaultStep => ({
    fault: role === "api" ? "api-new-revision" : "realtime-new-revision",
    inject: [["run", "services", "update", service(role), `--update-env-vars=${ROLLOUT_VARIABLE}=${rolloutId}-${role}`, ...regional]],
    restore: [],
    cleanup: [["run", "services", "update", service(role), `--remove-env-vars=${ROLLOUT_VARIABLE}`, ...regional]],
  });
  const worker = config.services.worker;
  const workerBack = ["run", "services", "update", service("worker"), "--scaling=auto", `--min=${worker.minInstances}`, `--max=${worker.maxInstances}`, ...regional];
  const steps: Record<CloudFaultName, CloudFaultStep> = {
    "worker-scaled-to-zero": { fault: "worker-scaled-to-zero", inject: [["run", "services", "update", service("worker"), "--scaling=0", ...regional]], restore: [workerBack], cleanup: [workerBack] },
    "task-queues-paused": { fault: "task-queues-paused", inject: queues("pause"), restore: queues("resume"), cleanup: queues("resume") },
    "api-new-revision": newRevision("api"),
    "redis-failover": { fault: "redis-failover", inject: [["redis", "instances", "failover", redisInstanceName(config.namePrefix), "--data-protection-mode=limited-data-loss", ...regional]], restore: [], cleanup: [] },
    "postgres-failover": { fault: "postgres-failover", inject: [["sql", "instances", "failover", cloudSqlInstanceName(config.namePrefix), ...scope]], restore: [], cleanup: [] },
    "realtime-new-revision": newRevision("realtime"),
  };
  return (["worker-scaled-to-zero", "task-queues-paused", "api-new-revision", "redis-failover", "postgres-failover", "realtime-new-revision"] as const).map((f) => steps[f]);
}

/** IAM permissions the plan's commands need, each with why and a predefined role that grants it. */
export const RESILIENCE_PERMISSIONS: ReadonlyArray<{ readonly permission: string; readonly why: string; readonly role: string }> = [
  { permission: "cloudsql.instances.failover", why: "fails Cloud SQL over to its standby", role: "roles/cloudsql.admin" },
  { permission: "cloudsql.instances.get", why: "reads the instance's state", role: "roles/cloudsql.viewer" },
  { permission: "redis.instances.failover", why: "fails Memorystore over to its replica", role: "roles/redis.admin" },
  { permission: "redis.instances.get", why: "reads the instance's state", role: "roles/redis.viewer" },
  { permission: "run.services.get", why: "reads the services", role: "roles/run.viewer" },
  { permission: "run.services.update", why: "rolls out new api and realtime revisions and scales the worker to 0 and back", role: "roles/run.developer" },
  { permission: "cloudtasks.queues.pause", why: "holds the categorisation queues", role: "roles/cloudtasks.queueAdmin" },
  { permission: "cloudtasks.queues.resume", why: "releases them", role: "roles/cloudtasks.queueAdmin" },
];

/** What the preflight asks of the machine and of Google; replaceable in tests. */
export interface ResiliencePreflightProbes {
  onPath(command: string): boolean;
  /** Runs gcloud; the exit code and standard output. */
  gcloud(args: readonly string[]): Promise<{ code: number; stdout: string }>;
  /**
   * The subset of `permissions` the caller holds on the project (Resource Manager
   * projects.testIamPermissions: "Returns permissions that a caller has on the specified
   * Project", https://cloud.google.com/resource-manager/reference/rest/v1/projects/testIamPermissions).
   * Grants made on a single resource (one queue, one service) are not seen at project level.
   */
  grantedPermissions(projectId: string, accessToken: string, permissions: readonly string[]): Promise<readonly string[]>;
}

/**
 * Everything the cloud resilience run needs that can be checked before anything is stopped; one
 * message naming each problem, why, and how to fix it (or undefined when all is there).
 */
export async function resiliencePreflight(env: string, config: Pick<EnvironmentConfig, "database" | "cache" | "projectId">, probes: ResiliencePreflightProbes): Promise<string | undefined> {
  const problems: string[] = [];
  if (config.database.availabilityType !== "REGIONAL") {
    problems.push(`database.availabilityType = ${config.database.availabilityType}: a Cloud SQL failover needs a high-availability (REGIONAL) instance, which has a standby to fail over to; run the resilience scenario against an environment with one (staging, prod) or set database.availabilityType to REGIONAL`);
  }
  if (config.cache.tier !== "STANDARD_HA") {
    problems.push(`cache.tier = ${config.cache.tier}: a Memorystore failover needs a Standard tier instance (STANDARD_HA), which has a replica; run against staging or prod, or set cache.tier to STANDARD_HA`);
  }
  if (!probes.onPath(TOOLS.gcloud.command)) {
    problems.push(`gcloud is not on PATH: it performs the faults (failovers, new revisions, the worker scaled to 0, paused queues); install it from ${TOOLS.gcloud.install}`);
    return formatPreflight(`--env ${env} --scenarios resilience`, problems);
  }
  const account = await probes.gcloud(["auth", "list", "--filter=status:ACTIVE", "--format=value(account)"]);
  if (account.code !== 0 || account.stdout.trim() === "") {
    problems.push("gcloud has no active account: it performs the faults as you; run gcloud auth login (or activate a service account)");
  } else if (config.projectId) {
    const token = await probes.gcloud(["auth", "print-access-token"]);
    if (token.code !== 0 || token.stdout.trim() === "") {
      problems.push("gcloud auth print-access-token failed: the permission check needs a token; run gcloud auth login again");
    } else {
      const wanted = RESILIENCE_PERMISSIONS.map((p) => p.permission);
      const granted = new Set(await probes.grantedPermissions(config.projectId, token.stdout.trim(), wanted));
      for (const p of RESILIENCE_PERMISSIONS) {
        if (!granted.has(p.permission)) problems.push(`${account.stdout.trim()} lacks ${p.permission} on project ${config.projectId}: it ${p.why}; grant ${p.role} (or a role with that permission)`);
      }
    }
  }
  return problems.length > 0 ? formatPreflight(`--env ${env} --scenarios resilience`, problems) : undefined;
}

/** The real probes: gcloud on this machine, and the Resource Manager API. */
export function machineProbes(run: (command: string, args: readonly string[]) => Promise<{ code: number; stdout: string }>): ResiliencePreflightProbes {
  return {
    onPath: (command) => onPath(command),
    gcloud: (args) => run("gcloud", args),
    grantedPermissions: async (projectId, accessToken, permissions) => {
      const response = await fetch(`https://cloudresourcemanager.googleapis.com/v1/projects/${encodeURIComponent(projectId)}:testIamPermissions`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ permissions }),
      });
      if (!response.ok) throw new Error(`testIamPermissions on ${projectId} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      return ((await response.json()) as { permissions?: string[] }).permissions ?? [];
    },
  };
}

/** How long each held-down cloud fault stays down (settings), and how to say a step for people. */
export const describeCommand = (args: readonly string[]) => `gcloud ${args.join(" ")}`;

/** The cloud plan's settings are the profile's; a failover takes a minute or more, so the quiet period is at least this. */
export const CLOUD_MIN_QUIET_SECONDS = 30;
export function cloudSettings(settings: ResilienceSettings): ResilienceSettings {
  return { ...settings, quietSeconds: Math.max(settings.quietSeconds, CLOUD_MIN_QUIET_SECONDS) };
}
