import { TerraformStack } from "./cdktf";

/**
 * A stack that never references resources of another stack (each environment here is
 * independent by design).
 *
 * Before synthesizing, cdktf resolves every element of every stack once more in a "preparing"
 * pass whose only job is to discover cross-stack references and wire them through remote state.
 * Without such references the pass only costs time (a third of synth here), so it is skipped.
 * A test (stacks/standalone.test.ts) synthesizes every stack both ways and checks the output is
 * identical; a cross-stack reference would also fail `terraform plan` as an undeclared resource.
 */
export class StandaloneStack extends TerraformStack {
  override prepareStack(): void {
    this.ensureBackendExists();
  }
}
