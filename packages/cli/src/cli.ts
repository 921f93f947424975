/**
 * The `polycloud` command line: detect, validate, plan (offline), preview/up/destroy (Pulumi engine).
 * `run` takes argv and an `Io` and returns the exit code, so tests drive it in-process.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { formatProblem, loadSpec, PolycloudError, type Problem } from "@polycloud/core";
import { collectSignals, detect, explain, explainSignals } from "@polycloud/platform";
import { detectInput, modelCheck, readStackConfig, specAndConfig, type SpecFlags } from "./context";
import { engineCommand, type EngineFlags, type EngineOperation } from "./engine";
import { ExitCode, reportError } from "./errors";
import type { Io } from "./io";
import { planCommand, type PlanFlags } from "./plan";

const VERSION = (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;

/** Runs the CLI on `argv` (without the node and script paths) and returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    return reportError(error, io, program.opts<{ debug?: boolean }>().debug === true || argv.includes("--debug"));
  }
}

function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command("polycloud")
    .description("Build one infrastructure spec on AWS, Azure, GCP or Kubernetes: detect the provider, validate, plan offline, deploy with Pulumi.")
    .version(VERSION)
    .option("--debug", "print stack traces of errors")
    .showHelpAfterError("(run polycloud --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command("detect")
    .description("show which provider detection picks for a project directory, and every signal it saw")
    .argument("[dir]", "project directory", ".")
    .option("--json", "print { provider, tier, signals } as JSON")
    .option("--stack <name>", "read stack config from Pulumi.<name>.yaml in the directory")
    .option("--provider <provider>", "an explicit choice, as plan would get it")
    .option("--strict", "only explicit choices and stack config count")
    .action((dir: string, flags: { json?: boolean; stack?: string; provider?: string; strict?: boolean }) => {
      exit(detectCommand(dir, flags, io));
    });

  program
    .command("validate")
    .description("check a spec file; every problem is listed with its path and fix")
    .argument("<spec>", "spec file (YAML or JSON)")
    .option("--provider <provider>", "also check what this provider cannot build, with the stack config's backend options")
    .option("--stack <name>", "with --provider: read stack config from Pulumi.<name>.yaml beside the spec (default: the spec file's name)")
    .option("-c, --config <key=value>", "with --provider: stack config, repeatable, e.g. -c polycloud:aws.backupRegion=us-west-2", (value: string, previous: string[] = []) => [...previous, value])
    .action((spec: string, flags: ValidateFlags) => {
      exit(validateCommand(spec, flags, io));
    });

  specOptions(
    program
      .command("plan")
      .description("plan a spec offline (no credentials, no Pulumi CLI): resource tree, counts per concern, warnings")
      .argument("<spec>", "spec file (YAML or JSON)")
      .option("--json", "print one JSON document instead of the tree")
      .option("--out <dir>", "also write plan.json and graph.mmd (Mermaid) to this directory"),
  ).action(async (spec: string, flags: PlanFlags) => {
    exit(await planCommand(spec, flags, io));
  });

  for (const [operation, description] of [
    ["preview", "show what the Pulumi engine would change"],
    ["up", "create or update the stack's resources"],
    ["destroy", "delete the stack's resources"],
  ] as const satisfies readonly (readonly [EngineOperation, string])[]) {
    const command = specOptions(
      program
        .command(operation)
        .description(`${description} (needs the Pulumi CLI and cloud credentials)`)
        .argument("<spec>", "spec file (YAML or JSON)")
        .option("--backend-url <url>", "Pulumi state backend URL (default: $PULUMI_BACKEND_URL, else a file backend in ./.polycloud)"),
    );
    if (operation === "destroy") command.option("--yes", "confirm deleting every resource of the stack");
    command.action(async (spec: string, flags: EngineFlags) => {
      exit(await engineCommand(operation, spec, flags, io));
    });
  }
  return program;
}

function specOptions(command: Command): Command {
  return command
    .option("--provider <provider>", "aws | azure | gcp | kubernetes (default: detected)")
    .option("--stack <name>", "stack name (default: the spec file's name, e.g. dev for dev.yaml)")
    .option("-c, --config <key=value>", "stack config, repeatable, e.g. -c aws:region=eu-west-1", (value: string, previous: string[] = []) => [...previous, value])
    .option("--strict", "only explicit choices and stack config decide the provider");
}

function detectCommand(dir: string, flags: Pick<SpecFlags, "provider" | "stack" | "strict"> & { json?: boolean }, io: Io): number {
  const projectDir = resolve(io.cwd, dir);
  if (!statSync(projectDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PolycloudError([{ path: "[dir]", message: `${projectDir} is not a directory`, fix: "pass the project directory to inspect (default: the current one)" }], "Invalid directory");
  }
  const config = flags.stack === undefined ? {} : readStackConfig(projectDir, flags.stack).config;
  const input = detectInput(config, flags, io, projectDir);
  if (flags.json !== true) {
    try {
      io.stdout.write(`${explain(detect(input)).join("\n")}\n`);
      return ExitCode.ok;
    } catch (error) {
      // The evidence goes with the error, so the user sees what tied.
      io.stdout.write(`signals:\n${explainSignals(collectSignals(input)).join("\n")}\n`);
      throw error;
    }
  }
  try {
    const decision = detect(input);
    io.stdout.write(`${JSON.stringify({ provider: decision.provider, tier: decision.tier, signals: decision.signals }, null, 2)}\n`);
    return ExitCode.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stdout.write(`${JSON.stringify({ provider: null, tier: null, signals: collectSignals(input), error: message }, null, 2)}\n`);
    throw error;
  }
}

type ValidateFlags = Pick<SpecFlags, "provider" | "stack" | "config">;

function validateCommand(specArg: string, flags: ValidateFlags, io: Io): number {
  if (flags.provider === undefined && (flags.stack !== undefined || flags.config !== undefined)) {
    throw new PolycloudError(
      [{ path: "--provider", message: "is needed with --stack and --config: validate reads stack config only to check a provider's backend options", fix: "add --provider <provider>, or leave out --stack and --config" }],
      "Invalid options",
    );
  }
  const context = flags.provider === undefined ? undefined : specAndConfig(specArg, flags, io);
  const spec = context?.spec ?? loadSpec(resolve(io.cwd, specArg));
  let onProvider = "";
  let warnings: readonly Problem[] = [];
  if (context !== undefined && flags.provider !== undefined) {
    // --provider overrides the spec's provider, as in plan; an unknown name is reported as detection reports it.
    const { provider } = detect({ provider: flags.provider, spec: { provider: spec.provider, file: specArg } });
    warnings = modelCheck(spec, provider, context.config).warnings;
    onProvider = ` on ${provider}`;
  }
  const parts = [
    `${spec.services.length} service${spec.services.length === 1 ? "" : "s"}`,
    ...(spec.database === undefined ? [] : [`database (postgres ${spec.database.version})`]),
    ...(spec.cache === undefined ? [] : [`cache (redis ${spec.cache.version})`]),
    `${spec.buckets.length} bucket${spec.buckets.length === 1 ? "" : "s"}`,
    `${spec.secrets.length} secret${spec.secrets.length === 1 ? "" : "s"}`,
  ];
  io.stdout.write(`${specArg} is valid${onProvider}: ${spec.name} (${spec.environment}, provider ${spec.provider}): ${parts.join(", ")}\n`);
  if (warnings.length > 0) io.stdout.write(["Warnings:", ...warnings.map((w) => `  - ${formatProblem(w)}`), ""].join("\n"));
  return ExitCode.ok;
}
