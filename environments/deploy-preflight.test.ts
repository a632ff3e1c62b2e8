import { describe, expect, it } from "vitest";
import { DEPLOY_SETTINGS_FIXTURE } from "../test/support/fixtures";
import { executablesOnPath, HEALTHY_MACHINE } from "../test/support/machine";
import { deployPreflight, formatPreflight, versionAtLeast, type PreflightProbes } from "./deploy-preflight";

const READY = {
  ...DEPLOY_SETTINGS_FIXTURE.prod,
  VALORIZE_PROD_PROJECT_ID: "acme-prod-1",
  TF_VAR_token_signing_key: "k".repeat(48),
  TF_VAR_db_owner_password: "p".repeat(36),
  GOOGLE_OAUTH_ACCESS_TOKEN: "ya29.token",
};

describe("deploy preflight", () => {
  it("passes when everything a deploy needs is there, and returns the config", async () => {
    const result = await deployPreflight("prod", { env: { ...READY, PATH: executablesOnPath("terraform", "docker") }, probes: HEALTHY_MACHINE });
    expect(result.problems).toEqual([]);
    expect(result.config?.edge.domains).toEqual(["valorize-fixture.net", "www.valorize-fixture.net"]);
  });

  it("lists every missing thing at once: settings, secrets, tools, daemon, credentials, registry", async () => {
    const offline: PreflightProbes = { ...HEALTHY_MACHINE, reachable: async () => false, fileExists: () => false, dockerDaemonProblem: async () => "Cannot connect to the Docker daemon" };
    const { problems } = await deployPreflight("prod", { env: { PATH: executablesOnPath("docker"), HOME: "/nonexistent" }, probes: offline });
    const subjects = problems.map((p) => p.split(/ = | is | does | /)[0]);
    expect(subjects).toEqual(["stateBucket", "edge.domains", "observability.notifications", "projectId", "TF_VAR_token_signing_key", "TF_VAR_db_owner_password", "terraform", "the", "no", "registry.terraform.io:443"]);
    expect(problems).toContain("terraform is not on PATH: it plans and applies the stack; install it from https://developer.hashicorp.com/terraform/install (>= 1.11)");
    expect(problems.find((p) => p.startsWith("the Docker daemon"))).toMatch(/\(Cannot connect to the Docker daemon\): the deploy builds the image with it; start Docker, or deploy a prebuilt image with VALORIZE_PROD_IMAGE/);
    expect(problems.find((p) => p.startsWith("no Google credentials"))).toMatch(/gcloud auth application-default login/);
    expect(problems.at(-1)).toMatch(/^registry\.terraform\.io:443 does not answer: terraform init downloads the providers from it; connect to the network, or point TF_CLI_CONFIG_FILE/);
  });

  it("refuses Terraform older than 1.11 (write-only arguments)", async () => {
    const old = { ...HEALTHY_MACHINE, terraformVersion: async () => "1.9.8" };
    const { problems } = await deployPreflight("prod", { env: { ...READY, PATH: executablesOnPath("terraform", "docker") }, probes: old });
    expect(problems).toEqual([expect.stringMatching(/^terraform 1\.9\.8 is too old: the stacks use write-only arguments .* need >= 1\.11/)]);
    expect(versionAtLeast("1.11.0", [1, 11])).toBe(true);
    expect(versionAtLeast("1.10.5", [1, 11])).toBe(false);
    expect(versionAtLeast("2.0.0", [1, 11])).toBe(true);
  });

  it("needs no Docker for a prebuilt image, and no secrets check where the caller cannot see them", async () => {
    const env = { ...READY, VALORIZE_PROD_IMAGE: "us-docker.pkg.dev/acme/app/app@sha256:abc", PATH: executablesOnPath("terraform") };
    delete (env as Record<string, string>).TF_VAR_db_owner_password;
    expect((await deployPreflight("prod", { env, probes: HEALTHY_MACHINE, checkSecrets: false })).problems).toEqual([]);
    expect((await deployPreflight("prod", { env, probes: HEALTHY_MACHINE })).problems).toEqual([expect.stringMatching(/^TF_VAR_db_owner_password = \(unset\)/)]);
  });

  it("takes a provider mirror or plugin cache instead of the registry, when it exists", async () => {
    const offline = { ...HEALTHY_MACHINE, reachable: async () => false, fileExists: (p: string) => p !== "/no/cache", readText: (p: string) => (p === "/etc/tf.rc" ? 'provider_installation {\n filesystem_mirror { path = "/m" }\n}' : undefined) };
    const env = { ...READY, PATH: executablesOnPath("terraform", "docker") };
    expect((await deployPreflight("prod", { env: { ...env, TF_CLI_CONFIG_FILE: "/etc/tf.rc" }, probes: offline })).problems).toEqual([]);
    expect((await deployPreflight("prod", { env: { ...env, TF_CLI_CONFIG_FILE: "/missing.rc" }, probes: offline })).problems).toHaveLength(1);
    expect((await deployPreflight("prod", { env: { ...env, TF_PLUGIN_CACHE_DIR: "/no/cache" }, probes: offline })).problems).toHaveLength(1);
  });

  it("formats one message: what cannot start, then each problem", () => {
    expect(formatPreflight("deploy prod", ["a", "b"])).toBe("deploy prod cannot start yet:\n  - a\n  - b");
  });
});
