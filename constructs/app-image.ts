import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { Construct, Fn } from "../lib/cdktf";
import { imageSourceHash, PROJECT_ROOT_FROM_STACK } from "../lib/image-sources";
import { TerraformData } from "../lib/terraform-data";

export interface AppImageBuild {
  /** Build context, as a Terraform path expression. @default PROJECT_ROOT_FROM_STACK (lib/image-sources.ts) */
  readonly context?: string;
  /** Dockerfile, relative to the context. @default "app/Dockerfile" */
  readonly dockerfile?: string;
  /** Globs (relative to the context) hashed into the image tag. @default DEFAULT_IMAGE_SOURCES (lib/image-sources.ts) */
  readonly sources?: readonly string[];
}

export interface AppImageProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /**
   * Deploy this image instead of building one. Pin by digest (`...@sha256:...`) so a deploy is
   * reproducible. @default build from `app/` during deploy
   */
  readonly prebuiltUri?: string;
  readonly build?: AppImageBuild;
  /** Image versions kept in the repository besides those younger than 30 days. @default 20 */
  readonly keepVersions?: number;
}

/**
 * The app image: an Artifact Registry repository and, unless a prebuilt image is pinned, the image
 * built from the sources and pushed during `cdktf deploy` with the Docker provider (registry auth
 * from the deployer's Google access token).
 *
 * `imageUri` references the pushed image by digest, so every deploy ships exactly what was built
 * and Cloud Run rolls out a new revision whenever the sources change.
 *
 * The tag is `<source hash>-<build id>`. The repository has immutable tags: Artifact Registry
 * "prevents all tags from being modified, moved or deleted" (DockerRepositoryConfig.immutable_tags,
 * https://cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories#dockerrepositoryconfig;
 * https://cloud.google.com/artifact-registry/docs/docker/manage-images). A tag of the source hash
 * alone collides on a rollback: deploying earlier sources again rebuilds them, and unless the
 * rebuild is byte-identical (Docker builds are not: timestamps, base image updates) the push of an
 * existing tag to a new digest is refused and the apply fails. The build id is a `terraform_data`
 * id that Terraform draws anew whenever the source hash changes, so every build, rollbacks
 * included, pushes a tag nobody pushed before, while an unchanged tree keeps its tag and pushes
 * nothing. Both parts are computed by Terraform, so synth stays deterministic (no timestamps).
 */
export class AppImage extends Construct {
  readonly repository: ArtifactRegistryRepository;
  /** Image reference by digest, for Cloud Run. */
  readonly imageUri: string;
  /** Content hash of the image sources (plan-time expression), or the pinned image for prebuilt images. */
  readonly sourceHash: string;
  /** Drawn anew whenever the source hash changes; part of the tag. Undefined for prebuilt images. */
  readonly buildId?: TerraformData;
  /** The tag pushed (Terraform expression). Undefined for prebuilt images. */
  readonly tag?: string;

  constructor(scope: Construct, id: string, props: AppImageProps) {
    super(scope, id);
    const registryHost = `${props.region}-docker.pkg.dev`;

    this.repository = new ArtifactRegistryRepository(this, "repository", {
      project: props.project,
      location: props.region,
      repositoryId: `${props.namePrefix}-images`,
      description: "Images of the valorize app (api, worker, realtime, migrate roles).",
      format: "DOCKER",
      mode: "STANDARD_REPOSITORY",
      // Every build pushes a tag of its own (source hash + build id), so a tag never needs to move.
      dockerConfig: { immutableTags: true },
      vulnerabilityScanningConfig: { enablementConfig: "INHERITED" },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: props.keepVersions ?? 20 } },
        { id: "delete-old", action: "DELETE", condition: { tagState: "ANY", olderThan: "2592000s" } },
      ],
    });

    if (props.prebuiltUri) {
      this.imageUri = props.prebuiltUri;
      this.sourceHash = props.prebuiltUri;
      return;
    }

    const context = props.build?.context ?? PROJECT_ROOT_FROM_STACK;
    this.sourceHash = imageSourceHash(this, "source-hash", context, props.build?.sources);

    const token = new DataGoogleClientConfig(this, "deployer");
    const docker = new DockerProvider(this, "docker", {
      alias: `${id}-registry`.replace(/[^a-zA-Z0-9_-]/g, "-"),
      registryAuth: [{ address: registryHost, username: "oauth2accesstoken", password: token.accessToken }],
    });

    this.buildId = new TerraformData(this, "build-id", { triggersReplace: [this.sourceHash] });
    this.tag = `${Fn.substr(this.sourceHash, 0, 12)}-${Fn.substr(Fn.replace(this.buildId.id, "-", ""), 0, 12)}`;
    const triggers = { source_hash: this.sourceHash, build_id: this.buildId.id };

    const repositoryPath = `${registryHost}/${this.repository.project}/${this.repository.repositoryId}/app`;
    const image = new Image(this, "image", {
      provider: docker,
      name: `${repositoryPath}:${this.tag}`,
      buildAttribute: { context, dockerfile: props.build?.dockerfile ?? "app/Dockerfile", platform: "linux/amd64" },
      platform: "linux/amd64",
      triggers,
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, "pushed", {
      provider: docker,
      name: image.name,
      // Older revisions keep running from their digests; cleanup policies prune the repository.
      keepRemotely: true,
      triggers,
    });
    this.imageUri = `${repositoryPath}@${pushed.sha256Digest}`;
  }
}
