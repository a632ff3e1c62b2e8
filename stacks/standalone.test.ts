/**
 * The stacks skip cdktf's "preparing" resolve pass (lib/standalone-stack.ts), which only matters
 * for cross-stack references. This proves the skip changes nothing: every stack of the real app
 * synthesizes to the same JSON with and without the pass.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { App, TerraformStack } from "../lib/cdktf";
import { StandaloneStack } from "../lib/standalone-stack";
import { DEPLOY_SETTINGS_FIXTURE } from "../test/support/fixtures";
import { buildApp } from "./app";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synthesizeAll(withPreparingPass: boolean): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "standalone-"));
  dirs.push(outdir);
  const app = new App({ outdir, stackTraces: false, context: {} });
  buildApp(app, { env: { ...DEPLOY_SETTINGS_FIXTURE.staging, ...DEPLOY_SETTINGS_FIXTURE.prod } });
  if (withPreparingPass) {
    for (const stack of app.node.children) {
      if (stack instanceof StandaloneStack) stack.prepareStack = TerraformStack.prototype.prepareStack.bind(stack);
    }
  }
  app.synth();
  const stacks = readdirSync(join(outdir, "stacks"));
  return Object.fromEntries(stacks.map((name) => [name, readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")]));
}

describe("standalone stacks", () => {
  it("synthesize identically with and without cdktf's cross-stack preparing pass", () => {
    const without = synthesizeAll(false);
    const withPass = synthesizeAll(true);
    expect(Object.keys(without).sort()).toEqual(["dev", "local", "prod", "staging"]);
    for (const name of Object.keys(without)) expect(without[name], name).toBe(withPass[name]);
  });
});
