import fc from "fast-check";
import {
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCidr,
  isPrivateCidr,
  maxZones,
  parseCidr,
  planSubnets,
  subnetPlanProblem,
  type PlannedSubnet,
  type SubnetTier,
} from "./cidr";

/** A canonical private network of /16 to /24 anywhere in 10/8, 172.16/12 or 192.168/16. */
const privateNetwork = fc
  .tuple(fc.constantFrom("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), fc.integer({ min: 16, max: 24 }), fc.nat())
  .map(([range, prefix, seed]) => {
    const outer = parseCidr(range);
    const blocks = 2 ** (prefix - outer.prefix);
    return formatCidr({ base: outer.base + (seed % blocks) * 2 ** (32 - prefix), prefix });
  });

/** A network with a zone count its layout can hold. */
const feasiblePlan = privateNetwork.chain((network) =>
  fc.tuple(fc.constant(network), fc.integer({ min: 1, max: maxZones(network) })),
);

const tierSubset = fc.subarray<SubnetTier>(["public", "private", "isolated"], { minLength: 1 });

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/16", 10 * 2 ** 24, 16],
    ["0.0.0.0/0", 0, 0],
    ["255.255.255.255/32", 2 ** 32 - 1, 32],
    ["192.168.128.0/17", 192 * 2 ** 24 + 168 * 2 ** 16 + 128 * 2 ** 8, 17],
  ])("parses %s", (cidr, base, prefix) => {
    expect(parseCidr(cidr)).toEqual({ base, prefix });
  });

  it.each([
    ["10.0.0.1/16", /not a canonical CIDR block.*Use "10\.0\.0\.0\/16"/],
    ["172.16.5.0/12", /Use "172\.16\.0\.0\/12"/],
    ["10.0.0.0", /not an IPv4 CIDR block/],
    ["10.0.0/16", /not an IPv4 CIDR block/],
    ["256.0.0.0/8", /octet "256" must be 0-255/],
    ["10.01.0.0/16", /octet "01" must be 0-255 without leading zeros/],
    ["10.0.0.0/33", /prefix length must be 0-32, got \/33/],
    ["fd00::/8", /not an IPv4 CIDR block/],
    ["", /not an IPv4 CIDR block/],
  ])("rejects %j when malformed", (cidr, message) => {
    expect(() => parseCidr(cidr)).toThrow(RangeError);
    expect(() => parseCidr(cidr)).toThrow(message);
  });

  it("rejects a non-string with a TypeError", () => {
    expect(() => parseCidr(16 as unknown as string)).toThrow(TypeError);
  });

  it("round-trips with formatCidr for every canonical block", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (prefix, address) => {
        const size = 2 ** (32 - prefix);
        const block = { base: Math.floor(address / size) * size, prefix };
        expect(parseCidr(formatCidr(block))).toEqual(block);
      }),
    );
  });
});

describe("formatCidr", () => {
  it.each([
    [{ base: 10 * 2 ** 24 + 1, prefix: 16 }, /aligned to a \/16 block/],
    [{ base: 2 ** 32, prefix: 32 }, /must be an integer 0-4294967295/],
    [{ base: 0, prefix: 33 }, /prefix must be an integer 0-32/],
  ])("rejects %j", (block, message) => {
    expect(() => formatCidr(block)).toThrow(message);
  });
});

describe("cidrSize", () => {
  it.each([
    ["10.0.0.0/16", 65536],
    ["10.0.0.0/24", 256],
    ["10.0.0.0/28", 16],
    ["10.0.0.1/32", 1],
  ])("%s has %i addresses", (cidr, size) => {
    expect(cidrSize(cidr)).toBe(size);
  });
});

describe("cidrContains and cidrsOverlap", () => {
  it.each([
    ["10.0.0.0/16", "10.0.128.0/20", true, true],
    ["10.0.0.0/16", "10.0.0.0/16", true, true],
    ["10.0.0.0/16", "10.1.0.0/20", false, false],
    ["10.0.0.0/20", "10.0.0.0/16", false, true],
    ["10.0.0.0/24", "10.0.1.0/24", false, false],
    ["0.0.0.0/0", "255.255.255.255/32", true, true],
  ])("outer %s, inner %s: contains %p, overlap %p", (outer, inner, contains, overlap) => {
    expect(cidrContains(outer, inner)).toBe(contains);
    expect(cidrsOverlap(outer, inner)).toBe(overlap);
    expect(cidrsOverlap(inner, outer)).toBe(overlap);
  });
});

describe("isPrivateCidr", () => {
  it.each([
    ["10.0.0.0/8", true],
    ["10.20.0.0/16", true],
    ["172.16.0.0/12", true],
    ["172.31.0.0/16", true],
    ["172.32.0.0/16", false],
    ["172.0.0.0/8", false],
    ["192.168.10.0/24", true],
    ["192.169.0.0/16", false],
    ["100.64.0.0/10", false],
    ["8.8.8.0/24", false],
    ["0.0.0.0/0", false],
  ])("%s is private: %p", (cidr, expected) => {
    expect(isPrivateCidr(cidr)).toBe(expected);
  });
});

