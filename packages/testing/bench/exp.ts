/* eslint-disable */
async function main() {
  process.setSourceMapsEnabled(false);
  const mode = process.argv[2];
  const n = 900;
  const pulumi = await import("@pulumi/pulumi");
  const aws = await import("@pulumi/aws");
  const prog = () => {
    for (let i = 0; i < n; i += 3) {
      const vpc = new aws.ec2.Vpc(`vpc-${i}`, { cidrBlock: "10.0.0.0/16", tags: { index: String(i) } });
      new aws.ec2.Subnet(`subnet-${i}`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
      new aws.ec2.SecurityGroup(`sg-${i}`, { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
    }
  };
  (globalThis as any).gc();
  const before = process.memoryUsage().heapUsed;
  let keep: unknown;
  if (mode === "bare-stack") {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}_id`, state: a.inputs }), call: (a) => a.inputs }, "project", "stack", false);
    await pulumi.runtime.runInPulumiStack(async () => { prog(); return {}; });
    await (require("@pulumi/pulumi/runtime/settings") as any).waitForRPCs();
  } else {
    const { runProgram } = await import("../src/index");
    keep = await runProgram(prog, { timeoutMs: 60000 });
  }
  (globalThis as any).gc();
  console.log(mode, ((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(1), "MB retained", keep ? "" : "");
  process.exit(0);
}
main();
