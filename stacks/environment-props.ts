/**
 * From an environment's validated config to the constructs' props: the one place where config
 * shapes meet construct shapes, so constructs take plain typed values and never read config.
 */
import type { CacheProps } from "../constructs/cache";
import type { DatabaseProps } from "../constructs/database";
import type { EdgeProps } from "../constructs/edge";
import type { ObservabilityProps } from "../constructs/observability";
import type { EnvironmentConfig } from "../environments/schema";

/** The edge's options from `edge` (its CDN settings for the api are `edge.api`). */
export function edgeOptions(edge: EnvironmentConfig["edge"]): Pick<EdgeProps, "domains" | "logSampleRate" | "securityHeaders" | "apiCdn" | "staticAssets" | "armor"> {
  return {
    domains: edge.domains,
    logSampleRate: edge.logSampleRate,
    securityHeaders: edge.securityHeaders,
    apiCdn: edge.api,
    staticAssets: edge.staticAssets,
    armor: edge.armor,
  };
}

/** The SLOs, where alerts go, the uptime check and the alert thresholds, from `observability`. */
export function observabilityOptions(observability: EnvironmentConfig["observability"]): Pick<ObservabilityProps, "slos" | "notifications" | "uptime" | "alerts"> {
  const { slos, notifications, uptime, alerts } = observability;
  return { slos, notifications, uptime, alerts };
}

/** The instance's settings from `database` (its connectionReserve and maxConnections go to the ConnectionBudget). */
export function databaseOptions(database: EnvironmentConfig["database"]): Omit<DatabaseProps, "project" | "region" | "namePrefix" | "network" | "maxConnections" | "labels"> {
  const { version, edition, tier, availabilityType, diskSizeGb, diskAutoresizeLimitGb, deletionProtection, backups, maintenanceWindow, insights, slowQueryMs, databaseName } = database;
  return { version, edition, tier, availabilityType, diskSizeGb, diskAutoresizeLimitGb, deletionProtection, backups, maintenanceWindow, insights, slowQueryMs, databaseName };
}

export function cacheOptions(cache: EnvironmentConfig["cache"]): Pick<CacheProps, "tier" | "memorySizeGb" | "redisVersion" | "maxmemoryPolicy"> {
  const { tier, memorySizeGb, redisVersion, maxmemoryPolicy } = cache;
  return { tier, memorySizeGb, redisVersion, maxmemoryPolicy };
}
