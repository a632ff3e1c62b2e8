/**
 * Reads a stack's resources, data sources and providers as policy data, cheaply.
 *
 * `stack.toTerraform()` would give the same data but resolves every value of every element
 * (~30 ms per environment stack, most of it on `depends_on` lists and literal values). Here each
 * element's unresolved attributes are walked and only the values that are tokens go through the
 * resolver, so a stack costs a few milliseconds; `policies/collect.test.ts` checks the result
 * equals the full synthesis for every environment stack.
 */
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Token,
  Tokenization,
  type IConstruct,
} from "../lib/cdktf";
import { ResourceIndex, type Config, type SynthesizedProvider, type SynthesizedResource } from "./model";

export interface CollectedStack {
  readonly resources: ResourceIndex;
  /** The construct behind each resource address, to attach annotations to. */
  readonly constructs: ReadonlyMap<string, IConstruct>;
}

/** Arguments rules never need; skipping them is most of the saving. */
const SKIPPED_KEYS = new Set(["//", "depends_on"]);

export function collectStackResources(stack: TerraformStack): CollectedStack {
  const resolver = new DefaultTokenResolver(new StringConcat());
  const resolveValue = (value: unknown): unknown => {
    if (value === undefined) return undefined;
    if (Token.isUnresolved(value)) return Tokenization.resolve(value, { scope: stack, preparing: false, resolver });
    if (Array.isArray(value)) return value.map(resolveValue).filter((item) => item !== undefined);
    if (value !== null && typeof value === "object") {
      const resolved: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (SKIPPED_KEYS.has(key)) continue;
        const v = resolveValue(item);
        if (v !== undefined) resolved[key] = v;
      }
      return resolved;
    }
    return value;
  };

  const resources: SynthesizedResource[] = [];
  const dataSources: SynthesizedResource[] = [];
  const providers: SynthesizedProvider[] = [];
  const constructs = new Map<string, IConstruct>();

  for (const node of stack.node.findAll()) {
    if (TerraformResource.isTerraformResource(node)) {
      if (TerraformStack.of(node) !== stack) continue;
      const block = node.toTerraform().resource?.[node.terraformResourceType]?.[node.friendlyUniqueId];
      // A resource moved to another address synthesizes no block of its own.
      if (block === undefined) continue;
      const address = `${node.terraformResourceType}.${node.friendlyUniqueId}`;
      resources.push({
        type: node.terraformResourceType,
        logicalId: node.friendlyUniqueId,
        address,
        path: node.node.path,
        config: resolveValue(block) as Config,
        supportsDefaultLabels: "effectiveLabels" in node,
      });
      constructs.set(address, node);
    } else if (TerraformDataSource.isTerraformDataSource(node)) {
      if (TerraformStack.of(node) !== stack) continue;
      const block = node.toTerraform().data?.[node.terraformResourceType]?.[node.friendlyUniqueId];
      if (block === undefined) continue;
      const address = `data.${node.terraformResourceType}.${node.friendlyUniqueId}`;
      dataSources.push({
        type: node.terraformResourceType,
        logicalId: node.friendlyUniqueId,
        address,
        path: node.node.path,
        config: resolveValue(block) as Config,
        supportsDefaultLabels: false,
      });
      constructs.set(address, node);
    } else if (TerraformProvider.isTerraformProvider(node)) {
      if (TerraformStack.of(node) !== stack) continue;
      const [config] = (node.toTerraform().provider?.[node.terraformResourceType] ?? []) as unknown[];
      const resolved = (resolveValue(config) ?? {}) as Config;
      const alias = typeof resolved.alias === "string" ? resolved.alias : undefined;
      providers.push({ type: node.terraformResourceType, ...(alias ? { alias } : {}), config: resolved });
    }
  }
  return { resources: new ResourceIndex(resources, dataSources, providers), constructs };
}
