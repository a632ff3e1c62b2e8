import { ComputeSecurityPolicy } from "@cdktf/provider-google/lib/compute-security-policy";
import { RedisInstance } from "@cdktf/provider-google/lib/redis-instance";
import { describe, expect, it } from "vitest";
import { CLOUD_ENVIRONMENT_NAMES, ENVIRONMENTS, parseEnvironment } from "../environments";
import { App, Aspects, Testing, type IConstruct, type TerraformStack } from "../lib/cdktf";
import { DEFAULT_CONNECTION_RESERVE } from "../lib/connection-budget";
import { PolicyPack } from "./pack";
import { smallStack, unmodifiedEnvironmentStack } from "../test/support/policies";
import { synthEnvironment } from "../test/support/synth";

/** A stack with one Redis instance that breaks VZ-REDIS-001 (no AUTH) and nothing else of the pack. */
const openRedis = () => smallStack((s) => new RedisInstance(s, "cache", { name: "cache", memorySizeGb: 1, transitEncryptionMode: "SERVER_AUTHENTICATION" }));

const warningsOf = (construct: IConstruct) => construct.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));

function withPack(stack: TerraformStack, pack: PolicyPack): TerraformStack {
  Aspects.of(stack).add(pack);
  return stack;
}

describe("an ERROR finding fails synth", () => {
  it("in Testing.synth with validations, naming the rule, the resource path and the fix", () => {
    const stack = withPack(openRedis(), new PolicyPack({ environment: "dev" }));
    expect(() => Testing.synth(stack, true)).toThrow(
      "[test] VZ-REDIS-001 at test/cache: auth_enabled is unset (the default is false). Fix: Set auth_enabled = true and give clients the AUTH string from Secret Manager (the Cache construct does).",
    );
  });

  it("in app.synth() (npm run synth, cdktf synth)", () => {
    const stack = withPack(openRedis(), new PolicyPack({ environment: "dev" }));
    expect(() => App.of(stack).synth()).toThrow(/VZ-REDIS-001 at test\/cache/);
  });

  it("but not without the pack, or with its finding fixed", () => {
    expect(() => Testing.synth(openRedis(), true)).not.toThrow();
    const fixed = smallStack((s) => new RedisInstance(s, "cache", { name: "cache", memorySizeGb: 1, authEnabled: true, transitEncryptionMode: "SERVER_AUTHENTICATION" }));
    expect(() => Testing.synth(withPack(fixed, new PolicyPack({ environment: "dev" })), true)).not.toThrow();
  });

  it("once per finding however often the stack is synthesized", () => {
    const stack = withPack(openRedis(), new PolicyPack({ environment: "dev" }));
    for (let i = 0; i < 2; i++) {
      try {
        Testing.synth(stack, true);
      } catch (error) {
        expect(String(error).match(/VZ-REDIS-001/g)).toHaveLength(1);
      }
    }
    expect.assertions(2);
  });
});

describe("a WARNING finding", () => {
  it("becomes a warning annotation on the resource and synth goes on", () => {
    let policy!: ComputeSecurityPolicy;
    const stack = smallStack((s) => {
      policy = new ComputeSecurityPolicy(s, "armor", {
        name: "armor",
        rule: [{ priority: 1000, action: "deny(403)", preview: true, match: { expr: { expression: "evaluatePreconfiguredWaf('xss-v33-stable')" } } }],
      });
    });
    withPack(stack, new PolicyPack({ environment: "prod" }));
    expect(() => Testing.synth(stack, true)).not.toThrow();
    Testing.synth(stack, true);
    expect(warningsOf(policy)).toEqual([expect.stringMatching(/^VZ-EDGE-004 at test\/armor: rules at priority 1000 are in preview \(log only\)\. Fix: /)]);
  });
});

