/**
 * `polycloud plan`: the Platform program run offline on @polycloud/testing's mocks: no credentials,
 * no Pulumi CLI. Prints the resource tree, counts per concern and warnings, or one JSON document.
 */
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_NAMESPACE, PolycloudError, redactDeep, SECRET_VALUE_PREFIX, type Provider } from "@polycloud/core";
import { Platform, type Decision, type Signal } from "@polycloud/platform";
import { evaluatePolicies, type PolicyReport } from "@polycloud/policy";
import { runProgram, secretConfig, type ConfigValue, type PlanJson, type PlanResourceJson } from "@polycloud/testing";
import { platformOptions, specContext, type SpecContext, type SpecFlags } from "./context";
import type { Io } from "./io";
import { policyExitCode, policyLines, policyMode } from "./policy";
import { concernCounts, countByType, mermaid, resourceTree, type Concern, type GraphResource } from "./render";

export interface PlanFlags extends SpecFlags {
  readonly json?: boolean;
  readonly out?: string;
  /** `advisory` reports policy findings; `mandatory` also exits 1 on a mandatory finding. */
  readonly policy?: string;
}

/** A planned resource as `plan --json` prints it; secret values read `"[secret]"`. */
export interface PlannedResource extends GraphResource {
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The `plan --json` document. */
export interface PlanDocument {
  readonly provider: Provider;
  readonly detection: { readonly provider: Provider; readonly tier: number; readonly signals: readonly Signal[] };
  readonly spec: { readonly name: string; readonly environment: string };
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly summary: { readonly total: number; readonly byType: Readonly<Record<string, number>>; readonly byConcern: Readonly<Record<Concern, number>> };
  /** Overridden detection signals, encrypted config, and what components logged as warnings or errors (`error: ...`). */
  readonly warnings: readonly string[];
  /** The @polycloud/policy report, with `--policy`. */
  readonly policy?: PolicyReport;
}

/**
 * Plans a spec offline and returns the document (the CLI's `plan`, for programmatic use). Secret
 * values read `"[secret]"`, and every credential in any other string (a webhook URL, a password in a
 * URL, a token in a query) is masked, as in everything the CLI prints.
 */
export async function planSpec(context: SpecContext, onProgress?: () => void, options: { readonly policy?: boolean } = {}): Promise<PlanDocument> {
  const { spec, decision, stack, config, project } = context;
  const timer = onProgress === undefined ? undefined : setInterval(onProgress, 250);
  let json: PlanJson;
  let policy: PolicyReport | undefined;
  try {
    const plan = await runProgram(() => new Platform(spec.name, spec, platformOptions(context)).stackOutputs(), {
      // The project `polycloud up` would use, so the URNs are the ones a real run creates.
      project: project.name,
      stack,
      config: programConfig(config, context.secureKeys),
      provider: decision.provider,
      // A full production spec registers hundreds of resources; give slow machines room.
      timeoutMs: 30_000,
    });
    json = plan.toJSON();
    policy = options.policy === true ? evaluatePolicies(plan) : undefined;
  } finally {
    clearInterval(timer);
  }
  const resources = json.resources.map(planned);
  return redactDeep({
    provider: decision.provider,
    detection: { provider: decision.provider, tier: decision.tier, signals: decision.signals },
    spec: { name: spec.name, environment: spec.environment },
    stack,
    resources,
    outputs: json.outputs,
    summary: { total: resources.length, byType: countByType(resources), byConcern: concernCounts(resources) },
    // Once each: the model's warnings reach the plan only through the Platform's log.
    warnings: [...new Set([...warnings(context), ...programWarnings(json.logs)])],
    ...(policy === undefined ? {} : { policy }),
  });
}

/**
 * The config the mocks get: secret values (`polycloud:secrets.<name>`) as secret config, so the plan
 * never shows them; a secret value encrypted in the stack file (which only the engine can decrypt) as a
 * placeholder, so the plan builds what `up` will: a secret that has its value.
 */
function programConfig(config: Readonly<Record<string, string>>, secureKeys: readonly string[]): Record<string, ConfigValue> {
  const secretPrefix = `${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}`;
  const encrypted = secureKeys.filter((key) => key.startsWith(secretPrefix) && !(key in config)).map((key) => [key, secretConfig("[encrypted in the stack file]")]);
  return { ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, key.startsWith(secretPrefix) ? secretConfig(value) : value])), ...Object.fromEntries(encrypted) };
}

