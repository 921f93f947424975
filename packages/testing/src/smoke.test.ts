import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "./index";

class Net extends pulumi.ComponentResource {
  vpcId: pulumi.Output<string>;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("polycloud:aws:Network", name, {}, opts);
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: "10.0.0.0/16" }, { parent: this, aliases: [{ name: "old" }] });
    new aws.ec2.Subnet(`${name}-a`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }, { parent: vpc });
    this.vpcId = vpc.id;
    this.registerOutputs({ vpcId: vpc.id });
  }
}

describe("smoke", () => {
  it("component", async () => {
    const plan = await runProgram(() => {
      const n = new Net("net");
      return { id: n.vpcId };
    });
    console.log(JSON.stringify(plan.toJSON().resources.map((r) => [r.urn, r.parent, r.outputs, r.options.aliases])));
    expect(plan.children(plan.find("polycloud:aws:Network")).length).toBe(1);
  });
  it("hang", async () => {
    const never = new Promise<string>(() => undefined);
    await expect(runProgram(() => { new aws.s3.Bucket("logs", { bucket: never }); }, { timeoutMs: 300 })).rejects.toThrow(/logs/);
  });
  it("hang in output", async () => {
    const never = new Promise<string>(() => undefined);
    await expect(runProgram(() => ({ x: pulumi.output(never) }), { timeoutMs: 300 })).rejects.toThrow(/stack outputs/);
  });
  it("program error", async () => {
    const err = new Error("boom");
    await expect(runProgram(() => { throw err; })).rejects.toBe(err);
  });
  it("apply error", async () => {
    await expect(runProgram(() => { new aws.s3.Bucket("b", { bucket: pulumi.output("x").apply(() => { throw new Error("in apply"); }) }); })).rejects.toThrow(/in apply/);
  });
  it("unmocked invoke as output", async () => {
    await expect(runProgram(() => { new aws.s3.Bucket("b", { bucket: aws.ec2.getAmiOutput({ owners: ["x"] }).id }); })).rejects.toThrow(/getAmi/);
  });
  it("unmocked invoke awaited", async () => {
    await expect(runProgram(async () => { await aws.ec2.getAmi({ owners: ["x"] }); })).rejects.toThrow(/getAmi/);
  });
  it("bad options", async () => {
    await expect(runProgram(() => undefined, { timeout: 3 } as never)).rejects.toThrow(/timeoutMs/);
  });
});
describe("more", () => {
  it("mock throws", async () => {
    await expect(runProgram(() => { new aws.s3.Bucket("b"); }, { mocks: { "aws:s3/bucket:Bucket": () => { throw new Error("nope"); } } })).rejects.toThrow(/aws:s3\/bucket:Bucket "b": nope/);
  });
  it("invoke handler throws, program catches", async () => {
    const plan = await runProgram(async () => { try { await aws.ec2.getAmi({ owners: ["x"] }); } catch (e) { return { msg: (e as Error).message }; } return {}; }, { mocks: { "aws:ec2/getAmi:getAmi": () => { throw new Error("no ami"); } } });
    expect(plan.outputs.msg).toMatch(/no ami/);
  });
});
