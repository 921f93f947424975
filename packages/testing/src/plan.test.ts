import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolycloudError } from "@polycloud/core";
import { AssertionError, Capture, Match, runProgram } from "./index";
import type { InputsOf, Plan } from "./index";

function web(): void {
  const vpc = new aws.ec2.Vpc("main", { cidrBlock: "10.0.0.0/16", tags: { env: "dev" } });
  new aws.ec2.SecurityGroup("web", {
    vpcId: vpc.id,
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  });
  new aws.ec2.SecurityGroup("db", {
    vpcId: vpc.id,
    ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }],
  });
  new aws.ec2.SecurityGroup("cache", {
    vpcId: vpc.id,
    ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["10.0.0.0/16"] }],
  });
  new aws.ssm.Parameter("token", { type: "SecureString", value: pulumi.secret("tok-very-secret") });
}

describe("Plan", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runProgram(web);
  });

  it("lists resources, all or of one type, in creation order", () => {
    expect(plan.resources().map((r) => r.name)).toEqual(["main", "web", "db", "cache", "token"]);
    expect(plan.resources(aws.ec2.SecurityGroup).map((r) => r.name)).toEqual(["web", "db", "cache"]);
    expect(plan.resources("aws:ec2/securityGroup:SecurityGroup")).toHaveLength(3);
  });

  it("finds one resource by name, pattern or predicate, with typed inputs for a class", () => {
    expect(plan.find(aws.ec2.SecurityGroup, "db").name).toBe("db");
    const web = plan.find(aws.ec2.SecurityGroup, { ingress: [{ fromPort: 443 }] });
    expect(web.inputs.ingress?.[0]?.toPort).toBe(443);
    expect(plan.find(aws.ec2.SecurityGroup, (r) => r.name.startsWith("ca")).name).toBe("cache");
    expect(plan.findAll(aws.ec2.SecurityGroup, { ingress: Match.arrayWith([{ cidrBlocks: ["10.0.0.0/16"] }]) }).map((r) => r.name)).toEqual(["db", "cache"]);
  });

  it("throws when several resources match, listing them", () => {
    expect(() => plan.find(aws.ec2.SecurityGroup)).toThrow(AssertionError);
    expect(() => plan.find(aws.ec2.SecurityGroup)).toThrow(/expected exactly one aws:ec2\/securityGroup:SecurityGroup, found 3:\n {2}- web/);
  });

  it("prints the closest candidates and where each differs when nothing matches", () => {
    let message = "";
    try {
      plan.hasResource(aws.ec2.SecurityGroup, { ingress: [{ fromPort: 22, protocol: "tcp" }] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("Plan.hasResource: expected a aws:ec2/securityGroup:SecurityGroup with inputs matching");
    expect(message).toContain("3 candidates; each differs:");
    expect(message).toContain("  web (urn:pulumi:stack::project::aws:ec2/securityGroup:SecurityGroup::web):\n    at inputs.ingress[0].fromPort: expected 22, got 443");
    expect(message).toContain("    at inputs.ingress[0].fromPort: expected 22, got 5432");
  });

  it("names the types the plan has when a type is missing", () => {
    expect(() => plan.find("aws:ec2/securitygroup:SecurityGroup")).toThrow(/Similar types in the plan: aws:ec2\/securityGroup:SecurityGroup/);
    expect(() => plan.resourceCountIs("aws:s3/bucket:Bucket", 1)).toThrow(/expected 1 aws:s3\/bucket:Bucket, found 0\nTypes in the plan: aws:ec2\/securityGroup:SecurityGroup, aws:ec2\/vpc:Vpc, aws:ssm\/parameter:Parameter/);
  });

  it("never prints a secret in a failure message", () => {
    expect(() => plan.hasResource(aws.ssm.Parameter, { value: "guess" })).toThrow(/at inputs\.value: expected "guess", got \[secret\]/);
    // The candidate's secret input is in the failure message only as [secret].
    expect(() => plan.hasResource(aws.ssm.Parameter, { type: "String" })).toThrow(/at inputs\.type: expected "String", got "SecureString"/);
    expect(() => plan.hasResource(aws.ssm.Parameter, { type: "String" })).toThrow(expect.objectContaining({ message: expect.not.stringContaining("tok-very-secret") }));
  });

  it("counts resources", () => {
    plan.resourceCountIs(aws.ec2.SecurityGroup, 3);
    plan.resourceCountIs(aws.ec2.SecurityGroup, 2, { ingress: Match.arrayWith([{ cidrBlocks: ["10.0.0.0/16"] }]) });
    expect(() => plan.resourceCountIs(aws.ec2.SecurityGroup, 2)).toThrow(/expected 2 aws:ec2\/securityGroup:SecurityGroup, found 3:\n {2}- web\n {2}- db\n {2}- cache/);
  });

  it("captures values from a successful match only", () => {
    const port = new Capture();
    plan.hasResource(aws.ec2.SecurityGroup, { ingress: [{ fromPort: port, cidrBlocks: ["0.0.0.0/0"] }] });
    expect(port.asNumber()).toBe(443);
    expect(port.all()).toEqual([443]);
  });

  it("snapshots sorted by URN, secrets redacted", () => {
    const json = plan.toJSON();
    expect(json.resources.map((r) => r.urn)).toEqual([...json.resources.map((r) => r.urn)].sort());
    const token = json.resources.find((r) => r.name === "token")!;
    expect(token.inputs).toEqual({ type: "SecureString", value: "[secret]" });
    expect(token.outputs["value"]).toBe("[secret]");
    expect(JSON.stringify(json)).not.toContain("tok-very-secret");
    expect(Object.keys(json.resources[0]!.inputs)).toEqual([...Object.keys(json.resources[0]!.inputs)].sort());
  });

  it("walks a component's children and descendants", async () => {
    class App extends pulumi.ComponentResource {
      constructor(name: string) {
        super("polycloud:test:App", name);
        const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: "10.0.0.0/16" }, { parent: this });
        new aws.ec2.Subnet(`${name}-subnet`, { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" }, { parent: vpc });
        this.registerOutputs({});
      }
    }
    const p = await runProgram(() => void new App("app"));
    const app = p.find("polycloud:test:App");
    expect(p.children(app).map((r) => r.name)).toEqual(["app-vpc"]);
    expect(p.descendants(app).map((r) => r.name)).toEqual(["app-vpc", "app-subnet"]);
    expect(p.parentOf(p.find(aws.ec2.Subnet))?.name).toBe("app-vpc");
    expect(p.parentOf(app)).toBeUndefined();
  });

  it("types inputs and queries of classes whose constructor args are required", async () => {
    const p = await runProgram(() => {
      const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
      new aws.ec2.Subnet("a", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
      new aws.ecs.Service("api", { cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/main", desiredCount: 2 });
    });
    // These lines compile only while InputsOf keeps the args' types (it once gave `never` for such classes).
    const subnet = p.find(aws.ec2.Subnet, { cidrBlock: "10.0.1.0/24" });
    const vpcId: string = subnet.inputs.vpcId;
    // @ts-expect-error vpcId is a string, not a number (fails to compile if inputs became `any`)
    const wrong: number = subnet.inputs.vpcId;
    // @ts-expect-error a query is checked against the args too
    p.findAll(aws.ec2.Subnet, { cidrBlock: 24 });
    const desired: InputsOf<typeof aws.ecs.Service>["desiredCount"] = p.find(aws.ecs.Service).inputs.desiredCount;
    expect([vpcId, wrong, desired]).toEqual([p.find(aws.ec2.Vpc).id, vpcId, 2]);
  });

  it("rejects a class without a type token with a PolycloudError", () => {
    class Mine extends pulumi.ComponentResource {}
    expect(() => plan.resources(Mine)).toThrow(PolycloudError);
    expect(() => plan.resources(Mine)).toThrow(/type: Mine has no static __pulumiType/);
  });
});
