/** Helpers to synthesize constructs and stacks in tests and read the JSON back. */
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { loadEnvironment, type CloudEnvironmentName, type EnvironmentConfig, type ExternalSettings } from "../../environments";
import { Testing, TerraformStack, type Construct } from "../../lib/cdktf";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { withDeploySettings } from "./fixtures";

export interface SynthesizedJson {
  resource: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, { value: unknown; description?: string }>;
  variable?: Record<string, any>;
  provider?: Record<string, any[]>;
  terraform?: Record<string, any>;
  locals?: Record<string, unknown>;
}

export interface Synthesized {
  /** Raw JSON string, what cdktf's matchers take. */
  readonly raw: string;
  readonly json: SynthesizedJson;
}

function parse(raw: string): Synthesized {
  return { raw, json: JSON.parse(raw) as SynthesizedJson };
}

/**
 * Synthesizes whatever `build` adds to a fresh stack with a Google provider. Validations run, as
 * in `cdktf synth`, so a construct's validation error throws here.
 */
export function synthStack(build: (stack: TerraformStack) => void): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new GoogleProvider(stack, "google", { project: "acme-test-1", region: "us-central1" });
  build(stack);
  return parse(Testing.synth(stack, true));
}

/**
 * An environment's config, loaded without the caller's environment variables leaking in, with the
 * deploy settings a team gives staging and prod (test/support/fixtures.ts) unless overridden.
 */
export function testEnvironment(name: CloudEnvironmentName, external: ExternalSettings = {}): EnvironmentConfig {
  return loadEnvironment(name, { ...external, env: withDeploySettings(name, external.env) });
}

export function synthEnvironment(config: EnvironmentConfig): Synthesized & { stack: EnvironmentStack } {
  const app = Testing.app();
  const stack = new EnvironmentStack(app, config.name, { config });
  return { ...parse(Testing.synth(stack, true)), stack };
}

/** All resources of one Terraform type, keyed by logical id. */
export function resourcesOf(json: SynthesizedJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

/** The single resource of a type (fails the test when there are none or several). */
export function onlyResource(json: SynthesizedJson, type: string): any {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Resources of a type whose logical id (derived from the construct path) contains `fragment`. */
export function resourcesAt(json: SynthesizedJson, type: string, fragment: string): any[] {
  return Object.entries(resourcesOf(json, type))
    .filter(([logicalId]) => logicalId.includes(fragment))
    .map(([, resource]) => resource);
}

export type { Construct };

/** The Cloud Run service of an app role (api, realtime, worker) in a synthesized environment. */
export function serviceNamed(json: SynthesizedJson, role: string): any {
  return Object.values(resourcesOf(json, "google_cloud_run_v2_service")).find((s: any) => s.name.endsWith(`-${role}`));
}

/** A Cloud Run service's first container's variables: name -> value, or the value_source of a secret. */
export function envOf(service: any): Record<string, any> {
  return Object.fromEntries(service.template.containers[0].env.map((e: any) => [e.name, e.value ?? e.value_source]));
}
