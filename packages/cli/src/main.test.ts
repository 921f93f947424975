import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, polycloud, SMALL_SPEC, tmpProject } from "./__tests__/capture";

// The real entry points, as separate processes: exit codes reach the shell.
const ROOT = join(__dirname, "..", "..", "..");
const node = (args: readonly string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } });

let dir: string;
afterEach(() => cleanup(dir));

describe("main", () => {
  it("sets the process exit code from the command when run as the polycloud entry point", () => {
    dir = tmpProject({ "ok.yaml": SMALL_SPEC, "bad.yaml": "name: blog\n" });
    const main = ["--conditions=source", "--require", require.resolve("tsx/cjs", { paths: [ROOT] }), join(ROOT, "packages/cli/src/main.ts")];
    const ok = node([...main, "validate", "ok.yaml"], dir);
    expect({ status: ok.status, stdout: ok.stdout }).toEqual({ status: 0, stdout: expect.stringContaining("ok.yaml is valid") });
    const bad = node([...main, "validate", "bad.yaml"], dir);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: expect.stringContaining("services (line 1): is required") });
  });
});

describe("start-up", () => {
  // --help, detect and validate must not pay for Pulumi and the provider SDKs (seconds of require).
  it("loads no Pulumi module for --help, detect and validate, and for plan only Pulumi and the chosen backend's SDK", () => {
    dir = tmpProject({ "ok.yaml": SMALL_SPEC });
    const loaded = (argv: readonly string[]) => {
      const script = [
        `const { run } = require(${JSON.stringify(join(ROOT, "packages/cli/src/cli.ts"))});`,
        "const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: process.cwd(), homeDir: process.cwd() };",
        "const sdks = () => [...new Set(Object.keys(require.cache).map((m) => /node_modules\\/(@pulumi\\/[^/]+)\\//.exec(m)?.[1]).filter(Boolean))].sort();",
        `run(${JSON.stringify(argv)}, io).then((code) => console.log(JSON.stringify({ code, pulumi: sdks() })));`,
      ].join("\n");
      const result = node(["--conditions=source", "--require", require.resolve("tsx/cjs", { paths: [ROOT] }), "-e", script], dir);
      return JSON.parse(result.stdout) as { code: number; pulumi: string[] };
    };
    expect(loaded(["--help"])).toEqual({ code: 0, pulumi: [] });
    expect(loaded(["detect", ".", "--provider", "aws"])).toEqual({ code: 0, pulumi: [] });
    expect(loaded(["validate", "ok.yaml"])).toEqual({ code: 0, pulumi: [] });
    expect(loaded(["schema"])).toEqual({ code: 0, pulumi: [] });
    // The Kubernetes backend also generates passwords with @pulumi/random.
    expect(loaded(["plan", "ok.yaml", "--provider", "kubernetes"])).toEqual({ code: 0, pulumi: ["@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"] });
  });
});

describe("schema", () => {
  it("prints the JSON Schema @polycloud/core publishes", async () => {
    dir = tmpProject();
    const result = await polycloud(["schema"], { cwd: dir });
    const published = readFileSync(join(ROOT, "packages/core/schema/polycloud-spec.schema.json"), "utf8");
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: published });
    expect((JSON.parse(result.stdout) as { properties: Record<string, unknown> }).properties).toHaveProperty("services");
  });
});

describe("scripts/polycloud.cjs (pnpm polycloud)", () => {
  it("compiles what changed and runs the compiled CLI", () => {
    dir = tmpProject({ "ok.yaml": SMALL_SPEC });
    const result = node([join(ROOT, "scripts/polycloud.cjs"), "validate", "ok.yaml"], dir);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: expect.stringContaining("ok.yaml is valid") });
    expect(existsSync(join(ROOT, "packages/cli/dist/main.js"))).toBe(true);
  }, 120_000);
});

describe("bin/polycloud.js", () => {
  it("runs the built CLI, or explains how to build it when dist/ is missing", () => {
    dir = tmpProject();
    const result = node([join(ROOT, "packages/cli/bin/polycloud.js"), "--version"], dir);
    const expected = existsSync(join(ROOT, "packages/cli/dist/main.js"))
      ? { status: 0, stdout: "0.1.0\n", stderr: "" }
      : { status: 1, stdout: "", stderr: expect.stringContaining("dist/ is not built; run `pnpm --filter @polycloud/cli build`") };
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual(expected);
  });
});
