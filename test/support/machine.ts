/** A machine as the deploy and experiment preflights see it, for their tests. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { PreflightProbes } from "../../environments/deploy-preflight";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A PATH directory holding executables with these names (and a non-executable "notes"). */
export function executablesOnPath(...commands: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "vz-path-"));
  dirs.push(dir);
  for (const command of commands) {
    writeFileSync(join(dir, command), "#!/bin/sh\n");
    chmodSync(join(dir, command), 0o755);
  }
  writeFileSync(join(dir, "notes"), "not a program");
  return dir;
}

/** A machine where Terraform 1.11, the Docker daemon, credentials and the registry all answer. */
export const HEALTHY_MACHINE: PreflightProbes = {
  terraformVersion: async () => "1.11.4",
  dockerDaemonProblem: async () => undefined,
  reachable: async () => true,
  fileExists: () => true,
  readText: () => undefined,
};
