/**
 * Benchmark: time and peak memory of recording N resources through `runProgram` against bare
 * `pulumi.runtime.setMocks` running the same program. Each measurement runs in a fresh Node process.
 *
 *     pnpm --filter @polycloud/testing bench            # 300 and 3000 resources, 3 processes each
 *     pnpm --filter @polycloud/testing bench 1000 2     # 1000 resources, 2 processes
 *
 * Not a test: it prints a table (markdown) for the README.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { runProgram } from "../src/index";

const settings = settingsModule as unknown as { waitForRPCs(): Promise<void> };

/**
 * bare: `setMocks` and the program, waiting on every id, as tests hand-roll it.
 * bare-stack: the same inside `runInPulumiStack`, as a real Pulumi program runs (a stack parents
 * every resource), waiting with the runtime's own `waitForRPCs`.
 * harness: `runProgram`.
 */
type Mode = "bare" | "bare-stack" | "harness";

interface Sample {
  readonly ms: number;
  /** Peak heap used during the run, above the heap before it, in MB. */
  readonly heapMb: number;
  /** Peak resident set size of the process, in MB. */
  readonly rssMb: number;
}

/** A program creating `n` resources: VPC, subnet, security group chains with input dependencies. */
function program(n: number): Record<string, unknown> {
  const urns: unknown[] = [];
  for (let i = 0; i < n; i += 3) {
    const vpc = new aws.ec2.Vpc(`vpc-${i}`, { cidrBlock: "10.0.0.0/16", tags: { index: String(i) } });
    urns.push(vpc.urn);
    if (i + 1 < n) urns.push(new aws.ec2.Subnet(`subnet-${i}`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }).urn);
    if (i + 2 < n) urns.push(new aws.ec2.SecurityGroup(`sg-${i}`, { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }).urn);
  }
  return { count: urns.length };
}

/** Bare `setMocks` as users hand-roll it: echo the inputs, invent an id. */
function installBareMocks(): Promise<void> {
  return pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}_id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
}

async function runBare(n: number): Promise<void> {
  const ids: Array<Promise<unknown>> = [];
  await installBareMocks();
  // The usual hand-rolled way to wait: collect every resource's id and await them all.
  for (let i = 0; i < n; i += 3) {
    const vpc = new aws.ec2.Vpc(`vpc-${i}`, { cidrBlock: "10.0.0.0/16", tags: { index: String(i) } });
    ids.push(promiseOf(vpc.id));
    if (i + 1 < n) ids.push(promiseOf(new aws.ec2.Subnet(`subnet-${i}`, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" }).id));
    if (i + 2 < n) ids.push(promiseOf(new aws.ec2.SecurityGroup(`sg-${i}`, { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }).id));
  }
  await Promise.all(ids);
}

function promiseOf<T>(output: { apply<U>(f: (v: T) => U): unknown }): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

async function runBareStack(n: number): Promise<void> {
  await installBareMocks();
  await pulumi.runtime.runInPulumiStack(async () => program(n));
  await settings.waitForRPCs();
}

async function runHarness(n: number): Promise<void> {
  const plan = await runProgram(() => program(n), { timeoutMs: 60_000 });
  if (plan.resources().length !== n) throw new Error(`recorded ${plan.resources().length} of ${n} resources`);
}

/** Child: a warm-up run of 30 resources (module loading, JIT), then `repeat` measured runs. */
async function child(mode: Mode, n: number, repeat: number): Promise<void> {
  // tsx turns on source-mapped stack traces; Pulumi takes a stack trace per promise, which would
  // dominate both timings. Compiled JavaScript (what users run under Jest with swc) has none.
  process.setSourceMapsEnabled(false);
  const run = { bare: runBare, "bare-stack": runBareStack, harness: runHarness }[mode];
  await run(30);
  for (let i = 0; i < repeat; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 5);
    const start = process.hrtime.bigint();
    await run(n);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(sampler);
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
    const sample: Sample = { ms, heapMb: (peakHeap - heapBefore) / 2 ** 20, rssMb: peakRss / 2 ** 20 };
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  }
  process.exit(0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median over `processes` fresh processes of `repeat` runs each. */
function measure(mode: Mode, n: number, processes: number, repeat: number): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < processes; i++) {
    // The exit status is ignored: Pulumi's leak detector sets 1 at exit for bare mocks without a stack.
    const { stdout } = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", __filename, "--child", mode, String(n), String(repeat)], {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 24,
    });
    for (const line of stdout.trim().split("\n")) if (line.startsWith("{")) samples.push(JSON.parse(line) as Sample);
  }
  if (samples.length === 0) throw new Error(`no samples for ${mode} ${n}`);
  return { ms: median(samples.map((s) => s.ms)), heapMb: median(samples.map((s) => s.heapMb)), rssMb: median(samples.map((s) => s.rssMb)) };
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    void child(args[1] as Mode, Number(args[2]), Number(args[3]));
    return;
  }
  const sizes = args[0] === undefined ? [300, 3000] : [Number(args[0])];
  const processes = Number(args[1] ?? 3);
  console.log(`Node ${process.version}; median of ${processes} fresh processes x (5 runs for < 1000 resources, else 2), after a warm-up run\n`);
  console.log("| resources | mode | time | peak heap | peak RSS | time / bare | heap / bare | time / bare-stack | heap / bare-stack |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of sizes) {
    const repeat = n < 1000 ? 5 : 2;
    const bare = measure("bare", n, processes, repeat);
    const stack = measure("bare-stack", n, processes, repeat);
    for (const [mode, s] of [["bare setMocks", bare], ["bare setMocks + stack", stack], ["harness", measure("harness", n, processes, repeat)]] as const) {
      console.log(
        `| ${n} | ${mode} | ${s.ms.toFixed(0)} ms | ${s.heapMb.toFixed(0)} MB | ${s.rssMb.toFixed(0)} MB | ${(s.ms / bare.ms).toFixed(2)} | ${(s.heapMb / bare.heapMb).toFixed(2)} | ${(s.ms / stack.ms).toFixed(2)} | ${(s.heapMb / stack.heapMb).toFixed(2)} |`,
      );
    }
  }
}

main();
