import fc from "fast-check";
import { cidrContains, cidrsOverlap } from "@polycloud/core";
import { planSubnets } from "./subnets";

describe("planSubnets", () => {
  it.each([
    ["10.0.0.0/16", ["web", "api"], { privateEndpoints: "10.0.0.0/27", database: "10.0.0.32/27", services: { web: "10.0.0.64/27", api: "10.0.0.96/27" } }],
    ["192.168.4.0/24", ["a"], { privateEndpoints: "192.168.4.0/27", database: "192.168.4.32/27", services: { a: "192.168.4.64/27" } }],
  ])("plans %s for %j in /27 blocks from the start", (cidr, services, plan) => {
    expect(planSubnets(cidr, services)).toEqual(plan);
  });

  it("throws naming how many services fit when the network is too small", () => {
    expect(() => planSubnets("10.0.0.0/24", ["a", "b", "c", "d", "e", "f", "g"])).toThrow("network 10.0.0.0/24 has room for 6 service subnet(s) of /27, and 7 services need one each");
  });

  it("gives subnets inside the network that never overlap, for any network and number of services that fit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 24 }), fc.integer({ min: 0, max: 30 }), (prefix, count) => {
        const cidr = `10.0.0.0/${prefix}`;
        const services = Array.from({ length: Math.min(count, 2 ** (27 - prefix) - 2) }, (_, i) => `s${i}`);
        const plan = planSubnets(cidr, services);
        const all = [plan.privateEndpoints, plan.database, ...Object.values(plan.services)];
        expect(all.every((s) => cidrContains(cidr, s))).toBe(true);
        expect(all.some((a, i) => all.slice(i + 1).some((b) => cidrsOverlap(a, b)))).toBe(false);
      }),
    );
  });
});
