/**
 * Every Redis key and channel the app uses, under one prefix (REDIS_KEY_PREFIX) so that several
 * environments, test runs or benchmarks can share one Redis without colliding.
 */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** user id of an API token, by the token's HMAC (base64url). */
    token: (tokenHash: string) => `${prefix}tok:${tokenHash}`,
    /** Replaced on every write of the tenant: cached views under older versions are never read again. */
    tenantVersion: (userId: string) => `${prefix}ver:${userId}`,
    /** The dataset's epoch when the server does not report its run_id (see dataset-epoch.ts). */
    datasetEpoch: `${prefix}epoch`,
    /** One cached view of a tenant (its value carries the tag it was loaded under). */
    view: (userId: string, view: string) => `${prefix}view:${userId}:${view}`,
    /** Pub/sub channel of a tenant's realtime events. */
    events: (userId: string) => `${prefix}events:${userId}`,
    /** BullMQ's own prefix for the local task queues. */
    queues: `${prefix}bull`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
