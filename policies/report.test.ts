import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ComputeSecurityPolicy } from "@cdktf/provider-google/lib/compute-security-policy";
import { RedisInstance } from "@cdktf/provider-google/lib/redis-instance";
import { DEPLOY_SETTINGS_FIXTURE } from "../test/support/fixtures";
import { describe, expect, it } from "vitest";
import { PolicyPack } from "./pack";
import { formatPolicyReport, hasErrors, type StackPolicyReport } from "./report";
import { PLATFORM_RULES } from "./rules";
import { sqlNoPublicIp } from "./rules/cloud-sql";
import { edgeArmorEnforcedInProduction } from "./rules/edge";
import { redisAuth, redisTls } from "./rules/memorystore";
import { smallStack } from "../test/support/policies";

const RULES = [redisAuth, redisTls, sqlNoPublicIp, edgeArmorEnforcedInProduction];
const redisWithoutAuth = () => smallStack((s) => new RedisInstance(s, "cache", { name: "cache", memorySizeGb: 1, transitEncryptionMode: "SERVER_AUTHENTICATION" }));

/** dev: Redis without AUTH fails. prod: the same finding suppressed, a previewed WAF rule warns, one stale suppression. */
function reports(): StackPolicyReport[] {
  const dev = new PolicyPack({ environment: "dev", rules: RULES });
  const prodStack = redisWithoutAuth();
  new ComputeSecurityPolicy(prodStack, "armor", {
    name: "armor",
    rule: [{ priority: 1000, action: "deny(403)", preview: true, match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable')" } } }],
  });
  const prod = new PolicyPack({
    environment: "prod",
    rules: RULES,
    suppressions: [
      { rule: "VZ-REDIS-001", reason: "Client library upgrade pending (ticket 42)." },
      { rule: "VZ-SQL-001", reason: "Public instance being decommissioned." },
    ],
  });
  return [
    { stack: "dev", evaluation: dev.evaluate(redisWithoutAuth()) },
    { stack: "prod", evaluation: prod.evaluate(prodStack) },
  ];
}

describe("the policy report", () => {
  const text = formatPolicyReport(reports());
  const lines = text.split("\n");

  it("tabulates rules x stacks with status and counts, n/a apart from pass", () => {
    const row = (id: string) => lines.find((l) => l.startsWith(id))!.split(/\s{2,}/);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(["rule", "severity", "title", "dev", "prod"]);
    expect(row("VZ-REDIS-001")).toEqual(["VZ-REDIS-001", "ERROR", "Redis AUTH on", "FAIL 1/1", "suppressed 1/1"]);
    expect(row("VZ-REDIS-002")).toEqual(["VZ-REDIS-002", "ERROR", "Redis in-transit TLS", "pass 1", "pass 1"]);
    expect(row("VZ-SQL-001")).toEqual(["VZ-SQL-001", "ERROR", "Cloud SQL has no public IP", "n/a", "n/a"]);
    expect(row("VZ-EDGE-004")).toEqual(["VZ-EDGE-004", "WARNING", "Cloud Armor enforcing (prod)", "n/a", "warn 1/1"]);
  });

  it("lists failures, warnings, suppressions with their reasons, stale suppressions and the fixes", () => {
    expect(text).toContain("Failures (ERROR):\n  dev      VZ-REDIS-001 at test/cache: auth_enabled is unset (the default is false)\n");
    expect(text).toContain("Warnings:\n  prod     VZ-EDGE-004 at test/armor: rules at priority 1000 are in preview (log only)\n");
    expect(text).toContain("Suppressed:\n  prod     VZ-REDIS-001 at test/cache: auth_enabled is unset (the default is false) [suppressed: Client library upgrade pending (ticket 42).]\n");
    expect(text).toContain("  prod     VZ-SQL-001 (Public instance being decommissioned.)");
    expect(text).toContain(`How to fix:\n  VZ-REDIS-001 ${redisAuth.fix}\n`);
    expect(text).not.toContain(`VZ-EDGE-004 ${edgeArmorEnforcedInProduction.fix}`);
    expect(lines.at(-1)).toBe("Result: 1 ERROR finding(s) in dev.");
  });

  it("decides the exit status: ERROR findings only, not warnings or suppressed ones", () => {
    const [dev, prod] = reports();
    expect(hasErrors([dev!, prod!])).toBe(true);
    expect(hasErrors([prod!])).toBe(false);
  });
});

describe("npm run policy", () => {
  it("reports every rule on the real dev, staging and prod stacks and exits 1 exactly when something fails", () => {
    const root = join(__dirname, "..");
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/policy.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, ...DEPLOY_SETTINGS_FIXTURE.staging, ...DEPLOY_SETTINGS_FIXTURE.prod, CHECKPOINT_DISABLE: "1" } });
    expect(run.stderr).toBe("");
    const header = run.stdout.split("\n").find((l) => l.startsWith("rule "))!;
    expect(header.split(/\s{2,}/)).toEqual(["rule", "severity", "title", "dev", "staging", "prod"]);
    for (const rule of PLATFORM_RULES) expect(run.stdout).toMatch(new RegExp(`^${rule.id}\\s`, "m"));
    expect(run.status).toBe(run.stdout.includes("Failures (ERROR):") ? 1 : 0);
  });
});
