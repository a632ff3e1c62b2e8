/**
 * The static site from a Cloud Storage bucket (`staticAssets.serveFrom: "bucket"`): a bucket with
 * uniform access and versioning that is *publicly readable* on purpose, behind a backend bucket
 * with Cloud CDN.
 *
 * A backend bucket fetches objects anonymously (without signed URLs there is no identity to grant),
 * so public access prevention stays `inherited` and `allUsers` gets `storage.legacyObjectReader`
 * (read an object by name; no listing). Put only public build artifacts in it. Organisations
 * created on or after 3 May 2024 enforce `storage.publicAccessPrevention` and
 * `iam.allowedPolicyMemberDomains` by default, which refuse that grant at apply
 * (https://cloud.google.com/resource-manager/docs/secure-by-default-organizations): synth warns
 * with the exceptions the project needs. The default, `serveFrom: "api"`, needs none of this.
 */
import { ComputeBackendBucket } from "@cdktf/provider-google/lib/compute-backend-bucket";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { Annotations, type Construct } from "../../lib/cdktf";
import { staticCdnPolicy } from "./cdn";
import type { ResolvedStaticSite } from "./options";

export interface StaticBucketSiteProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly site: ResolvedStaticSite;
  /** The backend bucket's name. */
  readonly backendName: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Response headers the edge adds. */
  readonly headers?: string[];
  /** The edge policy with the deny list (backend buckets take no backend policy, so no WAF here). */
  readonly edgeSecurityPolicy?: string;
}

export interface StaticBucketSite {
  readonly bucket: StorageBucket;
  readonly backend: ComputeBackendBucket;
}

/** Creates the bucket, its public read grant and the backend bucket in `scope` (the Edge). */
export function staticBucketSite(scope: Construct, props: StaticBucketSiteProps): StaticBucketSite {
  const { project, site } = props;
  const bucket = new StorageBucket(scope, "static-bucket", {
    project,
    name: site.bucketName ?? `${project}-${props.namePrefix}-static`,
    location: (site.location ?? props.region).toUpperCase(),
    storageClass: "STANDARD",
    uniformBucketLevelAccess: true,
    // Served to anonymous clients through the load balancer, see the module comment.
    publicAccessPrevention: "inherited",
    versioning: { enabled: true },
    lifecycleRule: [{ condition: { daysSinceNoncurrentTime: site.noncurrentVersionRetentionDays }, action: { type: "Delete" } }],
    website: { mainPageSuffix: "index.html" },
    forceDestroy: site.forceDestroy,
    labels: props.labels ? { ...props.labels } : undefined,
  });
  new StorageBucketIamMember(scope, "static-public-read", { bucket: bucket.name, role: "roles/storage.legacyObjectReader", member: "allUsers" });
  Annotations.of(scope).addWarning(
    'Edge: edge.staticAssets.serveFrom = "bucket" grants allUsers read on the static bucket. Organisations created on or after 3 May 2024 ' +
      "enforce the organisation policies constraints/storage.publicAccessPrevention and constraints/iam.allowedPolicyMemberDomains by default, " +
      "and the apply then fails: have an organisation policy administrator except this project from both " +
      "(https://cloud.google.com/resource-manager/docs/secure-by-default-organizations), or serve the static site from the api (serveFrom = \"api\").",
  );
  const backend = new ComputeBackendBucket(scope, "static-backend", {
    project,
    name: props.backendName,
    description: "Static assets from Cloud Storage, cached by Cloud CDN.",
    bucketName: bucket.name,
    enableCdn: true,
    cdnPolicy: staticCdnPolicy(site),
    compressionMode: "AUTOMATIC",
    customResponseHeaders: props.headers,
    edgeSecurityPolicy: props.edgeSecurityPolicy,
  });
  return { bucket, backend };
}
