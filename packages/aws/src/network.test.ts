import * as aws from "@pulumi/aws";
import { PolycloudError, type NetworkSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Network, TASK_ENDPOINT_SERVICES } from "./network";
import { INGRESS } from "./__tests__/fixtures";

// Type tokens where the resource's args are required: the harness's typed inputs infer `never` for them.
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE = "aws:ec2/route:Route";
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

const spec = (overrides: Partial<NetworkSpec> = {}): NetworkSpec => ({
  cidr: "10.0.0.0/16",
  zones: 2,
  nat: "single",
  loadBalancer: { public: true, tls: true, waf: false },
  cdn: false,
  ...overrides,
});

const run = (network: NetworkSpec, extra: Partial<ConstructorParameters<typeof Network>[1]> = {}) =>
  runProgram(() => {
    new Network("net", { app: "shop", network, ...extra });
  }, { provider: "aws" });

describe("Network", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run(spec());
  }, 60_000);

  it("creates a VPC with tiered subnets, flow logs, an S3 endpoint and an empty default group when defaults are used", () => {
    const plan = defaults;
    expect(plan.find(aws.ec2.Vpc).inputs).toMatchObject({
      cidrBlock: "10.0.0.0/16",
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { "polycloud:zones": "us-east-1a us-east-1b" },
    });
    plan.resourceCountIs(aws.ec2.Subnet, 6);
    for (const subnet of plan.resources(SUBNET)) expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
    expect(plan.resources(SUBNET).map((s) => s.inputs.availabilityZone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b"]);
    expect(plan.find(aws.ec2.DefaultSecurityGroup).inputs).toMatchObject({ ingress: [], egress: [] });
    plan.resourceCountIs(aws.ec2.InternetGateway, 1);
    expect(plan.find(aws.ec2.FlowLog).inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs", maxAggregationInterval: 60 });
    const logGroup = plan.find(aws.cloudwatch.LogGroup);
    expect(logGroup.inputs.retentionInDays).toBe(14);
    expect(logGroup.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(logGroup.inputs.kmsKeyId).toBe(plan.find(aws.kms.Key).outputs.arn);
    expect(plan.find(aws.kms.Key).inputs.enableKeyRotation).toBe(true);
    const endpoint = plan.find(VPC_ENDPOINT);
    expect(endpoint.inputs).toMatchObject({ vpcEndpointType: "Gateway", serviceName: "com.amazonaws.us-east-1.s3" });
    // Private (one per zone) and isolated route tables use the endpoint.
    expect(endpoint.inputs.routeTableIds).toHaveLength(3);
  });

  it("routes the public tier to the internet gateway and leaves the isolated tier without a route out when defaults are used", () => {
    const plan = defaults;
    const routes = plan.resources(ROUTE);
    const igw = plan.find(aws.ec2.InternetGateway).id;
    expect(igw).toMatch(/^igw-/);
    expect(routes.filter((r) => r.inputs.gatewayId === igw)).toHaveLength(1);
    const isolated = plan.find(aws.ec2.RouteTable, "net-isolated-rt").id;
    expect(routes.filter((r) => r.inputs.routeTableId === isolated)).toHaveLength(0);
  });

  it.each([
    ["none", 0],
    ["single", 1],
    ["perZone", 3],
  ] as const)("creates %s NAT as %i gateways when nat is set", async (nat, gateways) => {
    const plan = await run(spec({ nat, zones: 3 }));
    plan.resourceCountIs(aws.ec2.NatGateway, gateways);
    plan.resourceCountIs(aws.ec2.Eip, gateways);
    // Every private table routes out through a NAT gateway, unless there is none.
    const natRoutes = plan.resources(ROUTE).filter((r) => r.inputs.natGatewayId !== undefined);
    expect(natRoutes).toHaveLength(gateways === 0 ? 0 : 3);
    expect(new Set(natRoutes.map((r) => r.inputs.natGatewayId)).size).toBe(gateways);
  });

  it("uses the log retention and aggregation interval when they are set", async () => {
    const plan = await run(spec(), { logRetentionDays: 365, flowLogAggregationSeconds: 600 });
    expect(plan.find(aws.cloudwatch.LogGroup).inputs.retentionInDays).toBe(365);
    expect(plan.find(aws.ec2.FlowLog).inputs.maxAggregationInterval).toBe(600);
  });

  it("applies a transform to a child when one is given", async () => {
    const plan = await run(spec(), { transform: { vpc: { instanceTenancy: "dedicated" } } });
    expect(plan.find(aws.ec2.Vpc).inputs.instanceTenancy).toBe("dedicated");
  });

  it("lets a function transform change a child's resource options, by the child's name", async () => {
    const plan = await run(spec(), {
      transform: {
        subnet: (_args, opts, name) => (name.endsWith("-isolated-1") ? { opts: { ...opts, retainOnDelete: true, ignoreChanges: ["tags"] } } : undefined),
      },
    });
    const isolated = plan.find(SUBNET, (r) => r.name.endsWith("-isolated-1"));
    expect(isolated.options).toMatchObject({ retainOnDelete: true, ignoreChanges: ["tags"] });
    expect(plan.find(SUBNET, (r) => r.name.endsWith("-public-1")).options.retainOnDelete).toBe(false);
  });

  it("tags every subnet with the app, environment and tier when tags are given", async () => {
    const plan = await run(spec(), { tags: { team: "payments" } });
    for (const subnet of plan.resources(SUBNET)) {
      expect(subnet.inputs.tags).toMatchObject({ team: "payments", app: "shop", environment: "development", "polycloud:tier": expect.stringMatching(/^(public|private|isolated)$/) });
    }
  });

  it.each([
    ["an invalid CIDR", { cidr: "10.0.0.0/33" }, /network\.cidr/],
    ["a public CIDR", { cidr: "8.8.0.0/16" }, /network\.cidr: "8\.8\.0\.0\/16" is not a private range/],
    ["a CIDR too small for the zones", { cidr: "10.0.0.0/24", zones: 6 }, /network\.cidr: .*fits at most 4 zones/],
  ])("throws PolycloudError with the field path when given %s", async (_, override, message) => {
    await expect(run(spec(override))).rejects.toThrow(PolycloudError);
    await expect(run(spec(override))).rejects.toThrow(message);
  });

  it("throws PolycloudError naming network.zones when the region has fewer zones", async () => {
    const error = await run(spec({ zones: 6 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as PolycloudError).message).toMatch(/network\.zones: 6 zones requested but region us-east-1 has 3 available \(us-east-1a, us-east-1b, us-east-1c\)/);
  });

  it("creates nothing before failing when the region has fewer zones", async () => {
    const created: string[] = [];
    const record = ({ name }: { name: string }) => {
      created.push(name);
      return undefined;
    };
    const types = ["aws:ec2/vpc:Vpc", "aws:kms/key:Key", "aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup", "aws:ec2/subnet:Subnet"];
    const error = await runProgram(() => {
      new Network("net", { app: "shop", network: spec({ zones: 6 }) });
    }, { provider: "aws", mocks: Object.fromEntries(types.map((type) => [type, record])) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect(created).toEqual([]);
  });

  it("reaches AWS services through private interface endpoints open to the VPC on 443 when nat is none", async () => {
    const plan = await run(spec({ nat: "none" }));
    const endpoints = plan.resources(VPC_ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(endpoints.map((e) => e.inputs.serviceName)).toEqual([...TASK_ENDPOINT_SERVICES].map((s) => `com.amazonaws.us-east-1.${s}`));
    const group = plan.find(aws.ec2.SecurityGroup, "net-endpoints-sg");
    const privateSubnets = plan.resources(SUBNET).filter((s) => s.inputs.tags?.["polycloud:tier"] === "private").map((s) => s.id);
    for (const endpoint of endpoints) {
      expect(endpoint.inputs).toMatchObject({ privateDnsEnabled: true, subnetIds: privateSubnets, securityGroupIds: [group.id] });
    }
    expect(plan.find(INGRESS).inputs).toMatchObject({ securityGroupId: group.id, cidrIpv4: "10.0.0.0/16", fromPort: 443, toPort: 443 });
  });

  it("creates the interface endpoints given, and none by default with NAT, when interfaceEndpoints is set", async () => {
    const endpointsOf = (plan: Awaited<ReturnType<typeof run>>) => plan.resources(VPC_ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface").map((e) => e.inputs.serviceName);
    expect(endpointsOf(defaults)).toEqual([]);
    expect(endpointsOf(await run(spec(), { interfaceEndpoints: ["ssm"] }))).toEqual(["com.amazonaws.us-east-1.ssm"]);
  });
});
