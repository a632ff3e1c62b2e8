import { delimiter } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../environments";
import { executablesOnPath, HEALTHY_MACHINE } from "../../test/support/machine";
import type { ExperimentOptions } from "./options";
import { ExperimentError } from "../errors";
import { onPath, preflightCloud, requiredTools } from "./preflight";

const options = (overrides: Partial<ExperimentOptions> = {}): ExperimentOptions => ({
  env: "dev",
  profile: "quick",
  scenarios: ["read", "mixed", "async"],
  repeat: 1,
  deploy: true,
  cpuQuota: true,
  ...overrides,
});
const devSettings = { VALORIZE_DEV_PROJECT_ID: "acme-dev-1", TF_VAR_token_signing_key: "k", TF_VAR_db_owner_password: "p" };

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the preflight to fail");
}

describe("experiment preflight", () => {
  it("finds executables on PATH, not other files", () => {
    const path = [executablesOnPath("k6"), "/nonexistent"].join(delimiter);
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
    expect(names({ deploy: false, scenarios: [], resilience: true })).toEqual(["terraform", "gcloud"]);
    expect(names({ deploy: false, speedup: [1, 2] })).toEqual(["terraform", "k6", "gcloud"]);
    const prebuilt = { ...config, image: { ...config.image, prebuiltUri: "europe-docker.pkg.dev/p/r/app@sha256:abc" } };
    expect(requiredTools(options(), prebuilt).map((t) => t.command)).toEqual(["terraform", "k6", "gcloud"]);
  });

  it("names every missing tool with why and where to get it, once, before anything starts", async () => {
    const error = await failure(preflightCloud("dev", options(), { ...devSettings, PATH: executablesOnPath("terraform") }, HEALTHY_MACHINE));
    expect(error).toBeInstanceOf(ExperimentError);
    expect(error.message).toMatch(/^--env dev cannot start yet:\n/);
    expect(error.message).toMatch(/  - docker is not on PATH: it builds and pushes the app image during deploy/);
    expect(error.message).toMatch(/  - k6 is not on PATH: it generates the read and mixed load; install it from https:/);
    expect(error.message.match(/docker is not on PATH/g)).toHaveLength(1);
    expect(error.message).not.toContain("terraform is not on PATH");
  });

  it("names every setting a non-interactive deploy lacks, and none when not deploying", async () => {
    const path = executablesOnPath("terraform", "k6", "docker", "gcloud");
    const error = await failure(preflightCloud("dev", options(), { PATH: path, GOOGLE_OAUTH_ACCESS_TOKEN: "t" }, HEALTHY_MACHINE));
    expect(error.message).toMatch(/  - projectId = \(unset\): the project to deploy into; set VALORIZE_DEV_PROJECT_ID/);
    expect(error.message).toMatch(/  - TF_VAR_token_signing_key = \(unset\): a secret the stack writes write-only/);
    expect(error.message).toMatch(/  - TF_VAR_db_owner_password = \(unset\)/);
    await expect(preflightCloud("dev", options(), { PATH: path, TF_VAR_project_id: "acme-dev-2", TF_VAR_token_signing_key: "k", TF_VAR_db_owner_password: "p", GOOGLE_OAUTH_ACCESS_TOKEN: "t" }, HEALTHY_MACHINE)).resolves.toMatchObject({ name: "dev" });
    await expect(preflightCloud("dev", options({ deploy: false }), { PATH: path }, HEALTHY_MACHINE)).resolves.toMatchObject({ name: "dev" });
  });

  it("reports a wrong committed or external setting by name", async () => {
    const error = await failure(preflightCloud("dev", options(), { ...devSettings, VALORIZE_DEV_PROJECT_ID: "Bad_Project", PATH: executablesOnPath("terraform", "k6", "docker") }, HEALTHY_MACHINE));
    expect(error.message).toMatch(/projectId = "Bad_Project": must be a GCP project id/);
  });

  it("returns the environment's config when everything is there", async () => {
    const config = await preflightCloud("dev", options(), { ...devSettings, GOOGLE_OAUTH_ACCESS_TOKEN: "t", PATH: executablesOnPath("terraform", "k6", "docker", "gcloud") }, HEALTHY_MACHINE);
    expect(config.projectId).toBe("acme-dev-1");
  });
});
