import { describe, expect, it } from "vitest";
import { TerraformOutput } from "../lib/cdktf";
import { BASE } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { AppImage } from "./app-image";

describe("AppImage", () => {
  let built!: AppImage;
  const { json } = synthStack((stack) => {
    built = new AppImage(stack, "image", BASE);
    new TerraformOutput(stack, "uri", { value: built.imageUri });
    new TerraformOutput(stack, "tag", { value: built.tag });
  });

  it("creates an Artifact Registry repository with immutable tags and cleanup policies", () => {
    const repo = onlyResource(json, "google_artifact_registry_repository");
    expect(repo).toMatchObject({ format: "DOCKER", location: "us-central1", repository_id: "vz-test-images", docker_config: { immutable_tags: true } });
    expect(repo.cleanup_policies.map((p: any) => p.action).sort()).toEqual(["DELETE", "KEEP"]);
    expect(repo.cleanup_policies.find((p: any) => p.action === "KEEP").most_recent_versions.keep_count).toBe(20);
  });

  it("builds app/ for linux/amd64 during deploy, from a hash of the sources", () => {
    const image = onlyResource(json, "docker_image");
    expect(image.build).toMatchObject({ context: "${path.module}/../../..", dockerfile: "app/Dockerfile", platform: "linux/amd64" });
    const hash = Object.values(json.locals ?? {})[0] as string;
    expect(hash).toMatch(/^\$\{sha1\(join\("", \[for f in sort/);
    for (const glob of ["app/**/*.ts", "app/web/**", "app/Dockerfile", "environments/*.ts", "package-lock.json"]) expect(hash).toContain(`"${glob}"`);
  });

  it("tags each build <source hash>-<build id>, the build id drawn anew whenever the sources change, so a rollback never reuses an immutable tag", () => {
    const [buildId, data] = Object.entries(resourcesOf(json, "terraform_data"))[0]!;
    const sourceHash = Object.keys(json.locals ?? {})[0]!;
    // terraform_data draws a new UUID id on every replacement; the source hash is its only trigger.
    expect((data as any).triggers_replace).toEqual([`\${local.${sourceHash}}`]);
    const tag = `\${substr(local.${sourceHash}, 0, 12)}-\${substr(replace(terraform_data.${buildId}.id, "-", ""), 0, 12)}`;
    expect(json.output?.tag?.value).toBe(tag);
    const image = onlyResource(json, "docker_image");
    expect(image.name).toMatch(/^us-central1-docker\.pkg\.dev\/\$\{google_artifact_registry_repository\.image_repository_\w+\.project\}\/\$\{google_artifact_registry_repository\.image_repository_\w+\.repository_id\}\/app:/);
    expect(image.name.endsWith(`/app:${tag}`)).toBe(true);
    // Build and push are redone for a new build id even when the tree is byte-identical to an old one.
    const triggers = { source_hash: `\${local.${sourceHash}}`, build_id: `\${terraform_data.${buildId}.id}` };
    expect(image.triggers).toEqual(triggers);
    expect(onlyResource(json, "docker_registry_image").triggers).toEqual(triggers);
  });

  it("pushes with the deployer's Google token and deploys by digest", () => {
    const pushed = onlyResource(json, "docker_registry_image");
    expect(pushed.keep_remotely).toBe(true);
    const docker = json.provider?.docker?.[0];
    expect(docker.registry_auth[0]).toMatchObject({ address: "us-central1-docker.pkg.dev", username: "oauth2accesstoken" });
    expect(docker.registry_auth[0].password).toMatch(/data\.google_client_config\..*\.access_token/);
    // Cloud Run gets the digest of what was pushed, never a tag.
    expect(json.output?.uri?.value).toMatch(/^us-central1-docker\.pkg\.dev\/.*\/app@\$\{docker_registry_image\.image_pushed_\w+\.sha256_digest\}$/);
    expect(built.imageUri).toContain("@");
  });

  it("deploys a pinned prebuilt image without building anything", () => {
    let pinned!: AppImage;
    const { json } = synthStack((stack) => {
      pinned = new AppImage(stack, "image", { ...BASE, prebuiltUri: "us-docker.pkg.dev/acme/app/app@sha256:0123" });
    });
    expect(pinned.imageUri).toBe("us-docker.pkg.dev/acme/app/app@sha256:0123");
    expect(pinned.tag).toBeUndefined();
    expect(resourcesOf(json, "docker_image")).toEqual({});
    expect(resourcesOf(json, "terraform_data")).toEqual({});
    expect(json.provider?.docker).toBeUndefined();
  });
});
