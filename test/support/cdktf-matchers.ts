/**
 * Vitest matchers for synthesized cdktf stacks, registered once for every test file.
 *
 * cdktf ships matchers only for Jest (`Testing.setupJest`). Its framework-neutral
 * `testingMatchers` take a "pass evaluation" callback; we give them Vitest's asymmetric matchers so
 * nested partial matching works like the Jest adapter. Synthesized JSON is raw Terraform, so
 * property keys are snake_case.
 */
import { expect } from "vitest";
import { testingMatchers } from "../../lib/cdktf";

interface TerraformConstructor {
  readonly tfResourceType: string;
}

function vitestPassEvaluation(items: unknown[], assertedProperties: Record<string, unknown>): boolean {
  if (Object.keys(assertedProperties).length === 0) return items.length > 0;
  return expect.arrayContaining([expect.objectContaining(assertedProperties)]).asymmetricMatch(items);
}

function toVitest(result: testingMatchers.AssertionReturn) {
  return { pass: result.pass, message: () => result.message };
}

const resourceMatcher = testingMatchers.getToHaveResourceWithProperties(vitestPassEvaluation);
const dataSourceMatcher = testingMatchers.getToHaveDataSourceWithProperties(vitestPassEvaluation);
const providerMatcher = testingMatchers.getToHaveProviderWithProperties(vitestPassEvaluation);

expect.extend({
  toHaveResource(received: string, type: TerraformConstructor) {
    return toVitest(resourceMatcher(received, type, {}));
  },
  toHaveResourceWithProperties(received: string, type: TerraformConstructor, properties: Record<string, unknown>) {
    return toVitest(resourceMatcher(received, type, properties));
  },
  toHaveDataSource(received: string, type: TerraformConstructor) {
    return toVitest(dataSourceMatcher(received, type, {}));
  },
  toHaveDataSourceWithProperties(received: string, type: TerraformConstructor, properties: Record<string, unknown>) {
    return toVitest(dataSourceMatcher(received, type, properties));
  },
  toHaveProvider(received: string, type: TerraformConstructor) {
    return toVitest(providerMatcher(received, type, {}));
  },
  toHaveProviderWithProperties(received: string, type: TerraformConstructor, properties: Record<string, unknown>) {
    return toVitest(providerMatcher(received, type, properties));
  },
});

interface CdktfMatchers<R = unknown> {
  toHaveResource(type: TerraformConstructor): R;
  toHaveResourceWithProperties(type: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveDataSource(type: TerraformConstructor): R;
  toHaveDataSourceWithProperties(type: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveProvider(type: TerraformConstructor): R;
  toHaveProviderWithProperties(type: TerraformConstructor, properties: Record<string, unknown>): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends CdktfMatchers<T> {}
}
