/**
 * The app image's build inputs, shared by the cloud (AppImage) and local (Docker) stacks.
 */
import { Construct, TerraformLocal } from "./cdktf";

/**
 * Where `terraform` runs relative to the repository: cdktf writes each stack to
 * `cdktf.out/stacks/<name>/`, so the project root is three levels up from `path.module`.
 */
export const PROJECT_ROOT_FROM_STACK = "${path.module}/../../..";

/** Files whose content decides the image: a change to any of them builds and ships a new image. */
export const DEFAULT_IMAGE_SOURCES = [
  "app/**/*.ts",
  "app/migrations/**",
  // The web dashboard the image serves (its HTML and CSS are not TypeScript).
  "app/web/**",
  "app/Dockerfile",
  "environments/*.ts",
  "package.json",
  "package-lock.json",
] as const;

/**
 * A content hash of the image sources, computed by Terraform at plan time (so synthesized stacks
 * stay deterministic and the hash follows the working tree Terraform runs against).
 */
export function imageSourceHash(scope: Construct, id: string, context: string = PROJECT_ROOT_FROM_STACK, sources: readonly string[] = DEFAULT_IMAGE_SOURCES): string {
  const filesets = sources.map((glob) => `fileset("${context}", "${glob}")`).join(", ");
  return new TerraformLocal(scope, id, `\${sha1(join("", [for f in sort(tolist(setunion(${filesets}))) : filesha1("${context}/\${f}")]))}`).asString;
}
