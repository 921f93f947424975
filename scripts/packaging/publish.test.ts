/**
 * The packages as a user meets them: built, packed as `pnpm publish` packs them, checked for what a
 * tarball must and must not hold, published to a local Verdaccio registry, then installed into a
 * fresh project outside the repository with npm and with pnpm, where a Pulumi program runs under the
 * harness from CommonJS and from an ES module, every subpath export loads both ways, a TypeScript
 * program typechecks against the declarations, a Jest test uses the harness's matchers and the
 * `polycloud` command validates a spec.
 *
 * Run by `pnpm test` (as `pnpm test:packages`); it needs the npm registry, which Verdaccio proxies
 * for everything but @polycloud/*.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { runServer } from "verdaccio";

const root = resolve(__dirname, "../..");

/** What is published, in dependency order: every package under packages/ that is not private. */
const PUBLISHED = ["core", "testing", "policy", "aws", "azure", "gcp", "kubernetes", "platform", "cli"] as const;

/**
 * What the fresh project installs: the Kubernetes backend (its SDK is far smaller than AWS's), the
 * harness and the command, at the versions just packed, with the SDKs CI tests.
 */
const INSTALLED_OURS = ["core", "testing", "kubernetes", "cli"] as const;
const INSTALLED = [
  "@pulumi/pulumi@3.248.0",
  "@pulumi/kubernetes@4.34.2",
  "@pulumi/random@4.21.2",
  // the optional peers that @polycloud/kubernetes/validation loads
  "kubernetes-models@4.5.0",
  "@kubernetes-models/argo-rollouts@0.3.2",
  "@kubernetes-models/cloudnative-pg@0.1.4",
  "@kubernetes-models/external-secrets@0.5.2",
  "@kubernetes-models/prometheus-operator@4.4.4",
];
const DEV_INSTALLED = ["jest@30.5.2", "typescript@6.0.3", "@types/node@20.19.43"];

/**
 * A TypeScript user's view, typechecked in the fresh project as ES module and as CommonJS: every
 * subpath has declarations where its `types` condition says, and they are real types (the
 * `@ts-expect-error` lines fail when a declaration is missing and its import is `any`).
 */
