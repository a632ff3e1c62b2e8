import { RedisInstance } from "@cdktf/provider-google/lib/redis-instance";
import { describe, expect, it } from "vitest";
import { BASE, network, secrets } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { Cache, type CacheProps } from "./cache";

function synthCache(options: Partial<CacheProps> = {}) {
  let cache!: Cache;
  const out = synthStack((stack) => {
    cache = new Cache(stack, "cache", { ...BASE, network: network(stack), secrets: secrets(stack), ...options });
  });
  return { ...out, cache };
}

describe("Cache", () => {
  const { raw, json, cache } = synthCache();
  const instance = onlyResource(json, "google_redis_instance");

  it("turns on AUTH and in-transit encryption (changing either later replaces the instance)", () => {
    expect(instance).toMatchObject({ auth_enabled: true, transit_encryption_mode: "SERVER_AUTHENTICATION" });
  });

  it("is reachable only through private services access on the platform VPC", () => {
    expect(instance.connect_mode).toBe("PRIVATE_SERVICE_ACCESS");
    expect(instance.authorized_network).toMatch(/google_compute_network\..*\.id/);
    expect(instance.reserved_ip_range).toMatch(/google_compute_global_address\..*\.name/);
  });

  it("defaults to Redis 7.2 with HA and an LRU read cache", () => {
    expect(raw).toHaveResourceWithProperties(RedisInstance, { tier: "STANDARD_HA", redis_version: "REDIS_7_2", memory_size_gb: 1 });
    expect(instance.redis_configs).toEqual({ "maxmemory-policy": "allkeys-lru" });
  });

  it("keeps the AUTH string and the server CA in Secret Manager, not in service env values", () => {
    const versions = Object.values(resourcesOf(json, "google_secret_manager_secret_version")).map((v: any) => v.secret_data);
    expect(versions).toEqual(expect.arrayContaining([expect.stringMatching(/redis_instance\..*\.auth_string/)]));
    expect(Object.values(resourcesOf(json, "google_secret_manager_secret")).map((s: any) => s.secret_id).sort()).toEqual(["vz-test-redis-auth", "vz-test-redis-ca"]);
    expect(cache.url).toMatch(/^rediss:\/\//);
  });

  it("stores every server CA as one PEM bundle, not only the first (Memorystore lists two during a CA rotation)", () => {
    const versions = Object.values(resourcesOf(json, "google_secret_manager_secret_version")).map((v: any) => v.secret_data as string);
    const ca = versions.find((v) => v.includes("server_ca_certs"))!;
    expect(ca).toMatch(/^\$\{join\("\\n", \[for ca in google_redis_instance\.cache_instance_\w+\.server_ca_certs : trimspace\(ca\.cert\)\]\)\}$/);
    expect(ca).not.toMatch(/server_ca_certs\[\d+\]/);
  });

  it("follows its settings", () => {
    const basic = onlyResource(synthCache({ tier: "BASIC", memorySizeGb: 5, maxmemoryPolicy: "volatile-lru" }).json, "google_redis_instance");
    expect(basic).toMatchObject({ tier: "BASIC", memory_size_gb: 5, redis_configs: { "maxmemory-policy": "volatile-lru" } });
  });
});
