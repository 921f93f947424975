/**
 * What every spec command starts from: the spec, the stack (named after the spec file unless given),
 * the stack's config from `Pulumi.<stack>.yaml` beside the spec plus `--config` overrides (its
 * `polycloud:` keys checked), the detection decision over all of it, and the application model's check
 * for the chosen provider: everything wrong is reported before a program runs.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { parse } from "yaml";
import { checkModel, configProblems, loadSpec, PolycloudError, type Problem, type Provider, type ResolvedSpec } from "@polycloud/core";
import { detect, directoryProbe, REGION_CONFIG_KEYS, strictSetting, type Decision, type DetectInput, type ModuleLoader } from "@polycloud/platform/detection";
import type { PlatformOptions } from "@polycloud/platform";
import type { Io } from "./io";

/** Flags shared by the commands that take a spec. */
export interface SpecFlags {
  readonly provider?: string;
  readonly stack?: string;
  readonly strict?: boolean;
  readonly config?: readonly string[];
}

export interface SpecContext {
  readonly specPath: string;
  readonly spec: ResolvedSpec;
  readonly stack: string;
  /** Plain stack config, namespaced (`aws:region`), as the program sees it. */
  readonly config: Readonly<Record<string, string>>;
  /** Keys of encrypted (`secure:`) values in the stack file, which only the Pulumi engine can read. */
  readonly secureKeys: readonly string[];
  readonly decision: Decision;
  /**
   * The Pulumi project: the `name` of the `Pulumi.yaml` beside the spec (its directory as `dir`), so
   * `polycloud up` and `pulumi up` there act on the same project and URNs; else the spec's name.
   */
  readonly project: { readonly name: string; readonly dir?: string };
  /** How the Platform loads the backend's package (the Io's). */
  readonly loadModule?: ModuleLoader;
}

/** The Platform's options for a program built from `context`: the decided backend, loaded the Io's way. */
export function platformOptions(context: SpecContext): PlatformOptions {
  return { decision: context.decision, ...(context.loadModule === undefined ? {} : { loadModule: context.loadModule }) };
}

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Loads the spec and the stack config, checks the config's `polycloud:` keys, decides the provider and
 * checks the application model on it.
 * @throws PolycloudError for an invalid spec, stack name, config flag or key, detection outcome, or a
 * spec (with its backend options) the chosen provider cannot build, listing every problem.
 */
export function specContext(specArg: string, flags: SpecFlags, io: Io): SpecContext {
  const { specPath, spec, stack, config, secureKeys, projectDir } = specAndConfig(specArg, flags, io);
  const decision = detect(detectInput(config, flags, io, projectDir, { provider: spec.provider, file: specArg }));
  // The spec's region reaches the provider through its own config key, unless the stack already sets it.
  const regionKey = REGION_CONFIG_KEYS[decision.provider];
  if (spec.region !== undefined && regionKey !== undefined && config[regionKey] === undefined) config[regionKey] = spec.region;
  // The Platform builds the model again inside the program and logs its warnings: they show once, in the plan or the engine's output.
  modelCheck(spec, decision.provider, config);
  const projectFile = projectName(projectDir);
  const project = projectFile === undefined ? { name: spec.name } : { name: projectFile, dir: projectDir };
  return { specPath, spec, stack, config, secureKeys, decision, project, ...(io.loadModule === undefined ? {} : { loadModule: io.loadModule }) };
}

/**
 * The spec, the stack and its config (stack file and `--config`), with the config's `polycloud:` keys
 * checked: an unknown key, a backend option that does not exist or a secret value for a secret the spec
 * does not have is an error naming the closest known key.
 */
