import { describe, expect, it } from "vitest";
import { BASE } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { AppImage } from "./app-image";

describe("AppImage", () => {
  let built!: AppImage;
  const { json } = synthStack((stack) => {
    built = new AppImage(stack, "image", BASE);
  });

  it("creates an Artifact Registry repository with immutable tags and cleanup policies", () => {
    const repo = onlyResource(json, "google_artifact_registry_repository");
    expect(repo).toMatchObject({ format: "DOCKER", location: "us-central1", repository_id: "vz-test-images", docker_config: { immutable_tags: true } });
    expect(repo.cleanup_policies.map((p: any) => p.action).sort()).toEqual(["DELETE", "KEEP"]);
    expect(repo.cleanup_policies.find((p: any) => p.action === "KEEP").most_recent_versions.keep_count).toBe(20);
  });

  it("builds app/ for linux/amd64 during deploy, tagged by a hash of the sources", () => {
    const image = onlyResource(json, "docker_image");
    expect(image.build).toMatchObject({ context: "${path.module}/../../..", dockerfile: "app/Dockerfile", platform: "linux/amd64" });
    expect(image.name).toMatch(/^us-central1-docker\.pkg\.dev\/.*\/app:\$\{substr\(local\..*, 0, 16\)\}$/);
    const hash = Object.values(json.locals ?? {})[0] as string;
    expect(hash).toMatch(/^\$\{sha1\(join\("", \[for f in sort/);
    for (const glob of ["app/**/*.ts", "app/Dockerfile", "environments/*.ts", "package-lock.json"]) expect(hash).toContain(`"${glob}"`);
  });

  it("pushes with the deployer's Google token and deploys by digest", () => {
    const pushed = onlyResource(json, "docker_registry_image");
    expect(pushed.keep_remotely).toBe(true);
    const docker = json.provider?.docker?.[0];
    expect(docker.registry_auth[0]).toMatchObject({ address: "us-central1-docker.pkg.dev", username: "oauth2accesstoken" });
    expect(docker.registry_auth[0].password).toMatch(/data\.google_client_config\..*\.access_token/);
    expect(built.imageUri).toContain("@");
    expect(built.imageUri).not.toContain(":latest");
  });

  it("deploys a pinned prebuilt image without building anything", () => {
    let pinned!: AppImage;
    const { json } = synthStack((stack) => {
      pinned = new AppImage(stack, "image", { ...BASE, prebuiltUri: "us-docker.pkg.dev/acme/app/app@sha256:0123" });
    });
    expect(pinned.imageUri).toBe("us-docker.pkg.dev/acme/app/app@sha256:0123");
    expect(resourcesOf(json, "docker_image")).toEqual({});
    expect(json.provider?.docker).toBeUndefined();
  });
});
