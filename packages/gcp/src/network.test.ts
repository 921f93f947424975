import * as compute from "@pulumi/gcp/compute";
import * as servicenetworking from "@pulumi/gcp/servicenetworking";
import { Network } from "./network";
import { NETWORK, planOf } from "./__tests__/fixtures";
import type { Plan } from "@polycloud/testing";

describe("Network", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await planOf(() => void new Network("net", { app: "shop", network: NETWORK }));
  }, 60_000);

  it("defaults to a custom-mode VPC with one regional subnetwork that has private Google access and flow logs", () => {
    const plan = defaults;
    expect(plan.find(compute.Network).inputs).toMatchObject({ autoCreateSubnetworks: false, routingMode: "REGIONAL", name: "shop-dev" });
    const subnet = plan.find(compute.Subnetwork);
    expect(subnet.inputs).toMatchObject({ region: "europe-west1", privateIpGoogleAccess: true, logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" } });
    expect(subnet.inputs.ipCidrRange).toMatch(/^10\.0\./);
  });

  it("defaults to denying every ingress, logged, at the lowest priority", () => {
    const plan = defaults;
    expect(plan.findAll(compute.Firewall).map((f) => f.inputs)).toEqual([
      expect.objectContaining({ direction: "INGRESS", priority: 65534, sourceRanges: ["0.0.0.0/0"], denies: [{ protocol: "all" }], logConfig: { metadata: "INCLUDE_ALL_METADATA" } }),
    ]);
  });

  it("defaults to Cloud NAT on a Cloud Router, logging errors, and builds none when nat is none", async () => {
    const plan = defaults;
    expect(plan.find(compute.RouterNat).inputs).toMatchObject({ natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES", logConfig: { enable: true, filter: "ERRORS_ONLY" } });
    const without = await planOf(() => void new Network("net", { app: "shop", network: { ...NETWORK, nat: "none" } }));
    without.resourceCountIs(compute.Router, 0);
    without.resourceCountIs(compute.RouterNat, 0);
  });

  it("allocates a private service access range per store and one service networking connection over them", async () => {
    const plan = await planOf(() => void new Network("net", { app: "shop", network: NETWORK, privateStores: ["database", "cache"] }));
    expect(plan.findAll(compute.GlobalAddress).map((a) => [a.name, a.inputs.purpose, a.inputs.addressType, a.inputs.prefixLength])).toEqual([
      ["net-database-range", "VPC_PEERING", "INTERNAL", 20],
      ["net-cache-range", "VPC_PEERING", "INTERNAL", 24],
    ]);
    expect(plan.find(servicenetworking.Connection).inputs).toMatchObject({ service: "servicenetworking.googleapis.com", reservedPeeringRanges: ["shop-dev-database-psa", "shop-dev-cache-psa"] });
    const none = defaults;
    none.resourceCountIs(servicenetworking.Connection, 0);
  });

  it("takes the region from its args over gcp:region, and refuses to build without one", async () => {
    const plan = await planOf(() => void new Network("net", { app: "shop", network: NETWORK, region: "asia-east1" }));
    expect(plan.find(compute.Subnetwork).inputs.region).toBe("asia-east1");
    await expect(planOf(() => void new Network("net", { app: "shop", network: NETWORK }), { config: { "gcp:region": "" } })).rejects.toThrow(/region: is not set, and Network net is regional/);
  });

  it("refuses a flow-log sampling outside (0, 1] before anything is created", async () => {
    const plan = planOf(() => void new Network("net", { app: "shop", network: NETWORK, flowLogSampling: 1.5 }));
    await expect(plan).rejects.toThrow("flowLogSampling must be more than 0 and at most 1, got 1.5");
  });

  it("applies transforms to its children, merging labels", async () => {
    const plan = await planOf(() => void new Network("net", { app: "shop", network: NETWORK, transform: { subnetwork: { privateIpv6GoogleAccess: "ENABLE_OUTBOUND_VM_ACCESS_TO_GOOGLE" }, nat: (args) => ({ args: { ...args, minPortsPerVm: 128 } }) } }));
    expect(plan.find(compute.Subnetwork).inputs.privateIpv6GoogleAccess).toBe("ENABLE_OUTBOUND_VM_ACCESS_TO_GOOGLE");
    expect(plan.find(compute.RouterNat).inputs.minPortsPerVm).toBe(128);
  });
});