/**
 * What components said with `pulumi.log.warn` or `error` (secrets already redacted by `toJSON`), once
 * each; errors marked, since `pulumi up` fails on them.
 */
export function programWarnings(logs: PlanJson["logs"]): string[] {
  const said = logs.filter((l) => l.severity !== "info").map((l) => (l.severity === "error" ? `error: ${l.message}` : l.message));
  return [...new Set(said)];
}

function planned(r: PlanResourceJson): PlannedResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.parent === undefined ? {} : { parent: r.parent }),
    custom: r.custom,
    inputs: r.inputs,
    dependencies: r.dependencies,
    protect: r.options["protect"] === true,
  };
}

function warnings({ decision, secureKeys }: SpecContext): string[] {
  return [
    ...overridden(decision).map((s) => `${s.name} says ${s.value}, overridden by ${s.shadowedBy} (${decision.provider})`),
    ...secureKeys.map((key) => `stack config ${key} is encrypted; the offline plan runs without it (only the Pulumi engine can decrypt it)`),
  ];
}

/** Explicit choices that named another provider than the one that won. */
const overridden = (decision: Decision) => decision.signals.filter((s) => s.tier === 1 && s.shadowedBy !== undefined && s.provider !== decision.provider);

/** The `plan` command. */
export async function planCommand(specArg: string, flags: PlanFlags, io: Io): Promise<number> {
  // Before planning, so a bad --out costs no plan.
  const outDir = flags.out === undefined ? undefined : outputDirectory(resolve(io.cwd, flags.out));
  const mode = policyMode(flags.policy);
  const context = specContext(specArg, flags, io);
  const document = await planSpec(context, progress(io, context), { policy: mode !== undefined });
  io.stderr.write(io.stderr.isTTY === true ? "\r\u001b[2K" : "");
  if (outDir !== undefined) writeOut(outDir, document);
  if (flags.json === true) io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  else io.stdout.write(`${[...humanPlan(document, context), ...(document.policy === undefined ? [] : ["", ...policyLines(document.policy)])].join("\n")}\n`);
  return policyExitCode(document.policy, mode);
}

/** Progress on stderr, only when stderr is a terminal, and only once a plan takes more than a second. */
function progress(io: Io, { spec, decision }: SpecContext): (() => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  const started = Date.now();
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let frame = 0;
  return () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    if (seconds >= 1) io.stderr.write(`\r${frames[frame++ % frames.length]} planning ${spec.name} on ${decision.provider} (${seconds}s)`);
  };
}

/**
 * Creates the `--out` directory (or finds it) and checks it can be written.
 * @throws PolycloudError on `--out` when it is a file or cannot be created or written.
 */
function outputDirectory(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "EEXIST" ? "is a file, not a directory" : code === "ENOTDIR" ? "cannot be created: part of its path is a file" : `cannot be written: ${(error as Error).message}`;
    throw new PolycloudError([{ path: "--out", message: `${dir} ${reason}`, fix: "pass a directory you can write to, e.g. --out plan-output" }], "Invalid output directory");
  }
  return dir;
}

function writeOut(dir: string, document: PlanDocument): void {
  writeFileSync(join(dir, "plan.json"), `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(join(dir, "graph.mmd"), mermaid(document.resources));
}

function humanPlan(document: PlanDocument, { specPath, decision }: SpecContext): string[] {
  const { summary } = document;
  const concerns = Object.entries(summary.byConcern)
    .filter(([, n]) => n > 0)
    .map(([concern, n]) => `${concern} ${n}`)
    .join(", ");
  const decisive = decision.signals.find((s) => s.tier === decision.tier && s.provider === decision.provider && s.shadowedBy === undefined);
  return [
    `Plan: ${document.spec.name} (${document.spec.environment}) on ${document.provider}, stack ${document.stack}, from ${specPath}`,
    `Provider ${document.provider} chosen by ${decisive?.name ?? "detection"} (tier ${decision.tier}); offline on mocks: no credentials, no Pulumi CLI`,
    "",
    ...resourceTree(document.resources),
    "",
    `Resources: ${summary.total} to create (${summary.total - Object.values(summary.byConcern).reduce((a, b) => a + b, 0)} components)`,
    `By concern: ${concerns || "none"}`,
    "",
    "Outputs:",
    // The decision is shown above, in words.
    ...Object.entries(document.outputs)
      .filter(([key]) => key !== "detection")
      .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    ...(document.warnings.length === 0 ? [] : ["", "Warnings:", ...document.warnings.map((w) => `  - ${w}`)]),
  ];
}
