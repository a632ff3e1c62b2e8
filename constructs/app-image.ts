import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { Construct, Fn } from "../lib/cdktf";
import { imageSourceHash, PROJECT_ROOT_FROM_STACK } from "../lib/image-sources";

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
 * and Cloud Run rolls out a new revision whenever the sources change. The tag is a hash of the
 * sources computed by Terraform at plan time, which keeps synthesized stacks deterministic.
 */
export class AppImage extends Construct {
  readonly repository: ArtifactRegistryRepository;
  /** Image reference by digest, for Cloud Run. */
  readonly imageUri: string;
  /** Content hash of the image sources (plan-time expression), or the pinned image for prebuilt images. */
  readonly sourceHash: string;

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
      // Tags are content hashes, so a tag never needs to move.
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

    const repositoryPath = `${registryHost}/${this.repository.project}/${this.repository.repositoryId}/app`;
    const image = new Image(this, "image", {
      provider: docker,
      name: `${repositoryPath}:${Fn.substr(this.sourceHash, 0, 16)}`,
      buildAttribute: { context, dockerfile: props.build?.dockerfile ?? "app/Dockerfile", platform: "linux/amd64" },
      platform: "linux/amd64",
      triggers: { source_hash: this.sourceHash },
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, "pushed", {
      provider: docker,
      name: image.name,
      // Older revisions keep running from their digests; cleanup policies prune the repository.
      keepRemotely: true,
      triggers: { source_hash: this.sourceHash },
    });
    this.imageUri = `${repositoryPath}@${pushed.sha256Digest}`;
  }
}
