import { RedisInstance } from "@cdktf/provider-google/lib/redis-instance";
import { describe, expect, it } from "vitest";
import { environmentStack, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { redisAuth, redisTls } from "./memorystore";

const defaultsOnly = () => smallStack((stack) => new RedisInstance(stack, "cache", { name: "cache", memorySizeGb: 1 }));

describe("VZ-REDIS-001 AUTH", () => {
  it("passes the Cache construct", () => {
    expect(runRule(redisAuth, unmodifiedEnvironmentStack("dev"))).toMatchObject({ status: "pass", checked: 1 });
  });

  it("fails AUTH turned off, and the provider default (off)", () => {
    const stack = environmentStack("dev");
    stack.cache.instance.addOverride("auth_enabled", false);
    expect(runRule(redisAuth, stack).problems).toEqual(["dev/cache/instance: auth_enabled is false (the default is false)"]);
    expect(runRule(redisAuth, defaultsOnly()).problems).toEqual(["test/cache: auth_enabled is unset (the default is false)"]);
  });
});

describe("VZ-REDIS-002 TLS", () => {
  it("passes SERVER_AUTHENTICATION", () => {
    expect(runRule(redisTls, unmodifiedEnvironmentStack("prod")).status).toBe("pass");
  });

  it("fails DISABLED and unset", () => {
    const stack = environmentStack("dev");
    stack.cache.instance.addOverride("transit_encryption_mode", "DISABLED");
    expect(runRule(redisTls, stack).problems).toEqual(['dev/cache/instance: transit_encryption_mode is "DISABLED" (the default is DISABLED)']);
    expect(runRule(redisTls, defaultsOnly()).status).toBe("FAIL");
  });
});
