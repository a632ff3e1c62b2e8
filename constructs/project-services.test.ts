import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { describe, expect, it } from "vitest";
import { resourcesOf, synthStack } from "../test/support/synth";
import { PLATFORM_APIS, ProjectServices } from "./project-services";

describe("ProjectServices", () => {
  const { json } = synthStack((stack) => {
    new ProjectServices(stack, "apis", { project: "acme-test-1" });
    new ComputeNetwork(stack, "vpc", { name: "vpc" });
  });
  const services = Object.values(resourcesOf(json, "google_project_service")) as any[];

  it("enables every API the platform uses, without disabling them on destroy", () => {
    expect(services.map((s) => s.service).sort()).toEqual([...PLATFORM_APIS].sort());
    for (const s of services) expect(s).toMatchObject({ project: "acme-test-1", disable_on_destroy: false });
  });

  it("makes every other resource in the stack wait for the APIs, through one gate", () => {
    const gate = Object.entries(resourcesOf(json, "terraform_data")).find(([id]) => id.startsWith("apis_ready"))!;
    expect(gate[1].depends_on).toHaveLength(PLATFORM_APIS.length);
    for (const dependency of gate[1].depends_on) expect(dependency).toMatch(/^google_project_service\./);
    const vpc = Object.values(resourcesOf(json, "google_compute_network"))[0] as any;
    expect(vpc.depends_on).toEqual([`terraform_data.${gate[0]}`]);
    for (const s of services) expect(s.depends_on).toBeUndefined();
  });
});
