/**
 * IPv4 CIDR arithmetic and the subnet plan every network component uses.
 *
 * Plain values in, plain values out: no Pulumi here. Addresses are unsigned 32-bit integers held
 * in ordinary numbers; the math uses multiplication and division instead of bit operators, whose
 * signed 32-bit results would turn 128.0.0.0 and above negative.
 */

/** A parsed CIDR block: the network address as an unsigned 32-bit integer and the prefix length. */
export interface CidrBlock {
  /** The first address of the block, `0` to `2^32 - 1`. */
  base: number;
  /** The prefix length, `0` to `32`. */
  prefix: number;
}

/** Subnet tiers: `public` (load balancers, NAT), `private` (tasks, pods), `isolated` (data, no internet route). */
export type SubnetTier = "public" | "private" | "isolated";

/** Every tier in plan order. */
export const SUBNET_TIERS: readonly SubnetTier[] = ["public", "private", "isolated"];

/** One subnet of a plan. */
export interface PlannedSubnet {
  tier: SubnetTier;
  /** Index of the availability zone (or region zone), `0` to `zones - 1`. */
  zoneIndex: number;
  /** The subnet's canonical CIDR, e.g. `10.0.128.0/20`. */
  cidr: string;
}

/** The most zones a plan covers; the layout reserves room for them from the start. */
export const MAX_ZONES = 6;
/** The smallest network prefix (largest network) a plan accepts: AWS caps a VPC at /16. */
export const MIN_NETWORK_PREFIX = 16;
/** The largest network prefix (smallest network) a plan accepts. */
export const MAX_NETWORK_PREFIX = 24;
/** The smallest subnet: AWS does not allow subnets smaller than /28 (16 addresses). */
export const MIN_SUBNET_PREFIX = 28;

const ADDRESS_SPACE = 2 ** 32;
const CIDR_SYNTAX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const EXAMPLE = `e.g. "10.0.0.0/16"`;

/**
 * Parses an IPv4 CIDR block such as `10.0.0.0/16`.
 *
 * The base must be canonical (no host bits set): `10.0.0.1/16` is rejected with the canonical
 * form suggested, because a cloud API would silently round it and the plan would not match.
 *
 * @throws TypeError when `cidr` is not a string; RangeError when it is not a canonical IPv4 block.
 */
export function parseCidr(cidr: string): CidrBlock {
  if (typeof cidr !== "string") {
    throw new TypeError(`CIDR must be a string like "10.0.0.0/16", got ${typeof cidr} ${String(cidr)}.`);
  }
  const match = CIDR_SYNTAX.exec(cidr.trim());
  if (!match) {
    throw new RangeError(
      `"${cidr}" is not an IPv4 CIDR block: write four dot-separated numbers 0-255 and a prefix length 0-32, ${EXAMPLE}.`,
    );
  }
  const octetTexts = match.slice(1, 5) as [string, string, string, string];
  for (const text of octetTexts) {
    // Leading zeros read as octal in some tools (010 = 8); refuse the ambiguity.
    if (Number(text) > 255 || (text.length > 1 && text.startsWith("0"))) {
      throw new RangeError(
        `"${cidr}" is not an IPv4 CIDR block: octet "${text}" must be 0-255 without leading zeros, ${EXAMPLE}.`,
      );
    }
  }
  const prefix = Number(match[5]);
  if (prefix > 32) {
    throw new RangeError(`"${cidr}" is not an IPv4 CIDR block: the prefix length must be 0-32, got /${prefix}.`);
  }
  const address = octetTexts.reduce((acc, text) => acc * 256 + Number(text), 0);
  const size = blockSize(prefix);
  const base = Math.floor(address / size) * size;
  if (base !== address) {
    const canonical = formatCidr({ base, prefix });
    throw new RangeError(
      `"${cidr}" is not a canonical CIDR block: the address has bits set after the /${prefix} prefix. Use "${canonical}".`,
    );
  }
  return { base, prefix };
}

/**
 * Formats a block as `a.b.c.d/p`.
 * @throws RangeError when the block is out of range or not canonical.
 */
