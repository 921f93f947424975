import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, polycloud, SMALL_SPEC, writeFiles } from "./__tests__/capture";
import { blogProject, type StandIn } from "./__tests__/stand-in";
import { findPulumi } from "./engine";

let dir: string;
let pulumi: StandIn;
beforeEach(() => {
  ({ dir, pulumi } = blogProject());
});
afterEach(() => cleanup(dir));

const env = (extra: Record<string, string> = {}) => pulumi.env(extra);
const calls = () => pulumi.calls();
const bin = () => pulumi.bin;

describe("polycloud preview|up|destroy", () => {
  it("selects the stack, sets its config and previews with the inline program when running preview", async () => {
    const result = await polycloud(["preview", "blog.yaml"], { cwd: dir, env: env() });
    expect(result.stderr).toBe(`preview blog (stack blog) on kubernetes, state in file://${join(dir, ".polycloud")}\n`);
    expect(result).toMatchObject({ code: 0, stdout: "stand-in pulumi: preview of stack blog\n" });
    const recorded = calls();
    // A first run finds no stack and creates it (in the file backend's layout, which the stand-in keeps).
    expect(recorded.map((c) => c.args.slice(0, 2).join(" "))).toEqual(["version", "stack select", "stack init", "config set-all", "preview --color"]);
    expect(recorded[1]!.args).toEqual(["stack", "select", "--stack", "blog"]);
    expect(recorded[3]!.args).toEqual(["config", "set-all", "--stack", "blog", "--plaintext", "polycloud:provider=kubernetes", "--plaintext", "kubernetes:context=kind-blog"]);
    expect(recorded[4]!.args).toEqual(expect.arrayContaining(["preview", "--exec-kind", "auto.inline", "--stack", "blog"]));
    expect(recorded[4]!.args.find((a) => a.startsWith("--client="))).toMatch(/^--client=127\.0\.0\.1:\d+$/);
    expect(recorded.slice(1).map((c) => c.backend)).toEqual(Array(4).fill(`file://${join(dir, ".polycloud")}`));
    expect(existsSync(join(dir, ".polycloud"))).toBe(true);
  });

  it("creates the stack when it does not exist yet, and runs up on the backend named by --backend-url", async () => {
    const result = await polycloud(["up", "blog.yaml", "--backend-url", "s3://acme-pulumi-state"], { cwd: dir, env: env({ FAKE_PULUMI_NEW_STACK: "1" }) });
    expect(result.code).toBe(0);
    const recorded = calls();
    expect(recorded.map((c) => c.args.slice(0, 3).join(" "))).toEqual([
      "version",
      "stack select --stack",
      "stack init blog",
      "config set-all --stack",
      "up --yes --skip-preview",
      "stack output --json",
      "stack output --json",
      "stack history --json",
    ]);
    // `pulumi version` runs before the workspace (and its backend) exists.
    expect(recorded.slice(1).every((c) => c.backend === "s3://acme-pulumi-state")).toBe(true);
    expect(existsSync(join(dir, ".polycloud"))).toBe(false);
  });

  it("uses PULUMI_BACKEND_URL when no flag names a backend, and needs no passphrase for Pulumi Cloud", async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPassphrase } = env({ PULUMI_BACKEND_URL: "https://api.pulumi.com" });
    const result = await polycloud(["up", "blog.yaml", "--stack", "staging", "--provider", "kubernetes"], { cwd: dir, env: noPassphrase });
    expect(result.code).toBe(0);
    expect(calls().find((c) => c.args[0] === "up")).toMatchObject({ backend: "https://api.pulumi.com", args: expect.arrayContaining(["--stack", "staging"]) });
  });

  it("asks for --yes before destroy and runs destroy once confirmed", async () => {
    const refused = await polycloud(["destroy", "blog.yaml"], { cwd: dir, env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Confirmation needed \(1 problem\):\n {2}- --yes: destroy deletes every resource of stack blog \(blog\); pass --yes to confirm/);
    expect(calls()).toEqual([]);

    const confirmed = await polycloud(["destroy", "blog.yaml", "--yes"], { cwd: dir, env: env() });
    expect(confirmed.code).toBe(0);
    expect(calls().find((c) => c.args[0] === "destroy")?.args).toEqual(expect.arrayContaining(["destroy", "--yes", "--skip-preview", "--exec-kind", "auto.inline"]));
  });

  it("exits 1 with the engine's own error, without a stack trace, when the engine fails", async () => {
    const result = await polycloud(["up", "blog.yaml"], { cwd: dir, env: env({ FAKE_PULUMI_FAIL: "up" }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        `up blog (stack blog) on kubernetes, state in file://${join(dir, ".polycloud")}`,
        "error: up failed: aws:ec2/vpc:Vpc (blog-vpc): AccessDenied: not authorized to perform ec2:CreateVpc",
        "polycloud: pulumi up failed (exit code 255); the engine's messages are above",
        "",
      ].join("\n"),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("masks credentials in what the engine prints", async () => {
    const say = "pulling from https://ci:hunter2@registry.example.com; alerts to https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX";
    const result = await polycloud(["preview", "blog.yaml"], { cwd: dir, env: env({ FAKE_PULUMI_SAY: say }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("pulling from https://ci:***@registry.example.com; alerts to https://hooks.slack.com/services/***\n");
    expect(result.stdout).not.toMatch(/hunter2|XXXXXXXXXXXX/);
  });

  it("exits 1 with how to install the Pulumi CLI, before asking for a passphrase or creating .polycloud/, when it is missing", async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPassphrase } = env({ PATH: join(dir, "empty") });
    const result = await polycloud(["preview", "blog.yaml"], { cwd: dir, env: noPassphrase });
    expect(existsSync(join(dir, ".polycloud"))).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^polycloud: The Pulumi CLI was not found\. Install it from https:\/\/www\.pulumi\.com\/docs\/install\/ .* `polycloud plan` needs no Pulumi CLI\.\n$/);
    expect(calls()).toEqual([]);
  });

  it("runs in a temporary project named after the spec when no Pulumi.yaml is beside it", async () => {
    expect((await polycloud(["preview", "blog.yaml"], { cwd: dir, env: env() })).code).toBe(0);
    const preview = calls().find((c) => c.args[0] === "preview")!;
    expect(preview.project).toBe("blog");
    expect(preview.cwd).not.toBe(dir);
  });

  it("runs in the spec's directory under the Pulumi.yaml project name, leaving the engine to read and decrypt the stack file, when a Pulumi.yaml is beside the spec", async () => {
    const pulumiYaml = "name: blog-infra\nruntime:\n  name: nodejs\n";
    const stackFile = "encryptionsalt: v1:abc\nconfig:\n  polycloud:provider: kubernetes\n  blog-infra:token:\n    secure: v1:xyz\n";
    writeFiles(dir, { "Pulumi.yaml": pulumiYaml, "Pulumi.blog.yaml": stackFile });
    const result = await polycloud(["preview", "blog.yaml", "-c", "kubernetes:context=kind-ci"], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    const recorded = calls();
    expect(recorded.slice(1).map((c) => [c.cwd, c.project])).toEqual(Array(4).fill([dir, "blog-infra"]));
    // Only what the file does not say is set; the encrypted value is never sent as plain config.
    expect(recorded.find((c) => c.args[0] === "config")?.args).toEqual(["config", "set-all", "--stack", "blog", "--plaintext", "kubernetes:context=kind-ci"]);
    // The user's files are left as they were (the Automation API rewrites Pulumi.yaml when given project settings).
    expect(readFileSync(join(dir, "Pulumi.yaml"), "utf8")).toBe(pulumiYaml);
    expect(readFileSync(join(dir, "Pulumi.blog.yaml"), "utf8")).toBe(stackFile);
  });

  it("exits 2 naming the encrypted keys and the fix when the stack file has secrets but no Pulumi.yaml is beside the spec", async () => {
    writeFiles(dir, { "Pulumi.blog.yaml": "config:\n  polycloud:provider: kubernetes\n  blog:token:\n    secure: v1:xyz\n  aws:secretKey:\n    secure: v1:uvw\n" });
    const result = await polycloud(["up", "blog.yaml"], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Encrypted config unreachable (1 problem):\n  - ${join(dir, "Pulumi.blog.yaml")}: holds encrypted config (blog:token, aws:secretKey)`);
    expect(result.stderr).toContain("add a Pulumi.yaml beside the spec (for example `name: blog` and `runtime: nodejs`)");
    expect(calls()).toEqual([]);
  });

  it("exits 1 with the cause and fix on one line, calling nothing and creating no .polycloud/, when a file backend has no passphrase", async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPassphrase } = env();
    const result = await polycloud(["up", "blog.yaml"], { cwd: dir, env: noPassphrase });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/^polycloud: PULUMI_CONFIG_PASSPHRASE is not set, and the file backend encrypts stack secrets with a passphrase\. Fix: export PULUMI_CONFIG_PASSPHRASE=<passphrase> .*\n$/);
    expect(calls().filter((c) => c.args[0] !== "version")).toEqual([]);
    expect(existsSync(join(dir, ".polycloud"))).toBe(false);
  });

  it("exits 2 before calling pulumi when the spec is invalid", async () => {
    writeFiles(dir, { "blog.yaml": "name: blog\n" });
    const result = await polycloud(["up", "blog.yaml"], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(calls()).toEqual([]);
  });

  it.each(["preview", "up", "destroy"])("exits 2 before calling pulumi when %s is given an unknown polycloud: key, naming the closest one", async (operation) => {
    const result = await polycloud([operation, "blog.yaml", "--yes", "-c", "polycloud:kubernetes.ingresClassName=traefik"].filter((a) => operation === "destroy" || a !== "--yes"), { cwd: dir, env: env() });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/^polycloud: Invalid config \(Pulumi\.blog\.yaml and --config\) \(1 problem\):\n {2}- polycloud:kubernetes\.ingresClassName: .*; did you mean polycloud:kubernetes\.ingressClassName\?\n$/);
    expect(calls()).toEqual([]);
  });

  it("exits 2 before calling pulumi when the provider cannot build the spec with its options", async () => {
    writeFiles(dir, { "blog.yaml": `${SMALL_SPEC}buckets:\n  media: {}\nbackup: { crossRegion: true }\n` });
    const result = await polycloud(["up", "blog.yaml"], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^polycloud: Spec blog cannot be built on kubernetes \(1 problem\):\n {2}- backup\.crossRegion: true, but buckets \(media\) are MinIO volumes/);
    expect(calls()).toEqual([]);
  });

  it("stores a secret value given with --config encrypted, never as plain config", async () => {
    const result = await polycloud(["up", "blog.yaml", "-c", "polycloud:secrets.api-token=tok-123", "-c", "polycloud:kubernetes.ingressClassName=traefik"], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    const setAll = calls().find((c) => c.args[0] === "config")?.args ?? [];
    expect(setAll).toEqual(expect.arrayContaining(["--secret", "polycloud:secrets.api-token=tok-123", "--plaintext", "polycloud:kubernetes.ingressClassName=traefik"]));
    expect(setAll).not.toContain("--plaintext polycloud:secrets.api-token=tok-123");
    expect(setAll[setAll.indexOf("polycloud:secrets.api-token=tok-123") - 1]).toBe("--secret");
  });
});

describe("findPulumi", () => {
  it("finds pulumi on PATH first, then in ~/.pulumi/bin, and nothing when neither has it", () => {
    const home = join(dir, "home");
    writeFiles(home, { ".pulumi/bin/pulumi": "#!/bin/sh\n" });
    chmodSync(join(home, ".pulumi", "bin", "pulumi"), 0o755);
    expect(findPulumi({ PATH: `${join(dir, "nothing")}:${bin()}` }, home)).toBe(join(bin(), "pulumi"));
    expect(findPulumi({ PATH: join(dir, "nothing") }, home)).toBe(join(home, ".pulumi", "bin", "pulumi"));
    expect(findPulumi({}, join(dir, "elsewhere"))).toBeUndefined();
  });

  it("skips a pulumi file that is not executable", () => {
    writeFiles(dir, { "other/pulumi": "" });
    expect(findPulumi({ PATH: `${join(dir, "other")}:${bin()}` }, dir)).toBe(join(bin(), "pulumi"));
  });
});
