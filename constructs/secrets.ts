import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { SecretManagerSecretVersion } from "@cdktf/provider-google/lib/secret-manager-secret-version";
import { Construct, TerraformVariable } from "../lib/cdktf";
import { grantIdOf, type IGrantee } from "../lib/google";

/** Where a secret's value comes from. */
export type SecretSource =
  /**
   * An attribute of another resource (e.g. Memorystore's AUTH string). The value is in Terraform
   * state already, so storing it in a version adds no exposure.
   */
  | { readonly kind: "resource"; readonly data: string }
  /**
   * Supplied by the operator through a sensitive Terraform variable (`TF_VAR_<name>`), written
   * with Secret Manager's write-only argument so it never lands in state (Terraform >= 1.11).
   * Bump `<name>_version` to rotate.
   */
  | { readonly kind: "operator"; readonly description: string; readonly minLength?: number };

export interface SecretsProps {
  readonly project: string;
  readonly namePrefix: string;
  /**
   * Regions to replicate secrets to (data residency). Omit for automatic replication, which
   * Google manages across regions. @default automatic
   */
  readonly replicaRegions?: readonly string[];
}

/** One secret and its current version, with read grants given per service account. */
export class ManagedSecret extends Construct {
  readonly secret: SecretManagerSecret;
  readonly version: SecretManagerSecretVersion;
  /** The secret id (`projects/.../secrets/<id>` is `secret.id`). */
  readonly secretId: string;
  /** For operator-supplied secrets: the Terraform variable carrying the value. */
  readonly variable?: TerraformVariable;
  /** For operator-supplied secrets: the version number of the value (bump to rotate). */
  readonly valueVersion?: number;
  private readonly readers = new Map<string, SecretManagerSecretIamMember>();

  constructor(scope: Construct, id: string, props: SecretsProps & { readonly source: SecretSource }) {
    super(scope, id);
    this.secretId = `${props.namePrefix}-${id}`;
    this.secret = new SecretManagerSecret(this, "secret", {
      project: props.project,
      secretId: this.secretId,
      replication: props.replicaRegions?.length
        ? { userManaged: { replicas: props.replicaRegions.map((location) => ({ location })) } }
        : { auto: {} },
    });

    if (props.source.kind === "resource") {
      this.version = new SecretManagerSecretVersion(this, "version", {
        secret: this.secret.id,
        secretData: props.source.data,
      });
    } else {
      const variableName = id.replace(/-/g, "_");
      this.variable = new TerraformVariable(this, "value", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `${props.source.description} Supply as TF_VAR_${variableName}; never committed.`,
        validation: [
          {
            condition: `\${length(var.${variableName}) >= ${props.source.minLength ?? 32}}`,
            errorMessage: `${variableName} must be at least ${props.source.minLength ?? 32} characters.`,
          },
        ],
      });
      this.variable.overrideLogicalId(variableName);
      const versionVariable = new TerraformVariable(this, "value-version", {
        type: "number",
        default: 1,
        description: `Increase to write a new value of ${variableName} into Secret Manager.`,
      });
      versionVariable.overrideLogicalId(`${variableName}_version`);
      this.version = new SecretManagerSecretVersion(this, "version", {
        secret: this.secret.id,
        secretDataWo: this.variable.stringValue,
        secretDataWoVersion: versionVariable.numberValue,
      });
      this.valueVersion = versionVariable.numberValue;
    }
  }

  /** Lets one grantee read this secret, and nothing else. Idempotent per grantee. */
  grantRead(grantee: IGrantee): SecretManagerSecretIamMember {
    const readerId = grantIdOf(grantee);
    const existing = this.readers.get(readerId);
    if (existing) return existing;
    const grant = new SecretManagerSecretIamMember(this, `reader-${readerId}`, {
      project: this.secret.project,
      secretId: this.secret.secretId,
      role: "roles/secretmanager.secretAccessor",
      member: grantee.member,
    });
    this.readers.set(readerId, grant);
    return grant;
  }
}

/**
 * The Secret Manager secrets the app needs. Each secret is its own resource with its own IAM
 * policy: services get `secretAccessor` on exactly the secrets they read, never project-wide.
 */
export class Secrets extends Construct {
  private readonly props: SecretsProps;
  private readonly byId = new Map<string, ManagedSecret>();

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    this.props = props;
  }

  add(id: string, source: SecretSource): ManagedSecret {
    if (this.byId.has(id)) throw new Error(`Secret "${id}" is defined twice`);
    const secret = new ManagedSecret(this, id, { ...this.props, source });
    this.byId.set(id, secret);
    return secret;
  }

  get(id: string): ManagedSecret {
    const secret = this.byId.get(id);
    if (!secret) throw new Error(`Unknown secret "${id}"; defined: ${[...this.byId.keys()].join(", ")}`);
    return secret;
  }
}
