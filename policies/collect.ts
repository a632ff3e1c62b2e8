/**
 * Reads a stack's resources, data sources and providers as policy data: the stack's own
 * synthesized JSON (`stack.toTerraform()`), with each address mapped back to its construct.
 *
 * Stacks that synthesize once (lib/standalone-stack.ts) keep that JSON for the synthesizer, so the
 * policy pack adds no second resolve pass; `policies/collect.test.ts` checks the result equals the
 * full synthesis for every environment stack.
 */
import { TerraformDataSource, TerraformResource, TerraformStack, type IConstruct } from "../lib/cdktf";
import { ResourceIndex, type Config, type SynthesizedProvider, type SynthesizedResource } from "./model";

export interface CollectedStack {
  readonly resources: ResourceIndex;
  /** The construct behind each resource address, to attach annotations to. */
  readonly constructs: ReadonlyMap<string, IConstruct>;
}

/** Arguments rules never need. */
const SKIPPED_KEYS = new Set(["//", "depends_on"]);

type Block = Record<string, unknown>;

function withoutSkippedKeys(block: Block): Config {
  return Object.fromEntries(Object.entries(block).filter(([key]) => !SKIPPED_KEYS.has(key))) as Config;
}

export function collectStackResources(stack: TerraformStack): CollectedStack {
  const json = stack.toTerraform() as {
    resource?: Record<string, Record<string, Block>>;
    data?: Record<string, Record<string, Block>>;
    provider?: Record<string, Block[]>;
  };
  const constructs = new Map<string, IConstruct>();
  const labelable = new Set<string>();
  for (const node of stack.node.findAll()) {
    if (TerraformStack.of(node) !== stack) continue;
    if (TerraformResource.isTerraformResource(node)) {
      const address = `${node.terraformResourceType}.${node.friendlyUniqueId}`;
      constructs.set(address, node);
      // The provider applies default_labels exactly to the resources that have effective_labels.
      if ("effectiveLabels" in node) labelable.add(address);
    } else if (TerraformDataSource.isTerraformDataSource(node)) {
      constructs.set(`data.${node.terraformResourceType}.${node.friendlyUniqueId}`, node);
    }
  }
  const entries = (blocks: Record<string, Record<string, Block>> | undefined, prefix: string): SynthesizedResource[] =>
    Object.entries(blocks ?? {}).flatMap(([type, byId]) =>
      Object.entries(byId).map(([logicalId, block]) => {
        const address = `${prefix}${type}.${logicalId}`;
        const metadataPath = (block["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
        return {
          type,
          logicalId,
          address,
          path: metadataPath ?? constructs.get(address)?.node.path ?? address,
          config: withoutSkippedKeys(block),
          supportsDefaultLabels: labelable.has(address),
        };
      }),
    );
  const providers: SynthesizedProvider[] = Object.entries(json.provider ?? {}).flatMap(([type, configs]) =>
    configs.map((config) => {
      const alias = typeof config.alias === "string" ? config.alias : undefined;
      return { type, ...(alias ? { alias } : {}), config: config as Config };
    }),
  );
  return { resources: new ResourceIndex(entries(json.resource, ""), entries(json.data, "data."), providers), constructs };
}
