import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import * as state from "@pulumi/pulumi/runtime/state";
import { assertSupported, missingInternals, SUPPORTED_PULUMI_VERSIONS } from "./pulumi-internals";
import { runProgram } from "./run-program";

const installed = { version: "3.248.0", sdk: pulumi, state, resproto, debuggable };
const runtimeState = state as unknown as { getStore(): { settings: unknown } };
// Internal to the SDK (absent from its typings); read at each call, as the SDK's modules do.
const sdkDebuggable = debuggable as unknown as { debuggablePromise(p: Promise<unknown>, ctx: string): Promise<unknown> };

class Slow extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Slow", name, {});
  }
}

describe("the @pulumi/pulumi adapter", () => {
  it("finds everything it needs in the installed @pulumi/pulumi", () => {
    expect(missingInternals(installed)).toEqual([]);
    expect(() => assertSupported(installed)).not.toThrow();
  });

  it("fails at load with the missing pieces and the supported versions when a version lacks them", () => {
    const older = { ...installed, version: "3.100.0", state: { ...state, LocalStore: undefined }, sdk: { ...pulumi, log: { ...pulumi.log, warn: undefined } } };
    expect(missingInternals(older)).toEqual(["log.warn", "runtime/state LocalStore"]);
    expect(() => assertSupported(older)).toThrow(
      "@polycloud/testing supports @pulumi/pulumi >=3.248.0 <3.249.0, but the installed 3.100.0 lacks what the harness uses: log.warn, runtime/state LocalStore. Install a supported version",
    );
  });

  it("supports exactly the versions the package's peer range names", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { peerDependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.peerDependencies["@pulumi/pulumi"]).toBe(SUPPORTED_PULUMI_VERSIONS);
    // CI tests the version in devDependencies: it must be one the range admits.
    expect(manifest.devDependencies["@pulumi/pulumi"]).toBe("3.248.0");
  });

  it("never reads a run's store after the run is over (a runner clearing globals between test files warns on that)", async () => {
    let store: { settings: unknown } | undefined;
    // A registration still in flight when the program fails: it finishes after the run has ended.
    const slow = () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 400));
    await expect(
      runProgram(
        () => {
          store = runtimeState.getStore();
          new Slow("slow");
          throw new Error("the program fails");
        },
        { mocks: { "test:index:Slow": slow } },
      ),
    ).rejects.toThrow("the program fails");
    // What Jest's globalsCleanup does to objects left on the global scope: reads are noticed.
    const settings = store!.settings;
    let reads = 0;
    Object.defineProperty(store, "settings", {
      get: () => {
        reads++;
        return settings;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(reads).toBe(0);
  });

  it("skips the SDK's per-resource and per-promise stack traces inside a run only, keeps a registration's label and leak tracking, drops the tracking of other promises, and keeps the stacks of thrown errors", async () => {
    const callsites = () => (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites();
    type Tracked = Promise<void> & { _debugStackTrace?: string; _debugCtx?: string };
    // The SDK labels the promise it is given (and returns another, which settles with it).
    const track = (label: string) => {
      const p: Tracked = new Promise<void>((resolve) => setTimeout(resolve, 10));
      const returned = sdkDebuggable.debuggablePromise(p, label);
      const candidates = (runtimeState.getStore() as unknown as { leakCandidates: Set<unknown> }).leakCandidates;
      return { p, returned, candidates, tracked: candidates.has(p) };
    };
    const outside = track("outside");
    await outside.returned;
    let inside: { callsites: number; trace: string | undefined; label: string | undefined; tracked: boolean; untrackedOnceSettled: boolean; errorStack: string } | undefined;
    let property: { label: string | undefined; tracked: boolean; same: boolean } | undefined;
    await runProgram(async () => {
      // A registration's promise, as the runtime labels it.
      const { p, returned, candidates, tracked } = track("resolveURN(resource:quiet[test:index:Slow])");
      await returned;
      inside = { callsites: callsites().length, trace: p._debugStackTrace, label: p._debugCtx, tracked, untrackedOnceSettled: !candidates.has(p), errorStack: new Error("thrown").stack ?? "" };
      // One of the four promises of an output property: given back as it is.
      const other = track("transferProperty(resource:quiet[test:index:Slow], size, 1)");
      property = { label: other.p._debugCtx, tracked: other.tracked, same: other.returned === other.p };
      await other.returned;
      new Slow("quiet");
    });
    expect(inside).toEqual({ callsites: 0, trace: undefined, label: "resolveURN(resource:quiet[test:index:Slow])", tracked: true, untrackedOnceSettled: true, errorStack: expect.stringMatching(/^Error: thrown\n\s+at /) });
    expect(property).toEqual({ label: undefined, tracked: false, same: true });
    // Outside a run the SDK behaves as before.
    expect(callsites().length).toBeGreaterThan(0);
    expect(outside.p._debugStackTrace).toMatch(/\n\s+at /);
    expect(outside.p._debugCtx).toBe("outside");
  });

  it("leaves out the API-version aliases a provider SDK merges in, inside a run only, and records the program's own", async () => {
    // What azure-native and Kubernetes classes do: their former API versions' type tokens as aliases.
    const sdkAliases = { aliases: [{ type: "test:index/v20200101:Versioned" }, { type: "test:index/v1beta1:Versioned" }] };
    class Versioned extends pulumi.CustomResource {
      constructor(name: string, opts: pulumi.CustomResourceOptions = {}) {
        super("test:index:Versioned", name, {}, pulumi.mergeOptions(opts, sdkAliases));
      }
    }
    const plan = await runProgram(() => {
      new Versioned("renamed", { aliases: [{ name: "old-name" }] });
      new Versioned("plain");
    });
    expect(plan.find("test:index:Versioned", "renamed").options.aliases).toEqual([{ name: "old-name" }]);
    expect(plan.find("test:index:Versioned", "plain").options.aliases).toEqual([]);
    // Outside a run the SDK merges them as before.
    expect(pulumi.mergeOptions({ aliases: [{ name: "old-name" }] }, sdkAliases).aliases).toHaveLength(3);
  });

  it("runs a program when the harness is compiled by tsx, whose import namespaces are read-only copies", () => {
    // What `polycloud scan` and users' ts-node/tsx test runs do: the harness from its TypeScript sources.
    const script = [
      'const { runProgram } = require("./src/index.ts");',
      'const pulumi = require("@pulumi/pulumi");',
      'runProgram(() => { new pulumi.ComponentResource("test:index:Thing", "thing"); }).then(',
      '  (plan) => console.log(`recorded ${plan.resources().length}`),',
      "  (err) => { console.log(`failed: ${err.message}`); process.exitCode = 1; });",
    ].join("\n");
    const tsx = require.resolve("tsx", { paths: [join(__dirname, "..", "..", "..")] });
    const result = spawnSync(process.execPath, ["--conditions=source", "--import", pathToFileURL(tsx).href, "-e", script], { cwd: join(__dirname, ".."), encoding: "utf8" });
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: "recorded 1" });
  }, 30_000);
});
