/** Memorystore for Redis: a password and TLS, both of which can only be turned on by replacing it. */
import { rule, show } from "../model";

export const REDIS_INSTANCE = "google_redis_instance";

export const redisAuth = rule({
  id: "VZ-REDIS-001",
  severity: "ERROR",
  title: "Redis AUTH on",
  rationale: "Without AUTH any client in the VPC can read cached financial data and publish fake realtime events.",
  fix: "Set auth_enabled = true and give clients the AUTH string from Secret Manager (the Cache construct does).",
  appliesTo: [REDIS_INSTANCE],
  check: (redis) => (redis.config.auth_enabled === true ? [] : [`auth_enabled is ${show(redis.config.auth_enabled)} (the default is false)`]),
});

export const redisTls = rule({
  id: "VZ-REDIS-002",
  severity: "ERROR",
  title: "Redis in-transit TLS",
  rationale: "Redis traffic carries cached account data and the AUTH string; without TLS both cross the network in plaintext.",
  fix: 'Set transit_encryption_mode = "SERVER_AUTHENTICATION" and give clients the server CA from Secret Manager.',
  appliesTo: [REDIS_INSTANCE],
  check: (redis) =>
    redis.config.transit_encryption_mode === "SERVER_AUTHENTICATION"
      ? []
      : [`transit_encryption_mode is ${show(redis.config.transit_encryption_mode)} (the default is DISABLED)`],
});
