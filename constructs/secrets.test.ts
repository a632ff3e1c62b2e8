import { describe, expect, it } from "vitest";
import { BASE } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { Secrets } from "./secrets";

describe("Secrets", () => {
  it("stores a resource attribute as a version and replicates automatically by default", () => {
    const { json } = synthStack((stack) => new Secrets(stack, "secrets", BASE).add("api-key", { kind: "resource", data: "value-from-a-resource" }));
    expect(onlyResource(json, "google_secret_manager_secret")).toMatchObject({ secret_id: "vz-test-api-key", replication: { auto: {} } });
    expect(onlyResource(json, "google_secret_manager_secret_version").secret_data).toBe("value-from-a-resource");
  });

  it("takes operator values from a sensitive variable and writes them write-only (never in state)", () => {
    const { json } = synthStack((stack) => new Secrets(stack, "secrets", BASE).add("signing-key", { kind: "operator", description: "Signs things.", minLength: 40 }));
    const version = onlyResource(json, "google_secret_manager_secret_version");
    expect(version.secret_data).toBeUndefined();
    expect(version.secret_data_wo).toBe("${var.signing_key}");
    expect(version.secret_data_wo_version).toBe("${var.signing_key_version}");
    expect(json.variable?.signing_key).toMatchObject({ sensitive: true, nullable: false, type: "string" });
    expect(json.variable?.signing_key.validation[0].condition).toBe("${length(var.signing_key) >= 40}");
    expect(json.variable?.signing_key_version).toMatchObject({ type: "number", default: 1 });
  });

  it("grants read access per secret and per reader, once", () => {
    const { json } = synthStack((stack) => {
      const secrets = new Secrets(stack, "secrets", BASE);
      const a = secrets.add("a", { kind: "resource", data: "x" });
      secrets.add("b", { kind: "resource", data: "y" });
      const first = a.grantRead({ member: "serviceAccount:api@p.iam.gserviceaccount.com" });
      expect(a.grantRead({ member: "serviceAccount:api@p.iam.gserviceaccount.com" })).toBe(first);
    });
    const grants = Object.values(resourcesOf(json, "google_secret_manager_secret_iam_member"));
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ role: "roles/secretmanager.secretAccessor", member: "serviceAccount:api@p.iam.gserviceaccount.com" });
    expect((grants[0] as any).secret_id).toMatch(/secrets_a_secret/);
  });

  it("replicates to chosen regions when asked, and refuses duplicate ids", () => {
    const { json } = synthStack((stack) => {
      const secrets = new Secrets(stack, "secrets", { ...BASE, replicaRegions: ["europe-west1", "europe-west4"] });
      secrets.add("a", { kind: "resource", data: "x" });
      expect(() => secrets.add("a", { kind: "resource", data: "y" })).toThrow(/defined twice/);
      expect(() => secrets.get("missing")).toThrow(/Unknown secret "missing"; defined: a/);
    });
    expect(onlyResource(json, "google_secret_manager_secret").replication).toEqual({
      user_managed: { replicas: [{ location: "europe-west1" }, { location: "europe-west4" }] },
    });
  });
});
