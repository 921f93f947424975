import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readProject } from "./scan";

const ROOT = join(__dirname, "..", "..", "..");

/**
 * A user's Pulumi project outside the repository that depends on nothing of ours: Pulumi.yaml, a
 * TypeScript program and @pulumi/aws in its node_modules (linked to the copy installed here).
 */
function userProject(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "polycloud-scan-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  mkdirSync(join(dir, "node_modules", "@pulumi"), { recursive: true });
  symlinkSync(dirname(require.resolve("@pulumi/aws/package.json", { paths: [join(ROOT, "packages", "policy")] })), join(dir, "node_modules", "@pulumi", "aws"));
  return dir;
}

interface ScanRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real command, from its sources, in one separate process for all the runs (loading the CLI's
 * sources costs seconds): each run's exit code and output, as `run` gives them to the shell.
 */
function scans(runs: readonly { readonly args: readonly string[]; readonly cwd: string }[]): ScanRun[] {
  const script = [
    `const { run } = require(${JSON.stringify(join(ROOT, "packages/cli/src/cli.ts"))});`,
    "(async () => {",
    "  const results = [];",
    `  for (const { args, cwd } of ${JSON.stringify(runs)}) {`,
    "    let stdout = ''; let stderr = '';",
    "    const io = { stdout: { write: (t) => { stdout += t; } }, stderr: { write: (t) => { stderr += t; } }, env: {}, cwd, homeDir: cwd };",
    "    const code = await run(['scan', ...args], io);",
    "    results.push({ code, stdout, stderr });",
    "  }",
    "  process.stdout.write(JSON.stringify(results));",
    "})();",
  ].join("\n");
  // Run from outside the repository, as a user would: tsx would otherwise compile with the repository's tsconfig.
  const cwd = mkdtempSync(join(tmpdir(), "polycloud-scan-runner-"));
  dirs.push(cwd);
  const result = spawnSync(process.execPath, ["--conditions=source", "--require", require.resolve("tsx/cjs", { paths: [ROOT] }), "-e", script], { cwd, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } });
  if (result.status !== 0) throw new Error(`the scans failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ScanRun[];
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const bucket = new aws.s3.Bucket(config.require("bucketName"));
new aws.vpc.SecurityGroupIngressRule("ssh", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "admin access" });
new aws.cloudwatch.LogGroup("audit", { kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", tags: { "polycloud:suppress:PC-AWS-CW-001": "audit logs are kept forever" } });
export const bucketName = bucket.bucket;
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("polycloud scan", () => {
  let text: ScanRun;
  let json: ScanRun;
  let sarif: ScanRun;
  beforeAll(() => {
    const withMain = userProject({ "Pulumi.yaml": "name: tiny\nruntime: nodejs\nmain: src/main.ts\n", "Pulumi.dev.yaml": "config:\n  tiny:bucketName: data\n", "src/main.ts": PROGRAM });
    const plain = userProject({ "Pulumi.yaml": "name: tiny\nruntime: nodejs\n", "Pulumi.dev.yaml": "config:\n  tiny:bucketName: data\n", "index.ts": PROGRAM });
    dirs.push(withMain, plain);
    [text, json, sarif] = scans([
      { args: ["."], cwd: withMain },
      { args: [".", "--json", "--policy", "advisory"], cwd: plain },
      { args: [".", "--format", "sarif"], cwd: plain },
    ]) as [ScanRun, ScanRun, ScanRun];
  }, 60_000);

  it("runs a TypeScript Pulumi project from outside the repository on the mocks and exits 1 on its mandatory findings", () => {
    expect(text.stderr).toBe("");
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Scan: tiny \(src\/main\.ts\) on mocks: no credentials, no Pulumi CLI\n/);
    expect(text.stdout).toContain("[mandatory] PC-AWS-S3-001 S3 bucket has a public access block that blocks everything\n    data (aws:s3/bucket:Bucket): no BucketPublicAccessBlock is attached to the bucket\n    fix: Attach");
    expect(text.stdout).toContain("[mandatory] PC-AWS-EC2-001 No security group ingress from the internet to SSH (port 22)\n    ssh (aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule)");
    expect(text.stdout).toContain("[suppressed] PC-AWS-CW-001 audit (aws:cloudwatch/logGroup:LogGroup): audit logs are kept forever");
  });

  it("writes the report with --json (exit 0 with --policy advisory), and SARIF 2.1.0 with --format sarif", () => {
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.summary).toMatchObject({ mandatory: 2, suppressed: 1, passed: false, resources: 3 });
    expect(report.findings.filter((f: { severity: string }) => f.severity === "mandatory").map((f: { ruleId: string }) => f.ruleId)).toEqual(["PC-AWS-S3-001", "PC-AWS-EC2-001"]);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results[0]).toMatchObject({ ruleId: "PC-AWS-S3-001", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "index.ts" } } }] });
  });
});

describe("readProject", () => {
  it.each([
    [{}, /has no Pulumi.yaml; pass a Pulumi project directory/],
    [{ "Pulumi.yaml": "name: x\nruntime: python\n" }, /runtime: is "python"; scan runs Node.js programs only; scan a project with runtime: nodejs/],
    [{ "Pulumi.yaml": "name: x\nruntime:\n  name: nodejs\nmain: app/\n" }, /main: no program at .*app\/index\.ts or .*app\/index\.js; set main in Pulumi.yaml/],
  ])("refuses %j, saying why and what to do", (files, message) => {
    const dir = mkdtempSync(join(tmpdir(), "polycloud-scan-"));
    dirs.push(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    expect(() => readProject(dir)).toThrow(message);
  });
});
