/**
 * The virtual network's address plan, in /27 blocks from the start of the network: private
 * endpoints, the database's delegated subnet, then one subnet per service. Container Apps
 * environments with workload profiles need at least a /27, and each service has its own
 * environment (Container Apps cannot keep apps of one environment apart, a subnet's NSG can).
 */
import { azureServiceCapacity, formatCidr, parseCidr } from "@polycloud/core";

/** The prefix of every subnet: the smallest a workload-profiles Container Apps environment accepts. */
export const SUBNET_PREFIX = 27;

export interface SubnetPlan {
  readonly privateEndpoints: string;
  readonly database: string;
  /** By service name, in the order given. */
  readonly services: Readonly<Record<string, string>>;
}

/**
 * The subnets of a network for `services`.
 * @throws RangeError when the network is too small, naming how many services fit and the fix.
 */
export function planSubnets(networkCidr: string, services: readonly string[]): SubnetPlan {
  const capacity = azureServiceCapacity(networkCidr);
  if (services.length > capacity) {
    throw new RangeError(`network ${networkCidr} has room for ${capacity} service subnet(s) of /${SUBNET_PREFIX}, and ${services.length} services need one each: use a larger network (e.g. a /16)`);
  }
  const { base } = parseCidr(networkCidr);
  const block = (index: number) => formatCidr({ base: base + index * 2 ** (32 - SUBNET_PREFIX), prefix: SUBNET_PREFIX });
  return { privateEndpoints: block(0), database: block(1), services: Object.fromEntries(services.map((name, i) => [name, block(i + 2)])) };
}
