/**
 * Small helpers shared by the Google Cloud constructs: naming rules and IAM member strings.
 * Pure functions, no resources.
 */

/** `serviceAccount:<email>`, the IAM member form of a service account. */
export function serviceAccountMember(email: string): string {
  return `serviceAccount:${email}`;
}

/**
 * A service account id (6-30 characters, lowercase letters, digits, hyphens) for a component,
 * failing loudly at synth instead of at apply when a prefix makes it too long.
 */
export function serviceAccountId(namePrefix: string, component: string): string {
  const id = `${namePrefix}-${component}`;
  if (!/^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/.test(id)) {
    throw new Error(`Service account id "${id}" (namePrefix "${namePrefix}" + "-${component}") must be 6-30 characters of lowercase letters, digits and hyphens; shorten namePrefix.`);
  }
  return id;
}

/**
 * A Cloud Run / Cloud SQL style resource name: lowercase letters, digits and hyphens, starting with
 * a letter, at most `maxLength` characters.
 */
export function resourceName(namePrefix: string, component: string, maxLength = 49): string {
  const name = `${namePrefix}-${component}`;
  if (name.length > maxLength || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(name)) {
    throw new Error(`Resource name "${name}" must be at most ${maxLength} characters of lowercase letters, digits and hyphens; shorten namePrefix.`);
  }
  return name;
}

/**
 * Who an IAM grant is for (aws-cdk's IGrantable idea): constructs' `grantXxx` methods take one, so
 * callers pass the identity itself instead of a member string and an id. A RuntimeIdentity is one;
 * so is `{ member: "group:ops@example.org" }`.
 */
export interface IGrantee {
  /** The IAM member: `serviceAccount:<email>`, `group:<email>`, `user:<email>`, `allUsers`... */
  readonly member: string;
  /**
   * Names the grant resources made for this grantee (e.g. `invoker-<grantId>`), so their construct
   * ids, and so their Terraform addresses, are stable. @default derived from `member` (its letters
   * and digits); required when `member` is only known at apply
   */
  readonly grantId?: string;
}

/** A service account as a grantee, where the account itself matters (e.g. its Cloud SQL IAM user). */
export interface IServiceAccountGrantee extends IGrantee {
  readonly email: string;
  readonly grantId: string;
}

/** The id a grantee's grant resources are named with (see `IGrantee.grantId`). */
export function grantIdOf(grantee: IGrantee): string {
  if (grantee.grantId !== undefined) return grantee.grantId;
  // cdktf renders values known only at apply as `${TfToken[...]}`: no stable name can come from them.
  if (grantee.member.includes("${")) {
    throw new Error("A grantee whose member is only known at apply needs a grantId to name its grants (e.g. a RuntimeIdentity, or { member, grantId }).");
  }
  return grantee.member.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** The Cloud SQL instance of an environment (constructs/database.ts names it; operators and the resilience experiment act on it). */
export function cloudSqlInstanceName(namePrefix: string): string {
  return `${namePrefix}-pg`;
}

/** The Memorystore instance of an environment (constructs/cache.ts). */
export function redisInstanceName(namePrefix: string): string {
  return `${namePrefix}-redis`;
}