describe("maxZones", () => {
  it.each([
    ["10.0.0.0/16", 6],
    ["10.0.0.0/22", 6],
    ["10.0.0.0/23", 6],
    ["10.0.0.0/24", 4],
    ["10.0.0.0/25", 0],
  ])("%s holds %i zones", (cidr, zones) => {
    expect(maxZones(cidr)).toBe(zones);
  });
});

describe("subnetPlanProblem", () => {
  it.each([
    ["10.0.0.0/16", 3],
    ["10.0.0.0/16", 6],
    ["10.0.0.0/23", 6],
    ["10.0.0.0/24", 4],
  ])("accepts %s with %i zones", (cidr, zones) => {
    expect(subnetPlanProblem(cidr, zones)).toBeUndefined();
  });

  it.each([
    ["10.0.0.0/24", 5, "fits at most 4 zones with public, private and isolated subnets of at least /28 (the AWS minimum); 5 zones need a /23 or larger network"],
    ["10.0.0.0/25", 2, "subnets for 2 zone(s) would be smaller than /28, the AWS minimum of 16 addresses. Use a /24 or larger network"],
    ["10.0.0.0/26", 6, "Use a /23 or larger network"],
    ["10.0.0.0/8", 3, 'allowed prefixes are /16 to /24 (AWS caps a VPC at /16). Use a /16 such as "10.0.0.0/16"'],
    ["10.0.0.0/16", 0, "zones must be a whole number from 1 to 6, got 0"],
    ["10.0.0.0/16", 7, "zones must be a whole number from 1 to 6, got 7"],
    ["10.0.0.0/16", 2.5, "zones must be a whole number from 1 to 6, got 2.5"],
    ["10.0.0.5/16", 2, 'Use "10.0.0.0/16"'],
    ["ten/16", 2, "not an IPv4 CIDR block"],
  ])("explains why %s with %p zones is impossible", (cidr, zones, message) => {
    expect(subnetPlanProblem(cidr, zones)).toContain(message);
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string(), fc.double(), (cidr, zones) => {
        expect(() => subnetPlanProblem(cidr, zones)).not.toThrow();
      }),
    );
  });
});

