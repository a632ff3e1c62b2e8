import { TerraformStack } from "./cdktf";

/**
 * A stack that never references resources of another stack (each environment here is
 * independent by design), synthesized once.
 *
 * - Before synthesizing, cdktf resolves every element of every stack once more in a "preparing"
 *   pass whose only job is to discover cross-stack references and wire them through remote state.
 *   Without such references the pass only costs time, so it is skipped. A test
 *   (stacks/standalone.test.ts) synthesizes every stack both ways and checks the output is
 *   identical; a cross-stack reference would also fail `terraform plan` as an undeclared resource.
 * - Once validations start, aspects have run and the stack is final: its JSON is computed once and
 *   shared by the validations (the policy pack reads it) and the synthesizer.
 */
export class StandaloneStack extends TerraformStack {
  private final = false;
  private synthesized?: ReturnType<TerraformStack["toTerraform"]>;

  override prepareStack(): void {
    this.ensureBackendExists();
  }

  override runAllValidations(): void {
    this.final = true;
    super.runAllValidations();
  }

  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    if (!this.final) return super.toTerraform();
    return (this.synthesized ??= super.toTerraform());
  }
}
