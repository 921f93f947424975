/**
 * `polycloud scan <pulumi-project-dir>`: runs a user's own TypeScript Pulumi program (its `Pulumi.yaml`
 * `main`, else `index.ts`) on @polycloud/testing's mocks, with no credentials and no Pulumi CLI, and
 * reports what @polycloud/policy finds: as text, as the report in JSON, or as SARIF 2.1.0.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import Module from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { PolycloudError } from "@polycloud/core";
import { evaluatePolicies, toSarif, type PolicyReport } from "@polycloud/policy";
import { runProgram, secretConfig, type ConfigValue } from "@polycloud/testing";
import { readStackConfig } from "./context";
import type { Io } from "./io";
import { policyExitCode, policyLines, policyMode } from "./policy";
import type * as TsxApi from "tsx/cjs/api";

export interface ScanFlags {
  readonly stack?: string;
  readonly json?: boolean;
  readonly format?: string;
  /** @default "mandatory" */
  readonly policy?: string;
}

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

/** A Pulumi project as scan runs it. */
export interface ScanProject {
  readonly dir: string;
  readonly name: string;
  /** The program's entry file. */
  readonly main: string;
}

function problem(path: string, message: string, fix: string): PolycloudError {
  return new PolycloudError([{ path, message, fix }], "Cannot scan the project");
}

/**
 * Reads `Pulumi.yaml` of `dir`: the project's name, and its entry file (`main`, a file or a directory
 * with `index.ts`, else `index.ts` beside `Pulumi.yaml`).
 * @throws PolycloudError when there is no project, it is not a Node.js project, or its entry is missing.
 */
export function readProject(dir: string): ScanProject {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw problem(dir, "is not a directory", "pass the directory that holds Pulumi.yaml");
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (file === undefined) throw problem(dir, "has no Pulumi.yaml", "pass a Pulumi project directory (pulumi new typescript creates one)");
  const project = (parse(readFileSync(file, "utf8")) ?? {}) as { name?: unknown; runtime?: unknown; main?: unknown };
  const runtime = typeof project.runtime === "object" && project.runtime !== null ? (project.runtime as { name?: unknown }).name : project.runtime;
  if (runtime !== "nodejs") throw problem(`${file} runtime`, `is ${JSON.stringify(runtime)}; scan runs Node.js programs only`, "scan a project with runtime: nodejs (TypeScript or JavaScript)");
  const main = typeof project.main === "string" ? resolve(dir, project.main) : dir;
  const candidates = existsSync(main) && statSync(main).isFile() ? [main] : ["index.ts", "index.js"].map((f) => join(main, f));
  const entry = candidates.find((f) => existsSync(f));
  if (entry === undefined) throw problem(`${file} main`, `no program at ${candidates.join(" or ")}`, "set main in Pulumi.yaml to the program's file, or add index.ts");
  return { dir, name: typeof project.name === "string" ? project.name : "project", main: entry };
}

/**
 * While a program loads, `@pulumi/pulumi` (asked for by the program or by a provider SDK in the
 * project's own node_modules) resolves to the copy the harness mocks, so the program's resources
 * reach the mocks even when the project installed its own.
 */
function withHarnessPulumi<T>(load: () => T): T {
  const pulumi = dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dirname(require.resolve("@polycloud/testing"))] }));
  const patched = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const original = patched._resolveFilename;
  patched._resolveFilename = function (request, ...rest) {
    const mocked = request === "@pulumi/pulumi" || request.startsWith("@pulumi/pulumi/") ? pulumi + request.slice("@pulumi/pulumi".length) : request;
    return original.call(this, mocked, ...rest);
  };
  try {
    return load();
  } finally {
    patched._resolveFilename = original;
  }
}

/** Loads and runs the program's entry with tsx (TypeScript without a build); a function export is the program. */
function loadProgram(project: ScanProject): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsx = require("tsx/cjs/api") as typeof TsxApi;
  const api = tsx.register({ namespace: `polycloud-scan-${Date.now()}` });
  try {
    const exported = withHarnessPulumi(() => api.require(project.main, __filename) as unknown);
    const program = typeof exported === "function" ? exported : (exported as { default?: unknown } | undefined)?.default;
    return typeof program === "function" ? (program as () => unknown)() : exported;
  } finally {
    api.unregister();
  }
}

/** The stack config of `Pulumi.<stack>.yaml`, encrypted values as placeholders only the engine could decrypt. */
function stackConfig(project: ScanProject, stack: string): Record<string, ConfigValue> {
  const { config, secureKeys } = readStackConfig(project.dir, stack);
  return { ...config, ...Object.fromEntries(secureKeys.map((key) => [key, secretConfig("[encrypted in the stack file]")])) };
}

/** Runs the project on the mocks and evaluates the policies. */
export async function scanProject(project: ScanProject, stack = "dev"): Promise<PolicyReport> {
  const plan = await runProgram(() => loadProgram(project), { project: project.name, stack, config: stackConfig(project, stack), timeoutMs: 30_000 });
  return evaluatePolicies(plan);
}

function format(flags: ScanFlags): Format {
  if (flags.json === true) return "json";
  const value = flags.format ?? "text";
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new PolycloudError([{ path: "--format", message: `${JSON.stringify(value)} is not a format; allowed: ${FORMATS.join(", ")}`, fix: "write --format sarif for code scanning tools" }], "Invalid flag");
}

/** The `scan` command: exit 1 on a mandatory finding (unless `--policy advisory`). */
export async function scanCommand(dirArg: string, flags: ScanFlags, io: Io): Promise<number> {
  const output = format(flags);
  const mode = policyMode(flags.policy ?? "mandatory");
  const project = readProject(resolve(io.cwd, dirArg));
  const report = await scanProject(project, flags.stack);
  if (output === "json") io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (output === "sarif") io.stdout.write(`${JSON.stringify(toSarif(report, { artifactUri: relative(io.cwd, project.main).split("\\").join("/") }), null, 2)}\n`);
  else io.stdout.write(`${[`Scan: ${project.name} (${relative(io.cwd, project.main) || project.main}) on mocks: no credentials, no Pulumi CLI`, "", ...policyLines(report)].join("\n")}\n`);
  return policyExitCode(report, mode);
}
