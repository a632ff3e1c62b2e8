import { describe, expect, it } from "vitest";
import { CLOUD_ENVIRONMENT_NAMES } from "../environments";
import { collectStackResources } from "./collect";
import { unmodifiedEnvironmentStack } from "../test/support/policies";

/** A synthesized block without what the collector leaves out on purpose. */
function withoutSkipped(block: Record<string, unknown>): Record<string, unknown> {
  const { "//": _metadata, depends_on: _dependsOn, ...rest } = block;
  return rest;
}

describe.each(CLOUD_ENVIRONMENT_NAMES)("collecting the %s stack", (name) => {
  const stack = unmodifiedEnvironmentStack(name);
  const full = stack.toTerraform() as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
    provider: Record<string, Record<string, unknown>[]>;
  };
  const { resources, constructs } = collectStackResources(stack);

  it("yields every resource exactly as the full synthesis has it (references as Terraform expressions)", () => {
    const expected = Object.entries(full.resource).flatMap(([type, byId]) =>
      Object.entries(byId).map(([logicalId, block]) => ({ address: `${type}.${logicalId}`, path: (block["//"] as any).metadata.path, config: withoutSkipped(block) })),
    );
    const actual = resources.resources.map((r) => ({ address: r.address, path: r.path, config: r.config }));
    expect(sortBy(actual)).toEqual(sortBy(expected));
  });

  it("yields data sources and providers as synthesized", () => {
    const data = Object.entries(full.data ?? {}).flatMap(([type, byId]) => Object.entries(byId).map(([id, block]) => ({ address: `data.${type}.${id}`, config: withoutSkipped(block) })));
    expect(sortBy(resources.dataSources.map((d) => ({ address: d.address, config: d.config })))).toEqual(sortBy(data));
    expect(resources.providers.find((p) => p.type === "google")?.config).toEqual(full.provider.google![0]);
  });

  it("maps every address back to its construct, for annotations", () => {
    for (const r of resources.resources) expect(constructs.get(r.address)?.node.path).toBe(r.path);
  });

  it("resolves a reference to the resource it names", () => {
    const worker = resources.ofType("google_cloud_run_v2_service").find((s) => s.path.endsWith("/worker/service"))!;
    const account = resources.referencedBy((worker.config.template as any).service_account);
    expect(account?.type).toBe("google_service_account");
  });
});

function sortBy<T extends { address: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.address.localeCompare(b.address));
}
