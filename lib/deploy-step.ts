import { Construct, TerraformResource, type ITerraformDependable } from "./cdktf";

export interface DeployStepProps {
  /** The step runs again whenever any of these values changes. */
  readonly triggers: readonly string[];
  /** Shell command run on the machine running Terraform. */
  readonly command: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A command run during `terraform apply` when its triggers change: Terraform's built-in
 * `terraform_data` resource with a `local-exec` provisioner.
 *
 * cdktf's own `DataResource` runs `terraform version` at synth to check for Terraform >= 1.4,
 * which costs a process spawn per stack and fails synth on machines without Terraform (CI only
 * synthesizes). The stacks declare `required_version` instead, which Terraform enforces itself.
 */
export class DeployStep extends TerraformResource {
  private readonly triggers: readonly string[];

  constructor(scope: Construct, id: string, props: DeployStepProps) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      dependsOn: props.dependsOn,
      provisioners: [{ type: "local-exec", command: props.command }],
    });
    this.triggers = props.triggers;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: [...this.triggers] };
  }
}
