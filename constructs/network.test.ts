import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { ServiceNetworkingConnection } from "@cdktf/provider-google/lib/service-networking-connection";
import { describe, expect, it } from "vitest";
import { BASE } from "../test/support/fixtures";
import { onlyResource, synthStack } from "../test/support/synth";
import { Network } from "./network";

describe("Network", () => {
  const { raw, json } = synthStack((stack) => new Network(stack, "network", BASE));

  it("is a custom-mode VPC: no auto-created subnets in every region", () => {
    expect(raw).toHaveResourceWithProperties(ComputeNetwork, { name: "vz-test-vpc", auto_create_subnetworks: false });
  });

  it("has one subnet for direct VPC egress with Private Google Access and flow logs", () => {
    expect(raw).toHaveResourceWithProperties(ComputeSubnetwork, {
      region: "us-central1",
      ip_cidr_range: "10.10.0.0/24",
      private_ip_google_access: true,
    });
    expect(onlyResource(json, "google_compute_subnetwork").log_config).toMatchObject({ flow_sampling: 0.5 });
  });

  it("reserves a private services access range and peers it with service networking", () => {
    expect(raw).toHaveResourceWithProperties(ComputeGlobalAddress, { purpose: "VPC_PEERING", address_type: "INTERNAL", prefix_length: 20 });
    const connection = onlyResource(json, "google_service_networking_connection");
    expect(connection.service).toBe("servicenetworking.googleapis.com");
    expect(connection.reserved_peering_ranges).toEqual([expect.stringMatching(/^\$\{google_compute_global_address\..*\.name\}$/)]);
    expect(raw).toHaveResource(ServiceNetworkingConnection);
  });

  it("takes the subnet range, the PSA size and flow logs from props", () => {
    const custom = synthStack((stack) => new Network(stack, "network", { ...BASE, subnetCidr: "10.99.0.0/23", privateServicesPrefixLength: 16, flowLogs: false }));
    const subnet = onlyResource(custom.json, "google_compute_subnetwork");
    expect(subnet.ip_cidr_range).toBe("10.99.0.0/23");
    expect(subnet.log_config).toBeUndefined();
    expect(onlyResource(custom.json, "google_compute_global_address").prefix_length).toBe(16);
  });
});
