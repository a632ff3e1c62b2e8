import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PLATFORM_RULE_IDS, PLATFORM_RULES } from ".";

describe("the rule catalog", () => {
  it("has unique ids of the form VZ-<AREA>-<NNN>", () => {
    expect(new Set(PLATFORM_RULE_IDS).size).toBe(PLATFORM_RULES.length);
    for (const id of PLATFORM_RULE_IDS) expect(id).toMatch(/^VZ-[A-Z]+-\d{3}$/);
  });

  it.each(PLATFORM_RULES.map((r) => [r.id, r] as const))("%s explains itself: short title, one-line rationale, a fix", (_id, rule) => {
    expect(rule.title.length).toBeLessThanOrEqual(40);
    expect(rule.rationale).toMatch(/^[^\n]{20,200}$/);
    expect(rule.fix.length).toBeGreaterThan(20);
    expect(["ERROR", "WARNING"]).toContain(rule.severity);
  });

  it("gives every rule its own tests (a describe block named after its id)", () => {
    const tests = readdirSync(__dirname)
      .filter((file) => file.endsWith(".test.ts"))
      .map((file) => readFileSync(`${__dirname}/${file}`, "utf8"))
      .join("\n");
    expect(PLATFORM_RULE_IDS.filter((id) => !tests.includes(`describe("${id} `))).toEqual([]);
  });
});
