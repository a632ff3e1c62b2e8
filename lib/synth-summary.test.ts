import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Annotations, App, TerraformOutput, TerraformStack, TerraformVariable } from "./cdktf";
import { formatSynthSummary, summarizeSynth } from "./synth-summary";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("synth summary", () => {
  const outdir = mkdtempSync(join(tmpdir(), "vz-summary-"));
  dirs.push(outdir);
  const app = new App({ outdir, stackTraces: false });
  const plain = new TerraformStack(app, "plain");
  new TerraformOutput(plain, "out", { value: "x" });
  const noisy = new TerraformStack(app, "noisy");
  const variable = new TerraformVariable(noisy, "v", { type: "string" });
  new TerraformOutput(noisy, "echo", { value: variable.stringValue });
  Annotations.of(variable).addWarning("the edge serves plain HTTP");
  Annotations.of(noisy).addInfo("armor is in preview");
  app.synth();

  it("reads each stack's counts and annotations back from the manifest cdktf wrote", () => {
    const stacks = summarizeSynth(outdir);
    const first = stacks.find((s) => s.name === "plain");
    const second = stacks.find((s) => s.name === "noisy");
    expect(first).toMatchObject({ name: "plain", resources: 0, outputs: 1, warnings: [], infos: [] });
    expect(second).toMatchObject({ name: "noisy", outputs: 1, warnings: ["noisy/v: the edge serves plain HTTP"], infos: ["noisy: armor is in preview"] });
    expect(second!.file).toBe(join(outdir, "stacks", "noisy", "cdk.tf.json"));
  });

  it("prints the warnings and infos first, then one aligned line per stack", () => {
    const lines = formatSynthSummary(summarizeSynth(outdir)).split("\n");
    expect(lines.slice(0, 3)).toEqual(["[WARN] noisy/v: the edge serves plain HTTP", "[INFO] noisy: armor is in preview", ""]);
    expect(lines.slice(3).sort()).toEqual([
      expect.stringMatching(/^noisy  0 resources, 0 data sources, 1 output, 1 warning -> .*noisy\/cdk\.tf\.json$/),
      expect.stringMatching(/^plain  0 resources, 0 data sources, 1 output, 0 warnings -> .*plain\/cdk\.tf\.json$/),
    ]);
  });
});
