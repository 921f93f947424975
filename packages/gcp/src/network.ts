/**
 * Network: a custom-mode VPC (no automatic subnetworks) with one regional subnetwork for the services'
 * Direct VPC egress (private Google access, flow logs), Cloud Router and Cloud NAT for their way out,
 * an explicit deny of all ingress (logged), and private service access (an allocated range per store
 * and the service networking connection) so Cloud SQL and Memorystore get private addresses only.
 *
 * Cloud Run receives traffic through Google's front ends, not the VPC, so no ingress rule is needed for
 * it (not even Google's health-check ranges: serverless network endpoint groups are not health-checked).
 */
import * as compute from "@pulumi/gcp/compute";
import * as servicenetworking from "@pulumi/gcp/servicenetworking";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets, transformed, type NetworkArgs as CoreNetworkArgs, type NetworkOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf } from "./common";

/** The stores that reach the VPC through private service access. */
export type PrivateStore = "database" | "cache";

/** Size of each store's allocated range: Cloud SQL asks for at least a /24 and recommends /20; Memorystore takes /29s from a /24. */
export const PRIVATE_RANGE_PREFIX: Readonly<Record<PrivateStore, number>> = { database: 20, cache: 24 };

export interface NetworkArgs extends CoreNetworkArgs {
  /** Region of the subnetwork, router and NAT. @default stack config gcp:region */
  readonly region?: string;
  /** Stores that get a private service access range (and the connection), one range each so firewall rules can tell them apart. @default [] */
  readonly privateStores?: readonly PrivateStore[];
  /** Flow-log sampling of the subnetwork, 0 to 1. @default 0.5 */
  readonly flowLogSampling?: number;
  readonly transform?: {
    readonly network?: Transform<compute.NetworkArgs>;
    readonly subnetwork?: Transform<compute.SubnetworkArgs>;
    readonly router?: Transform<compute.RouterArgs>;
    readonly nat?: Transform<compute.RouterNatArgs>;
    readonly denyIngress?: Transform<compute.FirewallArgs>;
    readonly privateRange?: Transform<compute.GlobalAddressArgs>;
  };
}

/** A store's private service access range, for its firewall rules. */
export interface PrivateRange {
  readonly address: compute.GlobalAddress;
  /** The range as CIDR, e.g. 10.24.0.0/20. */
  readonly cidr: pulumi.Output<string>;
}

export class Network extends PolycloudComponent implements NetworkOutputs {
  readonly network: compute.Network;
  readonly subnetwork: compute.Subnetwork;
  readonly router?: compute.Router;
  readonly nat?: compute.RouterNat;
  readonly denyIngress: compute.Firewall;
  /** Allocated ranges by store. */
  readonly privateRanges: Readonly<Partial<Record<PrivateStore, PrivateRange>>>;
  /** The service networking connection; stores on private service access wait for it. */
  readonly privateServiceConnection?: servicenetworking.Connection;
  readonly networkId: pulumi.Output<string>;
  readonly region: string;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "Network", name, args, opts);
    const sampling = args.flowLogSampling ?? 0.5;
    if (!(sampling > 0 && sampling <= 1)) throw new RangeError(`flowLogSampling must be more than 0 and at most 1, got ${sampling}`);
    this.region = regionOf(args.region, `Network ${name}`);
    const t = args.transform ?? {};
    const child = this.childOptions();

    this.network = new compute.Network(
      ...transformed(`${name}-vpc`, { name: nameOf(this.defaults, "resource"), autoCreateSubnetworks: false, routingMode: "REGIONAL", description: `VPC of ${this.defaults.app}` }, child, t.network),
    );
    const cidr = planSubnets(args.network.cidr, 1, ["private"])[0]!.cidr;
    this.subnetwork = new compute.Subnetwork(
      ...transformed(
        `${name}-services`,
        {
          name: nameOf(this.defaults, "resource", "services"),
          network: this.network.id,
          region: this.region,
          ipCidrRange: cidr,
          privateIpGoogleAccess: true,
          logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: sampling, metadata: "INCLUDE_ALL_METADATA" },
        },
        child,
        t.subnetwork,
      ),
    );
    // Cloud NAT is regional and zone-redundant: "single" and "perZone" both get one.
    if (args.network.nat !== "none") {
      this.router = new compute.Router(...transformed(`${name}-router`, { name: nameOf(this.defaults, "resource", "router"), network: this.network.id, region: this.region }, child, t.router));
      this.nat = new compute.RouterNat(
        ...transformed(
          `${name}-nat`,
          {
            name: nameOf(this.defaults, "resource", "nat"),
            router: this.router.name,
            region: this.region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
          },
          child,
          t.nat,
        ),
      );
    }
    this.denyIngress = new compute.Firewall(
      ...transformed(
        `${name}-deny-ingress`,
        {
          name: nameOf(this.defaults, "resource", "deny-ingress"),
          network: this.network.id,
          direction: "INGRESS",
          priority: 65534,
          sourceRanges: ["0.0.0.0/0"],
          denies: [{ protocol: "all" }],
          logConfig: { metadata: "INCLUDE_ALL_METADATA" },
          description: "Nothing reaches the VPC from outside: Cloud Run is reached through Google's front ends, the stores through private service access",
        },
        child,
        t.denyIngress,
      ),
    );
    const ranges: Partial<Record<PrivateStore, PrivateRange>> = {};
    for (const store of args.privateStores ?? []) {
      const address = new compute.GlobalAddress(
        ...transformed(
          `${name}-${store}-range`,
          { name: nameOf(this.defaults, "resource", `${store}-psa`), network: this.network.id, purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: PRIVATE_RANGE_PREFIX[store], labels: labelsOf(this.defaults) },
          child,
          t.privateRange,
        ),
      );
      ranges[store] = { address, cidr: pulumi.interpolate`${address.address}/${address.prefixLength}` };
    }
    this.privateRanges = ranges;
    const allocated = Object.values(ranges);
    if (allocated.length > 0) {
      this.privateServiceConnection = new servicenetworking.Connection(
        `${name}-private-services`,
        { network: this.network.id, service: "servicenetworking.googleapis.com", reservedPeeringRanges: allocated.map((r) => r.address.name) },
        child,
      );
    }
    this.networkId = this.network.id;
    this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetwork.id });
  }

  /** The range of a store, or a clear error when the network was built without it. */
  rangeOf(store: PrivateStore): PrivateRange {
    const range = this.privateRanges[store];
    if (range === undefined) throw new Error(`Network ${this.defaults.app} has no private service access range for the ${store}: pass privateStores: ["${store}"]`);
    return range;
  }
}
