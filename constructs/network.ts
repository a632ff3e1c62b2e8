import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import { ServiceNetworkingConnection } from "@cdktf/provider-google/lib/service-networking-connection";
import { Construct } from "../lib/cdktf";

export interface NetworkProps {
  readonly project: string;
  readonly region: string;
  /** Prefix of every resource name. */
  readonly namePrefix: string;
  /** Subnet for Cloud Run direct VPC egress. @default "10.10.0.0/24" */
  readonly subnetCidr?: string;
  /** Prefix length of the range reserved for private services access. @default 20 */
  readonly privateServicesPrefixLength?: number;
  /**
   * VPC flow logs on the subnet (5 min aggregation, 50 % sampling): the evidence trail for
   * incident response. @default true
   */
  readonly flowLogs?: boolean;
}

/**
 * A custom-mode VPC for the platform: one regional subnet used by Cloud Run direct VPC egress
 * (with Private Google Access so Google APIs stay on Google's network), and private services access
 * (a reserved range peered with Google's service producer network) so Cloud SQL and Memorystore get
 * private IPs only. No auto-created subnets and no firewall openings: GCP's implied deny-ingress
 * rule stays in force.
 */
export class Network extends Construct {
  readonly network: ComputeNetwork;
  readonly subnet: ComputeSubnetwork;
  /** The range Cloud SQL and Memorystore allocate their private IPs from. */
  readonly privateServicesRange: ComputeGlobalAddress;
  /** Resources using private services access must depend on this connection. */
  readonly privateServicesConnection: ServiceNetworkingConnection;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const [address, prefixLength] = (props.subnetCidr ?? "10.10.0.0/24").split("/") as [string, string];

    this.network = new ComputeNetwork(this, "vpc", {
      project: props.project,
      name: `${props.namePrefix}-vpc`,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
      deleteDefaultRoutesOnCreate: false,
    });

    this.subnet = new ComputeSubnetwork(this, "run-egress", {
      project: props.project,
      name: `${props.namePrefix}-run-egress`,
      region: props.region,
      network: this.network.id,
      ipCidrRange: `${address}/${prefixLength}`,
      privateIpGoogleAccess: true,
      logConfig:
        props.flowLogs === false
          ? undefined
          : { aggregationInterval: "INTERVAL_5_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
    });

    this.privateServicesRange = new ComputeGlobalAddress(this, "private-services-range", {
      project: props.project,
      name: `${props.namePrefix}-psa`,
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
      prefixLength: props.privateServicesPrefixLength ?? 20,
      network: this.network.id,
    });

    this.privateServicesConnection = new ServiceNetworkingConnection(this, "private-services", {
      network: this.network.id,
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: [this.privateServicesRange.name],
      // Deleting the peering fails while Cloud SQL still holds addresses in it; abandoning it lets
      // `terraform destroy` finish, and the peering goes away with the network.
      deletionPolicy: "ABANDON",
    });
  }
}