const TYPED = `
import type { Plan } from "@polycloud/testing";
import { runProgram } from "@polycloud/testing";
import { parseSpec } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { Network } from "@polycloud/kubernetes";
import { MODELS } from "@polycloud/kubernetes/validation";
import { conformanceCorpus } from "@polycloud/testing/conformance";
import { describeConformance } from "@polycloud/testing/conformance/jest";

const spec = parseSpec({ name: "shop", services: { web: { image: "ghcr.io/acme/shop:1.0.0" } } });
export const run = (): Promise<Plan> => runProgram(() => new Network("shop", { app: spec.name, environment: spec.environment, network: spec.network }));
export const used = [PolycloudComponent, MODELS, conformanceCorpus, describeConformance];
// @ts-expect-error: an environment the spec does not know
new Network("shop", { app: "shop", environment: "prod", network: spec.network });
// @ts-expect-error: parseSpec returns a typed spec
export const image: number = spec.services[0]!.image;
`;
const TSCONFIG = {
  compilerOptions: { target: "es2022", module: "node16", moduleResolution: "node16", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
  files: ["typed.mts", "typed.cts"],
};

/** Paths that must never ship: tests, fixtures, snapshots and the TypeScript sources (maps carry them inline). */
const NOT_SHIPPED = /(^|\/)(__tests__|__fixtures__|__snapshots__|fixtures?)(\/|$)|\.(test|spec)\.[cm]?[jt]s$|\.snap$|^src\//;

const COMMAND_TIMEOUT_MS = 8 * 60_000;

const pnpmCli = process.env.npm_execpath?.includes("pnpm") ? process.env.npm_execpath : undefined;

/** The environment of every command: none of the npm_* variables of the `pnpm test` that started us. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, ...extra };
}

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without blocking the event loop (Verdaccio serves from this process). */
function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  const [file, argv] = command === "pnpm" && pnpmCli !== undefined ? [process.execPath, [pnpmCli, ...args]] : [command, args];
  return new Promise((resolvePromise, reject) => {
    // No command may hang the run: an install that stalls is killed and fails its test.
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], timeout: COMMAND_TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(" ")} (in ${options.cwd}) ${signal === null ? `exited with ${code}` : `was killed (${signal})`}\n${stdout}\n${stderr}`));
    });
  });
}

/** Every file path an `exports` (or `bin`) value names. */
function targets(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(targets);
  return [];
}

interface Packed {
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
  readonly manifest: Record<string, unknown>;
}

const work = mkdtempSync(join(tmpdir(), "polycloud-publish-"));
const env = cleanEnv({ npm_config_userconfig: join(work, "npmrc"), npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" });
let server: Server | undefined;
let registry = "";
const packed: Packed[] = [];

before(async () => {
  await run("pnpm", ["--filter", "./packages/{" + PUBLISHED.join(",") + "}", "run", "build"], { cwd: root, env });
  mkdirSync(join(work, "tarballs"));
  for (const name of PUBLISHED) {
    const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", join(work, "tarballs")], { cwd: join(root, "packages", name), env });
    // pnpm prints the prepack/postpack scripts' output before the JSON.
    const report = JSON.parse(stdout.slice(stdout.search(/^\{$/m))) as { name: string; filename: string; files: { path: string }[] };
    const unpacked = join(work, "unpacked", name);
    mkdirSync(unpacked, { recursive: true });
    await run("tar", ["-xzf", report.filename, "-C", unpacked], { cwd: work, env });
    const manifest = JSON.parse(readFileSync(join(unpacked, "package", "package.json"), "utf8")) as Record<string, unknown>;
    packed.push({ name: report.name, tarball: report.filename, files: report.files.map((file) => file.path), manifest });
  }
  await startRegistry();
  for (const { tarball } of packed) await run("npm", ["publish", tarball, "--registry", registry], { cwd: work, env });
});

after(() => {
  server?.closeAllConnections();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function startRegistry(): Promise<void> {
  const uplink = (await run("npm", ["config", "get", "registry"], { cwd: work, env: cleanEnv({}) })).stdout.trim();
  const config = {
    storage: join(work, "storage"),
    auth: { htpasswd: { file: join(work, "htpasswd"), max_users: 1 } },
    uplinks: { npmjs: { url: uplink, timeout: "120s" } },
    packages: {
      // ours come only from this registry, never from the uplink
      "@polycloud/*": { access: "$all", publish: "$authenticated" },
      "**": { access: "$all", proxy: "npmjs" },
    },
    web: { enable: false },
    log: { type: "stdout", format: "pretty", level: "error" },
    self_path: join(work, "verdaccio.yaml"),
  };
  const app = (await runServer(config as never)) as unknown as { listen: Server["listen"] };
  // Kept at once, so that `after` stops it whatever fails next.
  server = await new Promise<Server>((resolvePromise) => {
    const http: Server = app.listen(0, "127.0.0.1", () => resolvePromise(http));
  });
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // A user of the registry, whose token publishes.
  const response = await fetch(`${registry}-/user/org.couchdb.user:release`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "release", password: "release-password" }),
  });
  const body = await response.text();
  assert.equal(response.status, 201, `Verdaccio refused the user: ${body}`);
  const { token } = JSON.parse(body) as { token: string };
  writeFileSync(join(work, "npmrc"), `registry=${registry}\n${registry.replace(/^http:/, "")}:_authToken=${token}\n`);
}

// One after the other: side by side on two cores they took longer (Verdaccio serves both from this
// process), and the pnpm install finds the npm install's packages in Verdaccio's storage.
describe("the published packages", () => {
  it("are every package that is not private", () => {
    const released = readdirSync(join(root, "packages")).filter((name) => {
      const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8")) as { private?: boolean };
      return manifest.private !== true;
    });
    assert.deepEqual([...released].sort(), [...PUBLISHED].sort());
  });

  it("hold the license, no tests, fixtures or sources, and every file their manifests name", () => {
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
    for (const { name, files, manifest } of packed) {
      assert.deepEqual(files.filter((file) => NOT_SHIPPED.test(file)), [], `${name} ships tests, fixtures or sources`);
      assert.equal(readFileSync(join(work, "unpacked", name.replace("@polycloud/", ""), "package", "LICENSE"), "utf8"), license, `${name}: LICENSE`);
      const named = [manifest.main, manifest.types, ...targets(manifest.exports), ...targets(manifest.bin)].map((path) => String(path).replace(/^\.\//, ""));
      assert.deepEqual(named.filter((path) => !files.includes(path)), [], `${name}: files its manifest names but its tarball lacks`);
      assert.ok(files.some((file) => file.endsWith(".d.ts")), `${name}: no declarations`);
    }
  });

  it("name real versions of each other and no source condition", () => {
    for (const { name, manifest } of packed) {
      const ranges = ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((field) => Object.values((manifest[field] ?? {}) as Record<string, string>));
      assert.deepEqual(ranges.filter((range) => range.startsWith("workspace:")), [], `${name}: workspace ranges`);
      assert.ok(!JSON.stringify(manifest.exports).includes('"source"'), `${name}: the source condition (TypeScript sources) is published`);
      assert.equal(manifest.license, "Apache-2.0", `${name}: license`);
    }
  });

  it("are on the registry, and @polycloud/* comes from nowhere else", async () => {
    for (const { name, manifest } of packed) {
      const response = await fetch(`${registry}${name.replace("/", "%2f")}`);
      const document = (await response.json()) as { "dist-tags": Record<string, string> };
      assert.equal(document["dist-tags"].latest, manifest.version, name);
    }
    // Never published anywhere (private), so not found: the scope has no uplink.
    assert.equal((await fetch(`${registry}@polycloud%2fstacks`)).status, 404);
  });

  for (const client of ["npm", "pnpm"] as const) {
    describe(`installed with ${client} into a fresh project`, () => {
      const project = join(work, `project-${client}`);
      // The project's own binaries, never a download; `--` keeps npm from reading the command's flags.
      const exec = client === "npm" ? ["exec", "--no", "--"] : ["exec"];

      before(async () => {
        mkdirSync(project);
        for (const file of readdirSync(join(__dirname, "consumer"))) copyFileSync(join(__dirname, "consumer", file), join(project, file));
        writeFileSync(join(project, "package.json"), JSON.stringify({ name: `fresh-${client}`, version: "1.0.0", private: true }, null, 2));
        writeFileSync(join(project, ".npmrc"), `registry=${registry}\n`);
        writeFileSync(join(project, "typed.mts"), TYPED);
        writeFileSync(join(project, "typed.cts"), TYPED);
        writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
        // Provider SDKs' install scripts download plugins that mocks do not need (pnpm runs none by default).
        const add = client === "npm" ? ["install", "--ignore-scripts"] : ["add"];
        const ours = INSTALLED_OURS.map((name) => `@polycloud/${name}@${String(packed.find((p) => p.name === `@polycloud/${name}`)!.manifest.version)}`);
        await run(client, [...add, ...ours, ...INSTALLED], { cwd: project, env });
        await run(client, [...add, "--save-dev", ...DEV_INSTALLED], { cwd: project, env });
      });

      it("runs a program under the harness from CommonJS", async () => {
        assert.match((await run("node", ["program.cjs"], { cwd: project, env })).stdout, /^require: \d+ resources$/m);
      });

      it("runs the program from an ES module, with named imports", async () => {
        assert.match((await run("node", ["program.mjs"], { cwd: project, env })).stdout, /^import: \d+ resources$/m);
      });

      it("loads every subpath export with require and with import", async () => {
        const { stdout } = await run("node", ["exports.mjs"], { cwd: project, env });
        for (const subpath of ["@polycloud/core/component", "@polycloud/core/schema.json", "@polycloud/kubernetes/validation", "@polycloud/testing/conformance"]) {
          assert.ok(stdout.includes(`${subpath},`), `${subpath} not checked: ${stdout}`);
        }
      });

      it("runs a Jest test with the harness's matchers", async () => {
        const { stderr } = await run(client, [...exec, "jest", "--ci"], { cwd: project, env });
        assert.match(stderr, /Tests:\s+1 passed, 1 total/);
      });

      it("typechecks a TypeScript program against the declarations, as ES module and as CommonJS", async () => {
        await run(client, [...exec, "tsc", "-p", "."], { cwd: project, env });
      });

      it("validates a spec with the polycloud command", async () => {
        assert.match((await run(client, [...exec, "polycloud", "validate", "spec.yaml"], { cwd: project, env })).stdout, /spec\.yaml is valid/);
      });
    });
  }
});
