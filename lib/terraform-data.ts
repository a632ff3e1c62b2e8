import { Construct, TerraformResource, type ITerraformDependable } from "./cdktf";

export interface TerraformDataProps {
  /** Terraform replaces the resource, and so draws a new `id`, whenever any of these values changes. */
  readonly triggersReplace?: readonly string[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Terraform's built-in `terraform_data` resource (no provider to install): a dependency gate, or
 * an id that changes exactly when its triggers do.
 *
 * Its `id` is a random UUID drawn when the resource is created, so also on every replacement
 * (Terraform's `terraform_data` docs: "id: A string value unique to the resource instance";
 * hashicorp/terraform internal/builtin/providers/terraform/resource_data.go generates it with
 * go-uuid at apply). It is known at plan only while the triggers stay the same.
 *
 * cdktf's own `DataResource` runs `terraform version` at synth to check for Terraform >= 1.4,
 * which costs a process spawn per stack and fails synth on machines without Terraform (CI only
 * synthesizes). The stacks declare `required_version` instead, which Terraform enforces itself.
 */
export class TerraformData extends TerraformResource {
  private readonly triggers?: readonly string[];

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      dependsOn: props.dependsOn,
    });
    this.triggers = props.triggersReplace;
  }

  /** A UUID, new each time the triggers change (known after apply then). */
  get id(): string {
    return this.getStringAttribute("id");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.triggers ? { triggers_replace: [...this.triggers] } : {};
  }
}
