import { RedisInstance } from "@cdktf/provider-google/lib/redis-instance";
import { Construct, Token } from "../lib/cdktf";
import { redisInstanceName } from "../lib/google";
import type { Network } from "./network";
import type { ManagedSecret, Secrets } from "./secrets";

export interface CacheProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly network: Network;
  /** STANDARD_HA adds a replica in another zone with automatic failover. @default "STANDARD_HA" */
  readonly tier?: "BASIC" | "STANDARD_HA";
  /** @default 1 */
  readonly memorySizeGb?: number;
  /** @default "REDIS_7_2" */
  readonly redisVersion?: "REDIS_7_0" | "REDIS_7_2";
  /**
   * Eviction policy for the read cache. Pub/sub messages are not keys, so eviction never drops
   * realtime events. @default "allkeys-lru"
   */
  readonly maxmemoryPolicy?: "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "volatile-lfu";
  /** Where the AUTH string and the server CA are stored for the services to read. */
  readonly secrets: Secrets;
  /** Weekly maintenance window. @default Sunday 04:00 UTC */
  readonly maintenanceWindow?: { readonly day: "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY"; readonly hour: number };
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Memorystore for Redis 7: the read cache and the realtime pub/sub backplane.
 *
 * AUTH and in-transit encryption are always on (turning either on later replaces the instance),
 * it is reachable only through private services access, and its AUTH string and server CA go to
 * Secret Manager so that services read them as secret references, never as plain env values.
 */
export class Cache extends Construct {
  readonly instance: RedisInstance;
  readonly host: string;
  readonly port: number;
  /** `rediss://host:port`, without credentials; the password comes from `authSecret`. */
  readonly url: string;
  readonly authSecret: ManagedSecret;
  readonly caSecret: ManagedSecret;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    this.instance = new RedisInstance(this, "instance", {
      project: props.project,
      region: props.region,
      name: redisInstanceName(props.namePrefix),
      displayName: `${props.namePrefix} cache and pub/sub`,
      tier: props.tier ?? "STANDARD_HA",
      memorySizeGb: props.memorySizeGb ?? 1,
      redisVersion: props.redisVersion ?? "REDIS_7_2",
      authorizedNetwork: props.network.network.id,
      connectMode: "PRIVATE_SERVICE_ACCESS",
      reservedIpRange: props.network.privateServicesRange.name,
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      redisConfigs: { "maxmemory-policy": props.maxmemoryPolicy ?? "allkeys-lru" },
      maintenancePolicy: {
        weeklyMaintenanceWindow: [
          {
            day: props.maintenanceWindow?.day ?? "SUNDAY",
            startTime: { hours: props.maintenanceWindow?.hour ?? 4, minutes: 0, seconds: 0, nanos: 0 },
          },
        ],
      },
      labels: props.labels ? { ...props.labels } : undefined,
      dependsOn: [props.network.privateServicesConnection],
    });

    this.host = this.instance.host;
    this.port = this.instance.port;
    this.url = `rediss://${this.instance.host}:${Token.asString(this.instance.port)}`;
    this.authSecret = props.secrets.add("redis-auth", { kind: "resource", data: this.instance.authString });
    this.caSecret = props.secrets.add("redis-ca", { kind: "resource", data: serverCaBundle(this.instance) });
  }
}

/**
 * Every server CA of the instance as one PEM bundle (Terraform expression, evaluated at apply).
 *
 * Memorystore lists more than one CA during a CA rotation: a new CA is issued five years into the
 * old one's ten-year life and both stay valid until the old one expires, and clients must trust
 * the new one before the server switches to it (Memorystore for Redis, "In-transit encryption",
 * Certificate Authority rotation: https://cloud.google.com/memorystore/docs/redis/in-transit-encryption;
 * "Manage CA rotation", which downloads all of them:
 * https://cloud.google.com/memorystore/docs/redis/manage-in-transit-encryption). Storing only
 * `server_ca_certs[0]` would break TLS the day the server certificate comes from the second.
 * The app passes the bundle to Node's TLS, which trusts every CA in it
 * (app/adapters/redis/connection.ts, app/test/redis-tls.test.ts).
 */
export function serverCaBundle(instance: RedisInstance): string {
  return `\${join("\\n", [for ca in ${instance.fqn}.server_ca_certs : trimspace(ca.cert)])}`;
}

