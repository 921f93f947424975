import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  networkCidrProblems,
  PolycloudError,
  planSubnets,
  transformed,
  type NetworkArgs as CoreNetworkArgs,
  type NetworkOutputs,
  type NetworkSpec,
  type PlannedSubnet,
  type Problem,
  type SubnetTier,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createKey, type KeyTransforms } from "./keys";
import { createLogGroup } from "./logs";
import { writeLogGroupPolicy, type AccountContext } from "./policies";
import { createServiceRole, type RoleTransforms } from "./roles";
import { accountContext, childOptions, logGroupNameOf, scopeOf, type Scope } from "./scope";
import { createRule } from "./security-groups";

export interface NetworkArgs extends CoreNetworkArgs {
  /**
   * Flow log record aggregation in seconds: 60 shows traffic sooner, 600 costs less.
   * @default 60
   */
  readonly flowLogAggregationSeconds?: 60 | 600;
  /**
   * AWS services reached through interface VPC endpoints in the private subnets (private DNS on, HTTPS
   * from the VPC only), by endpoint service suffix (`com.amazonaws.<region>.<suffix>`). Without NAT,
   * tasks have no other way to fetch secrets, write logs or pull from ECR (image layers come through
   * the S3 gateway endpoint). Each endpoint costs about $7 a month per zone.
   * @default - with `nat: "none"`, {@link TASK_ENDPOINT_SERVICES}; otherwise none
   */
  readonly interfaceEndpoints?: readonly string[];
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms & {
    vpc?: Transform<aws.ec2.VpcArgs>;
    defaultSecurityGroup?: Transform<aws.ec2.DefaultSecurityGroupArgs>;
    subnet?: Transform<aws.ec2.SubnetArgs>;
    internetGateway?: Transform<aws.ec2.InternetGatewayArgs>;
    eip?: Transform<aws.ec2.EipArgs>;
    natGateway?: Transform<aws.ec2.NatGatewayArgs>;
    routeTable?: Transform<aws.ec2.RouteTableArgs>;
    route?: Transform<aws.ec2.RouteArgs>;
    routeTableAssociation?: Transform<aws.ec2.RouteTableAssociationArgs>;
    s3Endpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    interfaceEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    endpointSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    endpointIngressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    flowLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    flowLogRole?: RoleTransforms;
    flowLog?: Transform<aws.ec2.FlowLogArgs>;
  };
}

/** What Fargate tasks call at start and while running: secrets, logs, ECR, KMS (secret decryption) and STS. */
export const TASK_ENDPOINT_SERVICES = ["secretsmanager", "logs", "ecr.api", "ecr.dkr", "kms", "sts"] as const;

/**
 * What other components need from a network: a {@link Network}, or the ids of an existing VPC
 * (`networkId: pulumi.output("vpc-...")`, subnet ids per tier).
 */
export interface NetworkRef extends NetworkOutputs {
  readonly cidr: string;
  /** Load balancers and NAT gateways. */
  readonly publicSubnetIds: pulumi.Input<string>[];
  /** Tasks: internet only through NAT. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** Databases and caches: no route out. */
  readonly isolatedSubnetIds: pulumi.Input<string>[];
}

/** Problems with a network spec, before anything is created. */
export function networkProblems(network: NetworkSpec): Problem[] {
  return networkCidrProblems(network);
}

/**
 * A VPC across `zones` availability zones with public subnets (load balancers, NAT gateways),
 * private subnets (tasks; internet only through NAT) and isolated subnets (databases and caches; no
 * route out), VPC flow logs to an encrypted log group, an S3 gateway endpoint, and the default
 * security group emptied so that nothing uses it by accident.
 *
 * @example
 * const network = new Network("shop", { app: "shop", network: spec.network });
 */
export class Network extends PolycloudComponent implements NetworkRef {
  readonly vpc: aws.ec2.Vpc;
  readonly networkId: pulumi.Output<string>;
  readonly cidr: string;
  /** Availability zone names, in zone-index order; fails the deployment when the region has too few. */
  readonly zoneNames: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly isolatedSubnetIds: pulumi.Output<string>[];
  readonly natGateways: aws.ec2.NatGateway[];
  readonly flowLogGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Network", name, args, opts);
    PolycloudError.throwIfAny(networkProblems(args.network), `Invalid network ${name}`);
    const scope = scopeOf(this, "network", name);
    const t = args.transform ?? {};
    const { zones, nat, cidr } = args.network;
    const plan = planSubnets(cidr, zones);

