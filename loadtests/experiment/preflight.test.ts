import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../environments";
import type { ExperimentOptions } from "./options";
import { ExperimentError } from "../errors";
import { onPath, preflightCloud, requiredTools } from "./preflight";

const dirs: string[] = [];
/** A PATH directory holding executables with these names (and a non-executable "notes"). */
function binDir(...commands: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "vz-preflight-"));
  dirs.push(dir);
  for (const command of commands) {
    writeFileSync(join(dir, command), "#!/bin/sh\n");
    chmodSync(join(dir, command), 0o755);
  }
  writeFileSync(join(dir, "notes"), "not a program");
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const options = (overrides: Partial<ExperimentOptions> = {}): ExperimentOptions => ({
  env: "dev",
  profile: "quick",
  scenarios: ["read", "mixed", "async"],
  repeat: 1,
  deploy: true,
  pin: true,
  ...overrides,
});
const devSettings = { VALORIZE_DEV_PROJECT_ID: "acme-dev-1", TF_VAR_token_signing_key: "k", TF_VAR_db_owner_password: "p" };

describe("experiment preflight", () => {
  it("finds executables on PATH, not other files", () => {
    const path = [binDir("k6"), "/nonexistent"].join(delimiter);
    expect(onPath("k6", path)).toBe(true);
    expect(onPath("notes", path)).toBe(false);
    expect(onPath("terraform", path)).toBe(false);
  });

  it("asks only for the tools this run calls", () => {
    const config = loadEnvironment("dev", { env: devSettings });
    const names = (o: Partial<ExperimentOptions>) => requiredTools(options(o), config).map((t) => t.command);
    expect(names({})).toEqual(["terraform", "k6", "docker", "gcloud"]);
    expect(names({ deploy: false, scenarios: ["async"] })).toEqual(["terraform", "gcloud"]);
    expect(names({ deploy: false, scenarios: ["read", "mixed"] })).toEqual(["terraform", "k6"]);
    expect(names({ deploy: false, speedup: [1, 2] })).toEqual(["terraform", "k6", "gcloud"]);
    const prebuilt = { ...config, image: { ...config.image, prebuiltUri: "europe-docker.pkg.dev/p/r/app@sha256:abc" } };
    expect(requiredTools(options(), prebuilt).map((t) => t.command)).toEqual(["terraform", "k6", "gcloud"]);
  });

  it("names every missing tool with why and where to get it, before anything starts", () => {
    const path = binDir("terraform");
    const error = (() => {
      try {
        preflightCloud("dev", options(), { ...devSettings, PATH: path });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ExperimentError);
    expect(error!.message).toMatch(/^--env dev cannot start yet:\n  - install k6 \(not on PATH\): it generates the read and mixed load; https:.*\n  - install docker \(not on PATH\): it builds and pushes/);
    expect(error!.message).not.toContain("install terraform");
  });

  it("names every setting a non-interactive deploy lacks, and none when not deploying", () => {
    const path = binDir("terraform", "k6", "docker", "gcloud");
    expect(() => preflightCloud("dev", options(), { PATH: path })).toThrow(ExperimentError);
    expect(() => preflightCloud("dev", options(), { PATH: path })).toThrow(
      /  - set VALORIZE_DEV_PROJECT_ID \(or TF_VAR_project_id\): the project to deploy into\n  - set TF_VAR_token_signing_key: .*\n  - set TF_VAR_db_owner_password: [^\n]*$/,
    );
    expect(() => preflightCloud("dev", options(), { PATH: path, TF_VAR_project_id: "acme-dev-2", TF_VAR_token_signing_key: "k", TF_VAR_db_owner_password: "p" })).not.toThrow();
    expect(() => preflightCloud("dev", options({ deploy: false }), { PATH: path })).not.toThrow();
  });

  it("reports a wrong committed or external setting by name", () => {
    expect(() => preflightCloud("dev", options(), { ...devSettings, VALORIZE_DEV_PROJECT_ID: "Bad_Project", PATH: binDir("terraform", "k6", "docker") })).toThrow(
      /projectId.*Bad_Project.*must be a GCP project id/s,
    );
  });

  it("returns the environment's config when everything is there", () => {
    const config = preflightCloud("dev", options(), { ...devSettings, PATH: binDir("terraform", "k6", "docker", "gcloud") });
    expect(config.projectId).toBe("acme-dev-1");
  });
});
