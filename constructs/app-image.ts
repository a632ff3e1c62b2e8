import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { Construct, Fn, TerraformLocal } from "../lib/cdktf";

/**
 * Where `terraform` runs relative to the repository: cdktf writes each stack to
 * `cdktf.out/stacks/<name>/`, so the project root is three levels up from `path.module`.
 */
export const PROJECT_ROOT_FROM_STACK = "${path.module}/../../..";

/** Files whose content decides the image: a change to any of them builds and ships a new image. */
export const DEFAULT_IMAGE_SOURCES = [
  "app/**/*.ts",
  "app/migrations/**",
  "app/Dockerfile",
  "environments/*.ts",
  "package.json",
  "package-lock.json",
] as const;

export interface AppImageBuild {
  /** Build context, as a Terraform path expression. @default PROJECT_ROOT_FROM_STACK */
  readonly context?: string;
  /** Dockerfile, relative to the context. @default "app/Dockerfile" */
  readonly dockerfile?: string;
  /** Globs (relative to the context) hashed into the image tag. @default DEFAULT_IMAGE_SOURCES */
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
    const sources = props.build?.sources ?? DEFAULT_IMAGE_SOURCES;
    const filesets = sources.map((glob) => `fileset("${context}", "${glob}")`).join(", ");
    const hash = new TerraformLocal(
      this,
      "source-hash",
      `\${sha1(join("", [for f in sort(tolist(setunion(${filesets}))) : filesha1("${context}/\${f}")]))}`,
    );
    this.sourceHash = hash.asString;

    const token = new DataGoogleClientConfig(this, "deployer");
    const docker = new DockerProvider(this, "docker", {
      alias: `${id}-registry`.replace(/[^a-zA-Z0-9_-]/g, "-"),
      registryAuth: [{ address: registryHost, username: "oauth2accesstoken", password: token.accessToken }],
    });

    const repositoryPath = `${registryHost}/${this.repository.project}/${this.repository.repositoryId}/app`;
    const image = new Image(this, "image", {
      provider: docker,
      name: `${repositoryPath}:${Fn.substr(hash.asString, 0, 16)}`,
      buildAttribute: { context, dockerfile: props.build?.dockerfile ?? "app/Dockerfile", platform: "linux/amd64" },
      platform: "linux/amd64",
      triggers: { source_hash: hash.asString },
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, "pushed", {
      provider: docker,
      name: image.name,
      // Older revisions keep running from their digests; cleanup policies prune the repository.
      keepRemotely: true,
      triggers: { source_hash: hash.asString },
    });
    this.imageUri = `${repositoryPath}@${pushed.sha256Digest}`;
  }
}
