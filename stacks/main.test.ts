/**
 * The app's entry point as the cdktf CLI runs it: a stand-in `cdktf` executable (the app reads
 * the command off its parent's command line) runs stacks/main.ts exactly as cdktf.json says.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs `cdktf <args>` where cdktf runs the app's command from cdktf.json, as the CLI does. */
function cdktf(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "vz-cdktf-"));
  dirs.push(dir);
  const appCommand = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
  const cli = join(dir, "cdktf");
  writeFileSync(
    cli,
    `#!/usr/bin/env node
const { spawnSync } = require("node:child_process");
// Like the real CLI: Terraform variables are not passed to the app.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TF_VAR_")));
const r = spawnSync(${JSON.stringify(appCommand)}, { shell: true, stdio: "inherit", cwd: ${JSON.stringify(ROOT)}, env });
process.exit(r.status ?? 1);
`,
  );
  chmodSync(cli, 0o755);
  const result = spawnSync(cli, args, {
    encoding: "utf8",
    env: { PATH: process.env.PATH!, HOME: dir, CDKTF_CONTEXT_JSON: "{}", CDKTF_OUTDIR: join(dir, "out"), CHECKPOINT_DISABLE: "1", ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the app under the cdktf CLI", () => {
  it("runs the deploy preflight for the named stack before Terraform: one message, exit 2", () => {
    const { status, stdout } = cdktf(["deploy", "prod", "--auto-approve"], { TF_VAR_token_signing_key: "k".repeat(40) });
    expect(status).toBe(2);
    expect(stdout).toMatch(/^deploy prod cannot start yet:\n/m);
    expect(stdout).toContain("  - stateBucket = (unset): prod keeps its Terraform state in a GCS bucket");
    expect(stdout).toContain("  - edge.domains = (unset)");
    // The CLI hides TF_VAR_* from the app; the app reads the CLI's own environment instead.
    expect(stdout).not.toContain("TF_VAR_token_signing_key");
    expect(stdout).toContain("TF_VAR_db_owner_password = (unset)");
  });

  it("only synthesizes for `cdktf synth`, leaving out (and naming) environments without their deploy settings", () => {
    const { status, stdout } = cdktf(["synth"]);
    expect(status).toBe(0);
    expect(stdout).not.toContain("cannot start yet");
    expect(stdout).toContain("staging: not synthesized until its deploy settings are given:");
    expect(stdout).toContain("prod: not synthesized until its deploy settings are given:");
  });
});

describe("cdktf.json", () => {
  it("carries the projectId the CLI would otherwise write into it on every fresh checkout (leaving the tree dirty)", async () => {
    const before = readFileSync(join(ROOT, "cdktf.json"), "utf8");
    expect(JSON.parse(before).projectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The CLI's own lookup (telemetry and crash reports call it): it finds the id and writes nothing.
    const { getProjectId } = (await import("@cdktf/commons")) as unknown as { getProjectId(path: string): string };
    expect(getProjectId(ROOT)).toBe(JSON.parse(before).projectId);
    expect(readFileSync(join(ROOT, "cdktf.json"), "utf8")).toBe(before);
  });
});