    this.cidr = cidr;
    this.zoneNames = zoneNamesFor(this, zones);
    // Everything waits for the zone check, so a region with too few zones fails before anything is
    // created: the VPC (and all that uses its id) through a tag, the flow-log key and role through the
    // account they are scoped to.
    this.vpc = createVpc(scope, cidr, this.zoneNames, t.vpc);
    this.networkId = this.vpc.id;
    stripDefaultSecurityGroup(scope, this.vpc, t.defaultSecurityGroup);
    const subnets = createSubnets(scope, this.vpc, plan, this.zoneNames, t.subnet);
    const igw = new aws.ec2.InternetGateway(...transformed(`${name}-igw`, { vpcId: this.vpc.id, tags: named(scope, "igw") }, childOptions(scope), t.internetGateway));
    this.natGateways = createNatGateways(scope, nat, zones, subnets.public, t);
    const routeTables = createRoutes(scope, this.vpc, subnets, igw, this.natGateways, t);
    createS3Endpoint(scope, this.vpc, [...routeTables.private, routeTables.isolated], t.s3Endpoint);
    const endpoints = args.interfaceEndpoints ?? (nat === "none" ? TASK_ENDPOINT_SERVICES : []);
    createInterfaceEndpoints(scope, this.vpc, cidr, endpoints, subnets.private, t);
    this.flowLogGroup = createFlowLogs(scope, this.vpc, gatedAccount(this, this.zoneNames), scope.logRetentionDays, args.flowLogAggregationSeconds ?? 60, t);

    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.isolatedSubnetIds = subnets.isolated.map((s) => s.id);
    this.registerOutputs({
      networkId: this.networkId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
    });
  }
}

/**
 * The first `zones` availability zones of the region. The subnet count is the plain `zones` value
 * (so previews show every subnet); the region's zone list is only known inside this apply, so a
 * region with fewer zones fails here, with the same error class as every other bad input.
 */
function zoneNamesFor(parent: pulumi.Resource, zones: number): pulumi.Output<string[]> {
  const available = aws.getAvailabilityZonesOutput({ state: "available" }, { parent }).names;
  return pulumi.all([available, aws.getRegionOutput({}, { parent }).region]).apply(([names, region]) => {
    if (names.length < zones) {
      throw new PolycloudError([
        {
          path: "network.zones",
          message: `${zones} zones requested but region ${region} has ${names.length} available (${names.join(", ")})`,
          fix: `set zones to ${names.length} or fewer, or pick a region with more zones`,
        },
      ]);
    }
    return names.slice(0, zones);
  });
}

/** The stack's account context, resolved only once `gate` has: children scoped to it wait for the gate. */
function gatedAccount(parent: pulumi.Resource, gate: pulumi.Output<unknown>): AccountContext {
  const account = accountContext(parent);
  return { ...account, accountId: pulumi.all([account.accountId, gate]).apply(([id]) => id) };
}

/** Tags with a `Name`, which the EC2 console shows as the resource's name. */
function named(scope: Scope, suffix: string): Record<string, string> {
  return { ...scope.tags, Name: `${scope.name}-${suffix}` };
}

function createVpc(scope: Scope, cidr: string, zoneNames: pulumi.Output<string[]>, t: Transform<aws.ec2.VpcArgs> | undefined): aws.ec2.Vpc {
  const tags = zoneNames.apply((names) => ({ ...named(scope, "vpc"), "polycloud:zones": names.join(" ") }));
  return new aws.ec2.Vpc(
    // DNS hostnames are needed for interface endpoints and RDS/ElastiCache endpoint names.
    ...transformed(`${scope.name}-vpc`, { cidrBlock: cidr, enableDnsSupport: true, enableDnsHostnames: true, tags }, childOptions(scope), t),
  );
}