export function specAndConfig(
  specArg: string,
  flags: Pick<SpecFlags, "stack" | "config">,
  io: Io,
): { specPath: string; spec: ResolvedSpec; stack: string; config: Record<string, string>; secureKeys: readonly string[]; projectDir: string } {
  const specPath = resolve(io.cwd, specArg);
  const spec = loadSpec(specPath);
  const stack = flags.stack ?? basename(specPath, extname(specPath));
  if (!STACK_NAME.test(stack)) {
    throw new PolycloudError(
      [{ path: "--stack", message: `${JSON.stringify(stack)} is not a stack name; allowed: letters, digits, "-", "_" and "."`, fix: "pass --stack <name>" }],
      "Invalid stack",
    );
  }
  const projectDir = dirname(specPath);
  const stackFile = readStackConfig(projectDir, stack);
  const config: Record<string, string> = { ...stackFile.config, ...parseConfigFlags(flags.config ?? []) };
  // Encrypted keys count too: their names are plain, only their values are not.
  const keys = { ...config, ...Object.fromEntries(stackFile.secureKeys.map((key) => [key, ""])) };
  PolycloudError.throwIfAny(
    configProblems(keys, spec.secrets.map((s) => s.name)),
    `Invalid config${stackFile.file === undefined ? "" : ` (${basename(stackFile.file)} and --config)`}`,
  );
  return { specPath, spec, stack, config, secureKeys: stackFile.secureKeys, projectDir };
}

/**
 * The application model's check of a spec on a provider with the stack config: what the provider cannot
 * build, bad backend options, tags it rejects, TLS that needs a domain.
 * @throws PolycloudError listing every problem; returns what the model would change (its warnings).
 */
export function modelCheck(spec: ResolvedSpec, provider: Provider, config: Readonly<Record<string, unknown>>): { warnings: readonly Problem[] } {
  const check = checkModel(spec, provider, config);
  PolycloudError.throwIfAny(check.problems, `Spec ${spec.name} cannot be built on ${provider}`);
  return { warnings: check.warnings };
}

/**
 * Detection input for a project directory, from the real surroundings in `io`; `polycloud:strict: "true"`
 * in the config acts like `--strict` (any value but true or false is a PolycloudError).
 */
export function detectInput(
  config: Readonly<Record<string, unknown>>,
  flags: Pick<SpecFlags, "provider" | "strict">,
  io: Io,
  projectDir: string,
  spec?: DetectInput["spec"],
): DetectInput {
  return {
    ...(flags.provider === undefined ? {} : { provider: flags.provider }),
    ...(spec === undefined ? {} : { spec }),
    config,
    env: io.env,
    files: directoryProbe(projectDir),
    homeDir: io.homeDir,
    strict: flags.strict === true || strictSetting(config["polycloud:strict"]),
  };
}

/**
 * The `config:` of `Pulumi.<stack>.yaml` in `dir` as flat namespaced strings; keys without a
 * namespace get the project's (from `Pulumi.yaml`). Encrypted values are left out and listed.
 */
export function readStackConfig(dir: string, stack: string): { config: Record<string, string>; secureKeys: string[]; file?: string } {
  const file = ["yaml", "yml"].map((ext) => join(dir, `Pulumi.${stack}.${ext}`)).find((f) => existsSync(f));
  if (file === undefined) return { config: {}, secureKeys: [] };
  const settings = parseYamlFile(file) as { config?: Record<string, unknown> } | null;
  const project = projectName(dir);
  const config: Record<string, string> = {};
  const secureKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(settings?.config ?? {})) {
    const key = rawKey.includes(":") || project === undefined ? rawKey : `${project}:${rawKey}`;
    if (typeof value === "object" && value !== null && "secure" in value) secureKeys.push(key);
    else if (value !== null && value !== undefined) config[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return { config, secureKeys, file };
}

/** The `name` in the `Pulumi.yaml` of `dir`, or undefined when there is none. */
export function projectName(dir: string): string | undefined {
  const file = ["yaml", "yml"].map((ext) => join(dir, `Pulumi.${ext}`)).find((f) => existsSync(f));
  if (file === undefined) return undefined;
  const name = (parseYamlFile(file) as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

function parseYamlFile(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PolycloudError([{ path: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}`, fix: "fix the file" }], "Invalid stack settings");
  }
}

/** `--config key=value` flags; keys must be namespaced like `aws:region`. */
function parseConfigFlags(flags: readonly string[]): Record<string, string> {
  const problems = flags
    .filter((flag) => !/^[\w.-]+:[\w.-]+=/.test(flag))
    .map((flag) => ({ path: "--config", message: `${JSON.stringify(flag)} is not namespace:key=value`, fix: "write it like --config aws:region=eu-west-1" }));
  PolycloudError.throwIfAny(problems, "Invalid config");
  return Object.fromEntries(flags.map((flag) => [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]));
}
