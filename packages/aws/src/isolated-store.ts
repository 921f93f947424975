/** What the database and the cache share: where they sit, who may connect, and their final snapshots. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";
import { allowTraffic, type RuleTransforms } from "./security-groups";

/** Where a data store sits: the isolated subnets, behind a security group that admits clients one by one. */
export interface IsolatedPlacement<TSubnetGroup> {
  readonly subnetGroup: TSubnetGroup;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** Lets one security group connect on the store's port (and only that group, only that port). */
  allowFrom(client: string, securityGroupId: pulumi.Input<string>): void;
}

/**
 * A data store's subnet group over the isolated subnets (no route to or from the internet) and its security
 * group, which has no rules until `allowFrom` names a client.
 */
export function createIsolatedPlacement<TSubnetGroup>(
  scope: Scope,
  options: {
    network: { readonly networkId: pulumi.Input<string>; readonly isolatedSubnetIds: pulumi.Input<string>[] };
    /** The engine as people name it, for descriptions: `PostgreSQL`, `Redis`. */
    engine: string;
    port: number;
    /** Creates the service's own kind of subnet group (RDS or ElastiCache) from these args, with the user's transform. */
    createSubnetGroup: (
      name: string,
      args: { subnetIds: pulumi.Input<string>[]; description: string; tags: Record<string, string> },
      opts: pulumi.CustomResourceOptions,
    ) => TSubnetGroup;
    transforms: RuleTransforms & { securityGroup?: Transform<aws.ec2.SecurityGroupArgs> };
  },
): IsolatedPlacement<TSubnetGroup> {
  const { engine, port, transforms } = options;
  const subnetGroup = options.createSubnetGroup(
    `${scope.name}-subnets`,
    { subnetIds: options.network.isolatedSubnetIds, description: `Isolated subnets of ${scope.name}`, tags: scope.tags },
    childOptions(scope),
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    ...transformed(
      `${scope.name}-sg`,
      // No inline rules: the provider removes AWS's default allow-all egress, and clients are added as rules.
      { vpcId: options.network.networkId, description: `${engine} ${scope.name}: clients allowed one by one`, tags: scope.tags },
      childOptions(scope),
      transforms.securityGroup,
    ),
  );
  return {
    subnetGroup,
    securityGroup,
    allowFrom: (client, securityGroupId) =>
      allowTraffic(scope, `from-${client}`, { from: securityGroupId, to: securityGroup.id, port, description: `${engine} from ${client}` }, transforms),
  };
}

/**
 * A final snapshot name with a random suffix: a deleted and recreated database (or cache) gets a new one,
 * so its next deletion does not fail on the snapshot the first one left behind.
 */
export function finalSnapshotIdentifier(scope: Scope, identifier: string, t?: Transform<random.RandomIdArgs>): pulumi.Output<string> {
  const suffix = new random.RandomId(...transformed(`${scope.name}-final-snapshot-suffix`, { byteLength: 4 }, childOptions(scope), t));
  return pulumi.interpolate`${identifier}-final-${suffix.hex}`;
}
