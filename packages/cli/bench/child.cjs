// One measurement of `pnpm bench`, in a fresh Node process on the compiled packages (what users run):
//   node child.cjs plan <spec> <provider>   plan a spec as `polycloud plan` does; time after the imports
//   node child.cjs mocks <resources> <runs> the same program on bare setMocks and on runProgram, in turn
// Prints one JSON line. Source-mapped stack traces stay off, as in a plain `node` run.
/* global require, process, __dirname, global, setInterval, clearInterval */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script, run by node as is */
"use strict";
const { join } = require("node:path");

const root = join(__dirname, "..", "..", "..");
const fromPackage = (pkg, id) => require(require.resolve(id, { paths: [join(root, "packages", pkg)] }));

const mb = (bytes) => bytes / 2 ** 20;
/** Peak resident set size of this process so far, in MB. */
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function plan(specPath, provider) {
  const started = process.hrtime.bigint();
  const { planSpec, specContext } = require(join(root, "packages", "cli", "dist", "index.js"));
  const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: root, homeDir: root };
  const context = specContext(specPath, { provider }, io);
  const loaded = process.hrtime.bigint();
  const document = await planSpec(context);
  const done = process.hrtime.bigint();
  return {
    resources: document.resources.length,
    importMs: Number(loaded - started) / 1e6,
    planMs: Number(done - loaded) / 1e6,
    peakRssMb: peakRssMb(),
  };
}

/** VPC, subnet and security group chains with input dependencies: `n` resources. */
function program(aws, n) {
  const ids = [];
  for (let i = 0; i < n; i += 3) {
    const vpc = new aws.ec2.Vpc(`vpc-${i}`, { cidrBlock: "10.0.0.0/16", tags: { index: String(i) } });
    ids.push(vpc.id);
    if (i + 1 < n) ids.push(new aws.ec2.Subnet(`subnet-${i}`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }).id);
    if (i + 2 < n) ids.push(new aws.ec2.SecurityGroup(`sg-${i}`, { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }).id);
  }
  return ids;
}

async function mocks(n, runs) {
  const pulumi = fromPackage("testing", "@pulumi/pulumi");
  const aws = fromPackage("testing", "@pulumi/aws");
  const { runProgram } = require(join(root, "packages", "testing", "dist", "index.js"));
  // Bare mocks as tests hand-roll them: echo the inputs, invent an id, await every id.
  const bare = async (count) => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}_id`, state: args.inputs }), call: (args) => args.inputs }, "project", "stack", false);
    await Promise.all(program(aws, count).map((id) => new Promise((resolve) => id.apply(resolve))));
  };
  const harness = async (count) => {
    const recorded = await runProgram(() => void program(aws, count), { timeoutMs: 60_000 });
    if (recorded.resources().length !== count) throw new Error(`recorded ${recorded.resources().length} of ${count} resources`);
  };
  const measure = async (run) => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const started = process.hrtime.bigint();
    await run(n);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    return { ms, heapMb: mb(Math.max(peak, process.memoryUsage().heapUsed) - before) };
  };
  // A warm-up of each (module loading, JIT), then the two in turn, so drift hits both alike.
  await bare(30);
  await harness(30);
  const samples = { bare: [], harness: [] };
  for (let i = 0; i < runs; i++) {
    samples.bare.push(await measure(bare));
    samples.harness.push(await measure(harness));
  }
  return samples;
}

const [mode, ...args] = process.argv.slice(2);
const work = mode === "plan" ? plan(args[0], args[1]) : mode === "mocks" ? mocks(Number(args[0]), Number(args[1])) : Promise.reject(new Error(`unknown mode ${mode}`));
work.then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // Bare mocks leave the SDK's leak detector armed; the figures are out, so leave at once.
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
