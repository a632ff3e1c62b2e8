/**
 * Container settings shared by Cloud Run services and jobs, as plain data builders. The inputs are
 * structural (what a secret or a network exposes), so lib/ stays below constructs/.
 */

/** Port the app listens on (Cloud Run passes it as PORT). */
export const CONTAINER_PORT = 8080;

export interface ContainerEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueSource?: { readonly secretKeyRef: { readonly secret: string; readonly version: string } };
}

/** A Secret Manager secret and the version to pin (constructs/secrets.ts ManagedSecret has both). */
export interface SecretVersionRef {
  readonly secret: { readonly secretId: string };
  readonly version: { readonly version: string };
}

/** The VPC and subnet direct VPC egress attaches to (constructs/network.ts Network has both). */
export interface EgressNetwork {
  readonly network: { readonly id: string };
  readonly subnet: { readonly id: string };
}

/**
 * Plain values plus secret references. Secrets are pinned to the version Terraform wrote, so a
 * rotation rolls out as a new revision instead of drifting into running instances.
 */
export function containerEnv(
  env: Readonly<Record<string, string>>,
  secretEnv: Readonly<Record<string, SecretVersionRef>>,
): ContainerEnvVar[] {
  const plain = Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  const secret = Object.entries(secretEnv)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({ name, valueSource: { secretKeyRef: { secret: s.secret.secretId, version: s.version.version } } }));
  const duplicate = plain.find((p) => secretEnv[p.name]);
  if (duplicate) throw new Error(`Environment variable ${duplicate.name} is given both as a value and as a secret`);
  return [...plain, ...secret];
}

/**
 * Direct VPC egress into the platform subnet, private ranges only: traffic to Cloud SQL and
 * Memorystore stays inside the VPC while public Google APIs keep their default path.
 */
export function directVpcEgress(network: EgressNetwork, tag: string) {
  return {
    networkInterfaces: [{ network: network.network.id, subnetwork: network.subnet.id, tags: [tag] }],
    egress: "PRIVATE_RANGES_ONLY",
  };
}