describe("suppressions", () => {
  it("accept a finding with the recorded reason, which the evaluation reports", () => {
    const reason = "Legacy cache for the load tests; AUTH would change client code.";
    const pack = new PolicyPack({ environment: "dev", suppressions: [{ rule: "VZ-REDIS-001", reason }] });
    const stack = withPack(openRedis(), pack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const outcome = pack.evaluate(stack).outcomes.find((o) => o.rule.id === "VZ-REDIS-001")!;
    expect(outcome).toMatchObject({ status: "suppressed", checked: 1 });
    expect(outcome.findings.map((f) => [f.resource.path, f.suppressedBy?.reason])).toEqual([["test/cache", reason]]);
  });

  it("cover only the resources their pattern names", () => {
    const stack = smallStack((s) => {
      new RedisInstance(s, "cache", { name: "cache", memorySizeGb: 1, transitEncryptionMode: "SERVER_AUTHENTICATION" });
      new RedisInstance(s, "sessions", { name: "sessions", memorySizeGb: 1, transitEncryptionMode: "SERVER_AUTHENTICATION" });
    });
    const pack = new PolicyPack({ environment: "dev", suppressions: [{ rule: "VZ-REDIS-001", reason: "Only the cache is exempt, sessions are not.", resource: "cach*" }] });
    withPack(stack, pack);
    expect(() => Testing.synth(stack, true)).toThrow(/VZ-REDIS-001 at test\/sessions/);
    expect(() => Testing.synth(stack, true)).not.toThrow(/at test\/cache/);
  });

  it("that match nothing are reported and warned about (stale, or a wrong pattern)", () => {
    const stale = { rule: "VZ-SQL-001", reason: "There used to be a public instance here." };
    const pack = new PolicyPack({ environment: "dev", suppressions: [stale] });
    const stack = withPack(smallStack(() => undefined), pack);
    expect(pack.evaluate(stack).unusedSuppressions).toEqual([stale]);
    Testing.synth(stack, true);
    expect(warningsOf(stack)).toEqual([expect.stringContaining("Policy suppression VZ-SQL-001 (There used to be a public instance here.) matched no finding")]);
  });

  it("without a reason are refused by the pack, also when they come from an environment's config", () => {
    expect(() => new PolicyPack({ environment: "dev", suppressions: [{ rule: "VZ-EDGE-003", reason: " " }] })).toThrow(
      'suppressions[0].reason = " ": must explain why (at least 15 characters)',
    );
    expect(() => parseEnvironment({ ...ENVIRONMENTS.dev, policy: { suppressions: [{ rule: "VZ-EDGE-003" }] } })).toThrow(/policy\.suppressions\.0\.reason/);
    const config = parseEnvironment({ ...ENVIRONMENTS.dev, policy: { suppressions: [{ rule: "VZ-EDGE-003", reason: "because" }] } });
    expect(() => synthEnvironment(config)).toThrow(
      /Invalid policy suppressions for environment "dev" \(config policy\.suppressions\):\n {2}- suppressions\[0\]\.reason = "because": must explain why/,
    );
  });

  it("naming an unknown rule are refused, with the likely intended id", () => {
    expect(() => new PolicyPack({ environment: "dev", suppressions: [{ rule: "VZ-EDGE-03", reason: "HTTP only until the domain exists." }] })).toThrow(
      /suppressions\[0\]\.rule = "VZ-EDGE-03": is not a rule of the policy pack \(did you mean VZ-EDGE-003\?\)/,
    );
    const config = parseEnvironment({ ...ENVIRONMENTS.dev, policy: { suppressions: [{ rule: "VZ-EDGE-03", reason: "HTTP only until the domain exists." }] } });
    expect(() => synthEnvironment(config)).toThrow(/suppressions\[0\]\.rule = "VZ-EDGE-03": is not a rule of the policy pack \(did you mean VZ-EDGE-003\?\)/);
  });

  it("with a known rule and a reason are valid environment config", () => {
    const config = parseEnvironment({ ...ENVIRONMENTS.dev, policy: { suppressions: [{ rule: "VZ-EDGE-003", reason: "No domain in dev: HTTP only.", resource: "edge/*" }] } });
    expect(config.policy.suppressions).toEqual([{ rule: "VZ-EDGE-003", reason: "No domain in dev: HTTP only.", resource: "edge/*" }]);
  });
});

describe("PolicyPack.forEnvironment", () => {
  it("takes the environment's name, suppressions and connection reserve; production only for prod", () => {
    const dev = PolicyPack.forEnvironment(unmodifiedEnvironmentStack("dev").config);
    expect(dev.context).toEqual({ environment: "dev", production: false, requiredLabels: ["app", "env"], connectionReserve: 20 });
    expect(PolicyPack.forEnvironment(unmodifiedEnvironmentStack("prod").config).context.production).toBe(true);
  });

  it("has one connection reserve default, the construct's and the config schema's (lib/connection-budget.ts)", () => {
    expect(new PolicyPack({ environment: "dev" }).context.connectionReserve).toBe(DEFAULT_CONNECTION_RESERVE);
    expect(parseEnvironment({ name: "dev", namePrefix: "vz-dev" }).database.connectionReserve).toBe(DEFAULT_CONNECTION_RESERVE);
  });
});

/**
 * The environment stacks as they are today, with the pack they carry (or their config's). Until
 * observability is wired, api and realtime have no SLO; dev's edge serves plain HTTP until it is
 * suppressed (no domain). When both land, every list here must be empty.
 */

describe.each(CLOUD_ENVIRONMENT_NAMES)("the %s environment stack", (name) => {
  it("passes every rule (dev's HTTP-only edge suppressed with a reason), and warns about nothing", () => {
    const stack = unmodifiedEnvironmentStack(name);
    const pack = PolicyPack.of(stack) ?? PolicyPack.forEnvironment(stack.config);
    const findings = pack.evaluate(stack).outcomes.flatMap((o) => o.findings.filter((f) => !f.suppressedBy));
    expect(findings.filter((f) => f.rule.severity === "ERROR").map((f) => `${f.rule.id} ${f.resource.path}`)).toEqual([]);
    expect(findings.filter((f) => f.rule.severity === "WARNING")).toEqual([]);
  });
});