export function formatCidr(block: CidrBlock): string {
  const { base, prefix } = block;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new RangeError(`CIDR prefix must be an integer 0-32, got ${prefix}.`);
  }
  if (!Number.isInteger(base) || base < 0 || base >= ADDRESS_SPACE || base % blockSize(prefix) !== 0) {
    throw new RangeError(
      `CIDR base ${base} must be an integer 0-${ADDRESS_SPACE - 1} aligned to a /${prefix} block (a multiple of ${blockSize(prefix)}).`,
    );
  }
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** The number of addresses in a block: `2^(32 - prefix)`, e.g. 65536 for a /16. */
export function cidrSize(cidr: string): number {
  return blockSize(parseCidr(cidr).prefix);
}

/** Whether `inner` lies entirely inside `outer` (a block contains itself). */
export function cidrContains(outer: string, inner: string): boolean {
  return contains(parseCidr(outer), parseCidr(inner));
}

/** Whether two blocks share at least one address. CIDR blocks either nest or are disjoint. */
export function cidrsOverlap(a: string, b: string): boolean {
  const blockA = parseCidr(a);
  const blockB = parseCidr(b);
  return contains(blockA, blockB) || contains(blockB, blockA);
}

const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseCidr);

/** Whether the block lies inside the RFC 1918 private ranges 10/8, 172.16/12 or 192.168/16. */
export function isPrivateCidr(cidr: string): boolean {
  const block = parseCidr(cidr);
  return RFC1918.some((range) => contains(range, block));
}

/**
 * Where each tier lives, as fractions of the network that are powers of two so every block is
 * aligned. The positions never move; only the public share and the slot count adapt to the
 * network size (see `layoutFor`).
 *
 * ```
 * [0, 1/8)   public     (1/8, or 1/4 when the network is small)
 * [1/8, 1/4) reserved   for future tiers (e.g. transit or firewall subnets)
 * [1/4, 1/2) isolated
 * [1/2, 1)   private    (tasks and pods live here, so it gets the largest share)
 * ```
 */
const TIER_BLOCKS: Record<SubnetTier, { offsetEighths: number; sizeLog2: number }> = {
  public: { offsetEighths: 0, sizeLog2: 3 },
  isolated: { offsetEighths: 2, sizeLog2: 2 },
  private: { offsetEighths: 4, sizeLog2: 1 },
};

interface Layout {
  /** log2 of the public tier's share of the network (3 = 1/8, 2 = 1/4). */
  publicSizeLog2: number;
  /** log2 of the zone slots per tier (3 = 8 slots, room for MAX_ZONES). */
  slotsLog2: number;
}

/**
 * Candidate layouts, best first. The first whose smallest subnet is still at least /28 wins:
 * /16-/22 reserve 8 zone slots and keep 1/8 spare; /23 gives the spare to public; /24 halves the
 * slots to 4. A layout depends only on the network prefix, never on the zone count or the tiers
 * chosen, which is what keeps existing subnets in place when zones or tiers are added.
 */
const LAYOUTS: readonly Layout[] = [
  { publicSizeLog2: 3, slotsLog2: 3 },
  { publicSizeLog2: 2, slotsLog2: 3 },
  { publicSizeLog2: 2, slotsLog2: 2 },
];

function layoutFor(networkPrefix: number): Layout | undefined {
  // The public tier always holds the smallest subnets, so it decides whether a layout fits.
  return LAYOUTS.find((layout) => networkPrefix + layout.publicSizeLog2 + layout.slotsLog2 <= MIN_SUBNET_PREFIX);
}

/**
 * The most zones a network of this size can hold with subnets of at least /28, capped at
 * {@link MAX_ZONES}: 6 for /16 to /23, 4 for /24, 0 when no layout fits.
 */
export function maxZones(networkCidr: string): number {
  const layout = layoutFor(parseCidr(networkCidr).prefix);
  return layout ? Math.min(MAX_ZONES, 2 ** layout.slotsLog2) : 0;
}

/**
 * Why a subnet plan for this network and zone count is impossible, or `undefined` when it is
 * possible. Never throws: the spec validator reports the message with the property path.
 */
