import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { describe, expect, it } from "vitest";
import { resourcesOf } from "../../test/support/synth";
import { FROM_BUCKET, one, PROD_DOMAINS, ref, synthEdge } from "../../test/support/edge";

describe("Edge static assets bucket (serveFrom = bucket)", () => {
  const { raw, json } = synthEdge({ staticAssets: FROM_BUCKET });
  const bucket = one(json, "google_storage_bucket");

  it("uses uniform bucket-level access and versioning, expires replaced versions and carries labels", () => {
    expect(bucket).toMatchObject({
      name: "acme-test-1-vz-test-static",
      location: "US-CENTRAL1",
      storage_class: "STANDARD",
      uniform_bucket_level_access: true,
      versioning: { enabled: true },
      lifecycle_rule: [{ condition: { days_since_noncurrent_time: 30 }, action: { type: "Delete" } }],
      force_destroy: false,
      labels: { env: "test" },
    });
  });

  it("is readable by anyone by object name (the load balancer reads anonymously) but not listable", () => {
    expect(bucket.public_access_prevention).toBe("inherited");
    const grants = Object.values(resourcesOf(json, "google_storage_bucket_iam_member"));
    expect(grants).toEqual([{ bucket: ref("google_storage_bucket", "static-bucket", "name"), role: "roles/storage.legacyObjectReader", member: "allUsers" }]);
  });

  it("warns at synth that organisations created since May 2024 refuse the allUsers grant, naming both policies to except", () => {
    const { warnings } = synthEdge({ domains: PROD_DOMAINS, staticAssets: FROM_BUCKET });
    expect(warnings).toEqual([
      expect.stringMatching(/^Edge: edge\.staticAssets\.serveFrom = "bucket" grants allUsers read on the static bucket\./),
    ]);
    expect(warnings[0]).toContain("constraints/storage.publicAccessPrevention");
    expect(warnings[0]).toContain("constraints/iam.allowedPolicyMemberDomains");
    expect(warnings[0]).toContain('serveFrom = "api"');
    // The default needs no exception, so it says nothing.
    expect(synthEdge({ domains: PROD_DOMAINS }).warnings).toEqual([]);
  });

  it("follows its settings", () => {
    const custom = synthEdge({ staticAssets: { ...FROM_BUCKET, bucketName: "valorize-assets-dev", location: "US", forceDestroy: true, noncurrentVersionRetentionDays: 7 } });
    expect(custom.raw).toHaveResourceWithProperties(StorageBucket, { name: "valorize-assets-dev", location: "US", force_destroy: true });
    expect(one(custom.json, "google_storage_bucket").lifecycle_rule[0].condition.days_since_noncurrent_time).toBe(7);
    expect(raw).toHaveResourceWithProperties(StorageBucket, { website: { main_page_suffix: "index.html" } });
  });
});