function stripDefaultSecurityGroup(scope: Scope, vpc: aws.ec2.Vpc, t: Transform<aws.ec2.DefaultSecurityGroupArgs> | undefined): void {
  // Adopting the default group with no rules removes its allow-all rules (CIS AWS 5.4).
  new aws.ec2.DefaultSecurityGroup(...transformed(`${scope.name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: named(scope, "default-do-not-use") }, childOptions(scope), t));
}

type SubnetsByTier = Record<SubnetTier, aws.ec2.Subnet[]>;

function createSubnets(
  scope: Scope,
  vpc: aws.ec2.Vpc,
  plan: readonly PlannedSubnet[],
  zoneNames: pulumi.Output<string[]>,
  t: Transform<aws.ec2.SubnetArgs> | undefined,
): SubnetsByTier {
  const subnets: SubnetsByTier = { public: [], private: [], isolated: [] };
  for (const planned of plan) {
    const name = `${scope.name}-${planned.tier}-${planned.zoneIndex + 1}`;
    subnets[planned.tier].push(
      new aws.ec2.Subnet(
        ...transformed(
          name,
          {
            vpcId: vpc.id,
            cidrBlock: planned.cidr,
            availabilityZone: zoneNames.apply((names) => names[planned.zoneIndex]!),
            // Nothing gets a public IP by itself, not even in public subnets: the load balancer and
            // NAT gateways bring their own addresses (Checkov CKV_AWS_130).
            mapPublicIpOnLaunch: false,
            tags: { ...named(scope, `${planned.tier}-${planned.zoneIndex + 1}`), "polycloud:tier": planned.tier },
          },
          childOptions(scope),
          t,
        ),
      ),
    );
  }
  return subnets;
}

/** NAT gateways: none (no internet from private subnets), one in the first zone, or one per zone. */
function createNatGateways(
  scope: Scope,
  nat: NetworkSpec["nat"],
  zones: number,
  publicSubnets: readonly aws.ec2.Subnet[],
  t: NonNullable<NetworkArgs["transform"]>,
): aws.ec2.NatGateway[] {
  const count = nat === "none" ? 0 : nat === "single" ? 1 : zones;
  return Array.from({ length: count }, (_, i) => {
    const name = `${scope.name}-nat-${i + 1}`;
    const eip = new aws.ec2.Eip(...transformed(`${name}-eip`, { domain: "vpc", tags: named(scope, `nat-${i + 1}`) }, childOptions(scope), t.eip));
    return new aws.ec2.NatGateway(...transformed(name, { allocationId: eip.id, subnetId: publicSubnets[i]!.id, tags: named(scope, `nat-${i + 1}`) }, childOptions(scope), t.natGateway));
  });
}

/**
 * One public route table (default route to the internet gateway), one private table per zone (default
 * route to its zone's NAT gateway, or the single one, or none) and one isolated table with no route out.
 */
function createRoutes(
  scope: Scope,
  vpc: aws.ec2.Vpc,
  subnets: SubnetsByTier,
  igw: aws.ec2.InternetGateway,
  natGateways: readonly aws.ec2.NatGateway[],
  t: NonNullable<NetworkArgs["transform"]>,
): { public: aws.ec2.RouteTable; private: aws.ec2.RouteTable[]; isolated: aws.ec2.RouteTable } {
  const table = (suffix: string) =>
    new aws.ec2.RouteTable(...transformed(`${scope.name}-${suffix}-rt`, { vpcId: vpc.id, tags: named(scope, suffix) }, childOptions(scope), t.routeTable));
  const associate = (subnet: aws.ec2.Subnet, suffix: string, routeTable: aws.ec2.RouteTable) => {
    const name = `${scope.name}-${suffix}-rta`;
    new aws.ec2.RouteTableAssociation(...transformed(name, { subnetId: subnet.id, routeTableId: routeTable.id }, childOptions(scope), t.routeTableAssociation));
  };
  const defaultRoute = (suffix: string, routeTable: aws.ec2.RouteTable, target: Pick<aws.ec2.RouteArgs, "gatewayId" | "natGatewayId">) => {
    const name = `${scope.name}-${suffix}-default-route`;
    new aws.ec2.Route(...transformed(name, { routeTableId: routeTable.id, destinationCidrBlock: "0.0.0.0/0", ...target }, childOptions(scope), t.route));
  };

  const publicTable = table("public");
  defaultRoute("public", publicTable, { gatewayId: igw.id });
  subnets.public.forEach((subnet, i) => associate(subnet, `public-${i + 1}`, publicTable));

  const privateTables = subnets.private.map((subnet, i) => {
    const suffix = `private-${i + 1}`;
    const routeTable = table(suffix);
    const natGateway = natGateways[i] ?? natGateways[0];
    if (natGateway !== undefined) defaultRoute(suffix, routeTable, { natGatewayId: natGateway.id });
    associate(subnet, suffix, routeTable);
    return routeTable;
  });

  const isolatedTable = table("isolated");
  subnets.isolated.forEach((subnet, i) => associate(subnet, `isolated-${i + 1}`, isolatedTable));
  return { public: publicTable, private: privateTables, isolated: isolatedTable };
}

/** S3 traffic from private and isolated subnets stays on the AWS network and skips NAT charges. */
function createS3Endpoint(scope: Scope, vpc: aws.ec2.Vpc, routeTables: aws.ec2.RouteTable[], t: Transform<aws.ec2.VpcEndpointArgs> | undefined): void {
  const name = `${scope.name}-s3-endpoint`;
  new aws.ec2.VpcEndpoint(
    ...transformed(
      name,
      {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${aws.getRegionOutput({}, { parent: scope.parent }).region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: routeTables.map((rt) => rt.id),
        tags: named(scope, "s3-endpoint"),
      },
      childOptions(scope),
      t,
    ),
  );
}

/**
 * Interface endpoints for `services` in the private subnets, with private DNS so that SDKs and the ECS
 * agent reach them under the usual host names, behind a group that admits HTTPS from the VPC only.
 */
function createInterfaceEndpoints(
  scope: Scope,
  vpc: aws.ec2.Vpc,
  cidr: string,
  services: readonly string[],
  privateSubnets: readonly aws.ec2.Subnet[],
  t: NonNullable<NetworkArgs["transform"]>,
): void {
  if (services.length === 0) return;
  const sgName = `${scope.name}-endpoints-sg`;
  const group = new aws.ec2.SecurityGroup(
    ...transformed(
      sgName,
      { vpcId: vpc.id, description: `Interface endpoints of ${scope.name}`, tags: named(scope, "endpoints") },
      childOptions(scope),
      t.endpointSecurityGroup,
    ),
  );
  createRule(scope, "endpoints-in-443", "ingress", { securityGroupId: group.id, peer: { cidrIpv4: cidr }, port: 443, description: "HTTPS from the VPC" }, t.endpointIngressRule === undefined ? {} : { ingressRule: t.endpointIngressRule });
  const region = aws.getRegionOutput({}, { parent: scope.parent }).region;
  for (const service of services) {
    const name = `${scope.name}-${service.replace(/\./g, "-")}-endpoint`;
    new aws.ec2.VpcEndpoint(
      ...transformed(
        name,
        {
          vpcId: vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [group.id],
          privateDnsEnabled: true,
          tags: named(scope, `${service}-endpoint`),
        },
        childOptions(scope),
        t.interfaceEndpoint,
      ),
    );
  }
}

/** Flow logs of all traffic to a KMS-encrypted log group, written through a role limited to that group. */
function createFlowLogs(
  scope: Scope,
  vpc: aws.ec2.Vpc,
  account: AccountContext,
  retentionDays: number,
  aggregationSeconds: number,
  t: NonNullable<NetworkArgs["transform"]>,
): aws.cloudwatch.LogGroup {
  const key = createKey(scope, "flow-logs-key", { description: `VPC flow logs of ${scope.name}`, account, users: ["logs"], transforms: t });
  const logGroup = createLogGroup(scope, "flow-logs", {
    logGroupName: logGroupNameOf(scope, "flow-logs"),
    retentionDays,
    kmsKeyArn: key.arn,
    ...(t.flowLogGroup === undefined ? {} : { transform: t.flowLogGroup }),
  });
  const role = createServiceRole(scope, "flow-logs-role", {
    service: "vpc-flow-logs.amazonaws.com",
    account,
    policy: writeLogGroupPolicy(logGroup.arn),
    ...(t.flowLogRole === undefined ? {} : { transforms: t.flowLogRole }),
  });
  const flowLogName = `${scope.name}-flow-log`;
  new aws.ec2.FlowLog(
    ...transformed(
      flowLogName,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: aggregationSeconds,
        tags: named(scope, "flow-log"),
      },
      childOptions(scope),
      t.flowLog,
    ),
  );
  return logGroup;
}