export function subnetPlanProblem(networkCidr: string, zones: number): string | undefined {
  let block: CidrBlock;
  try {
    block = parseCidr(networkCidr);
  } catch (error) {
    return (error as Error).message;
  }
  if (!Number.isInteger(zones) || zones < 1 || zones > MAX_ZONES) {
    return `zones must be a whole number from 1 to ${MAX_ZONES}, got ${zones}.`;
  }
  if (block.prefix < MIN_NETWORK_PREFIX) {
    return (
      `network ${networkCidr} is larger than a /${MIN_NETWORK_PREFIX}; allowed prefixes are ` +
      `/${MIN_NETWORK_PREFIX} to /${MAX_NETWORK_PREFIX} (AWS caps a VPC at /16). Use a /16 such as ` +
      `"${formatCidr({ base: block.base, prefix: MIN_NETWORK_PREFIX })}".`
    );
  }
  if (block.prefix > MAX_NETWORK_PREFIX) {
    return (
      `network ${networkCidr} is too small: at /${block.prefix} the subnets for ${zones} zone(s) would be ` +
      `smaller than /${MIN_SUBNET_PREFIX}, the AWS minimum of 16 addresses. Use a /${minimumPrefixFor(zones)} ` +
      `or larger network (allowed prefixes: /${MIN_NETWORK_PREFIX} to /${MAX_NETWORK_PREFIX}).`
    );
  }
  const fits = maxZones(networkCidr);
  if (zones > fits) {
    return (
      `network ${networkCidr} fits at most ${fits} zones with public, private and isolated subnets of at ` +
      `least /${MIN_SUBNET_PREFIX} (the AWS minimum); ${zones} zones need a /${minimumPrefixFor(zones)} or ` +
      `larger network. Use a larger network or set zones to ${fits} or fewer.`
    );
  }
  return undefined;
}

/** The largest prefix (smallest network) whose layout fits `zones`. */
function minimumPrefixFor(zones: number): number {
  for (let prefix = MAX_NETWORK_PREFIX; prefix > MIN_NETWORK_PREFIX; prefix--) {
    const layout = layoutFor(prefix);
    if (layout && 2 ** layout.slotsLog2 >= zones) return prefix;
  }
  return MIN_NETWORK_PREFIX;
}

/**
 * Splits a network into subnets per tier and zone, like pulumi-awsx's subnet distributor but
 * stable: the layout reserves slots for {@link MAX_ZONES} zones and fixed positions per tier, so
 * growing `zones` (or adding a tier) never moves an existing subnet, and no subnet is replaced.
 *
 * For `10.0.0.0/16`: public subnets are /22 from `10.0.0.0`, isolated /21 from `10.0.64.0`,
 * private /20 from `10.0.128.0`; `10.0.32.0/19` stays free for future tiers.
 *
 * @param networkCidr a canonical IPv4 block, /16 to /24.
 * @param zones how many zones to cover, 1 to 6 (4 for a /24).
 * @param tiers which tiers to plan; duplicates are ignored.
 * @default tiers - all three: public, private and isolated
 * @returns subnets sorted by tier (public, private, isolated), then zone.
 * @throws RangeError with {@link subnetPlanProblem}'s message when the plan is impossible;
 *   TypeError for an unknown tier.
 */
export function planSubnets(
  networkCidr: string,
  zones: number,
  tiers: readonly SubnetTier[] = SUBNET_TIERS,
): PlannedSubnet[] {
  const problem = subnetPlanProblem(networkCidr, zones);
  if (problem) throw new RangeError(problem);
  const unknown = tiers.filter((tier) => !SUBNET_TIERS.includes(tier));
  if (unknown.length > 0) {
    throw new TypeError(`Unknown subnet tier(s) ${unknown.map((t) => `"${t}"`).join(", ")}: use ${SUBNET_TIERS.join(", ")}.`);
  }
  if (tiers.length === 0) {
    throw new RangeError(`tiers must name at least one of ${SUBNET_TIERS.join(", ")}; a network without subnets is unusable.`);
  }
  const network = parseCidr(networkCidr);
  const layout = layoutFor(network.prefix)!; // subnetPlanProblem ensured a layout fits.
  const networkSize = blockSize(network.prefix);
  return SUBNET_TIERS.filter((tier) => tiers.includes(tier)).flatMap((tier) => {
    const { offsetEighths, sizeLog2 } = TIER_BLOCKS[tier];
    const tierSizeLog2 = tier === "public" ? layout.publicSizeLog2 : sizeLog2;
    const prefix = network.prefix + tierSizeLog2 + layout.slotsLog2;
    const tierBase = network.base + (networkSize / 8) * offsetEighths;
    return Array.from({ length: zones }, (_, zoneIndex) => ({
      tier,
      zoneIndex,
      cidr: formatCidr({ base: tierBase + zoneIndex * blockSize(prefix), prefix }),
    }));
  });
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

function contains(outer: CidrBlock, inner: CidrBlock): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix)
  );
}