describe("planSubnets", () => {
  const compact = (plan: PlannedSubnet[]) => plan.map((s) => `${s.tier} ${s.zoneIndex} ${s.cidr}`);

  // Golden fixtures: changing one of these moves live subnets, which replaces them.
  it.each([
    [
      "10.0.0.0/16",
      2,
      [
        "public 0 10.0.0.0/22",
        "public 1 10.0.4.0/22",
        "private 0 10.0.128.0/20",
        "private 1 10.0.144.0/20",
        "isolated 0 10.0.64.0/21",
        "isolated 1 10.0.72.0/21",
      ],
    ],
    [
      "10.0.0.0/16",
      3,
      [
        "public 0 10.0.0.0/22",
        "public 1 10.0.4.0/22",
        "public 2 10.0.8.0/22",
        "private 0 10.0.128.0/20",
        "private 1 10.0.144.0/20",
        "private 2 10.0.160.0/20",
        "isolated 0 10.0.64.0/21",
        "isolated 1 10.0.72.0/21",
        "isolated 2 10.0.80.0/21",
      ],
    ],
    [
      "10.0.0.0/16",
      6,
      [
        "public 0 10.0.0.0/22",
        "public 1 10.0.4.0/22",
        "public 2 10.0.8.0/22",
        "public 3 10.0.12.0/22",
        "public 4 10.0.16.0/22",
        "public 5 10.0.20.0/22",
        "private 0 10.0.128.0/20",
        "private 1 10.0.144.0/20",
        "private 2 10.0.160.0/20",
        "private 3 10.0.176.0/20",
        "private 4 10.0.192.0/20",
        "private 5 10.0.208.0/20",
        "isolated 0 10.0.64.0/21",
        "isolated 1 10.0.72.0/21",
        "isolated 2 10.0.80.0/21",
        "isolated 3 10.0.88.0/21",
        "isolated 4 10.0.96.0/21",
        "isolated 5 10.0.104.0/21",
      ],
    ],
    [
      "192.168.4.0/24",
      3,
      [
        "public 0 192.168.4.0/28",
        "public 1 192.168.4.16/28",
        "public 2 192.168.4.32/28",
        "private 0 192.168.4.128/27",
        "private 1 192.168.4.160/27",
        "private 2 192.168.4.192/27",
        "isolated 0 192.168.4.64/28",
        "isolated 1 192.168.4.80/28",
        "isolated 2 192.168.4.96/28",
      ],
    ],
    [
      "172.16.0.0/23",
      2,
      [
        "public 0 172.16.0.0/28",
        "public 1 172.16.0.16/28",
        "private 0 172.16.1.0/27",
        "private 1 172.16.1.32/27",
        "isolated 0 172.16.0.128/28",
        "isolated 1 172.16.0.144/28",
      ],
    ],
    [
      "10.1.0.0/22",
      1,
      ["public 0 10.1.0.0/28", "private 0 10.1.2.0/26", "isolated 0 10.1.1.0/27"],
    ],
  ])("plans %s across %i zones", (network, zones, expected) => {
    expect(compact(planSubnets(network, zones))).toEqual(expected);
  });

  it.each([
    [["private"] as SubnetTier[], ["private 0 10.0.128.0/20", "private 1 10.0.144.0/20"]],
    [
      ["isolated", "public", "public"] as SubnetTier[],
      ["public 0 10.0.0.0/22", "public 1 10.0.4.0/22", "isolated 0 10.0.64.0/21", "isolated 1 10.0.72.0/21"],
    ],
  ])("plans only the tiers %j, in tier order, at their usual places", (tiers, expected) => {
    expect(compact(planSubnets("10.0.0.0/16", 2, tiers))).toEqual(expected);
  });

  it("throws the subnetPlanProblem message when the network is too small", () => {
    expect(() => planSubnets("10.0.0.0/24", 6)).toThrow(RangeError);
    expect(() => planSubnets("10.0.0.0/24", 6)).toThrow("6 zones need a /23 or larger network");
  });

  it.each([
    [[] as SubnetTier[], RangeError, "tiers must name at least one of public, private, isolated"],
    [["dmz"] as unknown as SubnetTier[], TypeError, 'Unknown subnet tier(s) "dmz": use public, private, isolated'],
  ])("rejects tiers %j", (tiers, type, message) => {
    expect(() => planSubnets("10.0.0.0/16", 2, tiers)).toThrow(type);
    expect(() => planSubnets("10.0.0.0/16", 2, tiers)).toThrow(message);
  });

  it("gives private the largest subnets and public the smallest", () => {
    fc.assert(
      fc.property(feasiblePlan, ([network, zones]) => {
        const size = (tier: SubnetTier) => cidrSize(planSubnets(network, zones).find((s) => s.tier === tier)!.cidr);
        expect(size("private")).toBeGreaterThan(size("isolated"));
        expect(size("isolated")).toBeGreaterThanOrEqual(size("public"));
      }),
    );
  });

  it("plans subnets that never overlap, all inside the network and at least /28", () => {
    fc.assert(
      fc.property(feasiblePlan, tierSubset, ([network, zones], tiers) => {
        const plan = planSubnets(network, zones, tiers);
        expect(plan).toHaveLength(zones * tiers.length);
        plan.forEach((subnet, i) => {
          expect(cidrContains(network, subnet.cidr)).toBe(true);
          expect(parseCidr(subnet.cidr).prefix).toBeLessThanOrEqual(28);
          for (const other of plan.slice(i + 1)) expect(cidrsOverlap(subnet.cidr, other.cidr)).toBe(false);
        });
      }),
    );
  });

  it("keeps every existing subnet when zones grow from n to m", () => {
    fc.assert(
      fc.property(
        privateNetwork.chain((network) =>
          fc
            .tuple(fc.integer({ min: 1, max: maxZones(network) }), fc.integer({ min: 1, max: maxZones(network) }))
            .map(([a, b]) => [network, Math.min(a, b), Math.max(a, b)] as const),
        ),
        ([network, fewer, more]) => {
          const grown = planSubnets(network, more);
          for (const subnet of planSubnets(network, fewer)) expect(grown).toContainEqual(subnet);
        },
      ),
    );
  });

  it("keeps every existing subnet when a tier is added", () => {
    fc.assert(
      fc.property(feasiblePlan, tierSubset, ([network, zones], tiers) => {
        const all = planSubnets(network, zones);
        for (const subnet of planSubnets(network, zones, tiers)) expect(all).toContainEqual(subnet);
      }),
    );
  });

  it("is deterministic and sorted by tier, then zone", () => {
    const tierRank: Record<SubnetTier, number> = { public: 0, private: 1, isolated: 2 };
    fc.assert(
      fc.property(feasiblePlan, ([network, zones]) => {
        const plan = planSubnets(network, zones);
        expect(planSubnets(network, zones)).toEqual(plan);
        const keys = plan.map((s) => tierRank[s.tier] * 10 + s.zoneIndex);
        expect(keys).toEqual([...keys].sort((a, b) => a - b));
      }),
    );
  });

  it("plans exactly when subnetPlanProblem finds nothing wrong", () => {
    fc.assert(
      fc.property(privateNetwork, fc.integer({ min: 0, max: 7 }), (network, zones) => {
        const problem = subnetPlanProblem(network, zones);
        if (problem === undefined) expect(() => planSubnets(network, zones)).not.toThrow();
        else expect(() => planSubnets(network, zones)).toThrow(problem);
      }),
    );
  });
});
