/**
 * The `polycloud` command line: detect, validate, plan (offline), preview/up/destroy (Pulumi engine).
 * `run` takes argv and an `Io` and returns the exit code, so tests drive it in-process.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { checkModel, closestMatch, formatProblem, PolycloudError, type Provider, type ResolvedSpec } from "@polycloud/core";
import { collectSignals, detect, explain, explainSignals, BACKENDS, REGION_CONFIG_KEYS, type Decision } from "@polycloud/platform/detection";
import { detectInput, readStackConfig, specAndConfig, type SpecFlags } from "./context";
import type * as CiInitModule from "./ci-init";
import type { CiInitFlags } from "./ci-init";
import type * as DriftModule from "./drift";
import type { DriftFlags } from "./drift";
import type * as EngineModule from "./engine";
import type { EngineFlags, EngineOperation } from "./engine";
import { ExitCode, reportError } from "./errors";
import { redactingIo, type Io } from "./io";
import type * as PlanModule from "./plan";
import type { PlanFlags } from "./plan";
import type * as RolloutModule from "./rollout";
import type { RolloutFlags } from "./rollout";
import type * as ScanModule from "./scan";
import type { ScanFlags } from "./scan";

const VERSION = (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;

/*
 * Modules that load Pulumi (and, through the Platform, a backend's SDK) are required only by the
 * commands that run a program, so `--help`, `detect` and `validate` start in a fraction of the time.
 * A synchronous require keeps this CommonJS package free of ESM interop in the compiled CLI.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  plan: (): typeof PlanModule => require("./plan"),
  engine: (): typeof EngineModule => require("./engine"),
  drift: (): typeof DriftModule => require("./drift"),
  rollout: (): typeof RolloutModule => require("./rollout"),
  ci: (): typeof CiInitModule => require("./ci-init"),
  scan: (): typeof ScanModule => require("./scan"),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The clouds, as every list of them says. */
export const CLOUDS = "AWS, Azure, GCP and Kubernetes";

/** What each command does, for help and for suggestions after an unknown command. */
const COMMANDS = {
  detect: "show which provider detection picks for a project directory, and every signal it saw",
  validate: "check a spec file and what each backend would refuse; every problem is listed with its path and fix",
  schema: "print the spec's JSON Schema, for editors and other tools",
  plan: "plan a spec offline (no credentials, no Pulumi CLI): resource tree, counts per concern, warnings",
  scan: "run a TypeScript Pulumi project on mocks (no credentials, no Pulumi CLI) and report what the policy rules find",
  preview: "show what the Pulumi engine would change",
  up: "create or update the stack's resources",
  destroy: "delete the stack's resources",
  drift: "list the resources changed outside the code (exit 3 when there are any)",
  promote: "move a canary or blue-green deployment's candidate to all traffic",
  abort: "move all traffic of a canary or blue-green deployment back to its stable revision (Azure, Google Cloud; elsewhere says what does)",
  ci: "ci init --github|--gitlab: write a delivery pipeline for the stacks in stacks/",
} as const;
type CommandName = keyof typeof COMMANDS;
const ENGINE_COMMANDS: readonly CommandName[] = ["preview", "up", "destroy", "drift", "promote", "abort"];
const ENGINE_NOTE = " (needs the Pulumi CLI and cloud credentials)";

/** Words people try for a command, by the command that does it. */
const SYNONYMS: Readonly<Record<string, CommandName>> = {
  deploy: "up", apply: "up", create: "up", install: "up", update: "up", provision: "up", launch: "up", run: "up", start: "up",
  delete: "destroy", remove: "destroy", rm: "destroy", down: "destroy", teardown: "destroy", uninstall: "destroy",
  diff: "preview", "dry-run": "preview", dryrun: "preview",
  refresh: "drift", drifted: "drift",
  release: "promote", rollback: "abort", cancel: "abort",
  pipeline: "ci", workflow: "ci", gitlab: "ci", github: "ci",
  check: "validate", lint: "validate", verify: "validate", test: "validate",
  show: "plan", synth: "plan", render: "plan", graph: "plan",
  provider: "detect", which: "detect", whoami: "detect",
  audit: "scan", policy: "scan", checkov: "scan", trivy: "scan",
};

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code. Everything
 * it writes goes through core's credential redaction, whatever the command printed.
 */
export async function run(argv: readonly string[], rawIo: Io): Promise<number> {
  const io = redactingIo(rawIo);
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
    .description(`Build one infrastructure spec on the clouds (${CLOUDS}): detect the provider, validate, plan offline, deploy with Pulumi.`)
    .version(VERSION)
    .option("--debug", "print stack traces of errors")
    .showHelpAfterError("(run polycloud --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  // An unknown command is answered with the command that does what was meant, and what each one does.
  program.on("command:*", (operands: string[]) => {
    const text = unknownCommand(operands[0] ?? "");
    io.stderr.write(text);
    throw new CommanderError(ExitCode.badInput, "polycloud.unknownCommand", text);
  });

  program
    .command("detect")
    .description(COMMANDS.detect)
    .argument("[dir]", "project directory", ".")
    .option("--json", "print { provider, tier, signals } as JSON")
    .option("--stack <name>", "read stack config from Pulumi.<name>.yaml in the directory")
    .option("--provider <provider>", "an explicit choice, as plan would get it")
    .option("--strict", "only explicit choices and stack config count")
    .action((dir: string, flags: { json?: boolean; stack?: string; provider?: string; strict?: boolean }) => {
      exit(detectCommand(dir, flags, io));
    });

  program
    .command("schema")
    .description(COMMANDS.schema)
    .action(() => {
      // The file @polycloud/core publishes, as it is: editors read it from the package too.
      io.stdout.write(readFileSync(require.resolve("@polycloud/core/schema.json"), "utf8"));
      exit(ExitCode.ok);
    });

  specOptions(program.command("validate").description(COMMANDS.validate).argument("<spec>", "spec file (YAML or JSON)")).action((spec: string, flags: SpecFlags) => {
    exit(validateCommand(spec, flags, io));
  });

  specOptions(
    program
      .command("plan")
      .description(COMMANDS.plan)
      .argument("<spec>", "spec file (YAML or JSON)")
      .option("--json", "print one JSON document instead of the tree")
      .option("--out <dir>", "also write plan.json and graph.mmd (Mermaid) to this directory")
      .option("--policy <mode>", "evaluate the policy rules: advisory (report findings) or mandatory (also exit 1 on a mandatory finding)"),
  ).action(async (spec: string, flags: PlanFlags) => {
    exit(await lazy.plan().planCommand(spec, flags, io));
  });

  program
    .command("scan")
    .description(COMMANDS.scan)
    .argument("[dir]", "Pulumi project directory: its Pulumi.yaml main, else index.ts", ".")
    .option("--stack <name>", "the stack whose Pulumi.<stack>.yaml config the program reads", "dev")
    .option("--json", "print the policy report as JSON")
    .option("--format <format>", "text | json | sarif (SARIF 2.1.0, for code scanning)", "text")
    .option("--policy <mode>", "advisory (report only) or mandatory (exit 1 on a mandatory finding)", "mandatory")
    .action(async (dir: string, flags: ScanFlags) => {
      exit(await lazy.scan().scanCommand(dir, flags, io));
    });

  for (const operation of ["preview", "up", "destroy"] as const satisfies readonly EngineOperation[]) {
    const command = specOptions(
      program
        .command(operation)
        .description(`${COMMANDS[operation]}${ENGINE_NOTE}`)
        .argument("<spec>", "spec file (YAML or JSON)")
        .option("--backend-url <url>", "Pulumi state backend URL (default: $PULUMI_BACKEND_URL, else a file backend in ./.polycloud)"),
    );
    command.option("--json", "stream the engine's events as JSON lines on stdout (its text goes to stderr)");
    if (operation === "preview") {
      command
        .option("--save-changes <file>", "write the change summary (what up or destroy --expect-changes checks) and print its hash")
        .option("--destroy", "preview a destroy (for destroy --expect-changes)");
    } else {
      command
        .option("--yes", operation === "destroy" ? "confirm deleting every resource of the stack (in production with --expect-changes)" : "confirm without a prompt (in production with --expect-changes)")
        .option("--expect-changes <file|hash>", "apply only if the preview matches this saved change summary (preview --save-changes)")
        .option("--confirm", "show the preview and ask first, also outside production");
    }
    command.action(async (spec: string, flags: EngineFlags) => {
      exit(await lazy.engine().engineCommand(operation, spec, flags, io));
    });
  }

  specOptions(
    program
      .command("drift")
      .description(`${COMMANDS.drift}${ENGINE_NOTE}`)
      .argument("<spec>", "spec file (YAML or JSON)")
      .option("--backend-url <url>", "Pulumi state backend URL (default: $PULUMI_BACKEND_URL, else a file backend in ./.polycloud)")
      .option("--json", "print { stack, spec, checked, drift } as JSON"),
  ).action(async (spec: string, flags: DriftFlags) => {
    exit(await lazy.drift().driftCommand(spec, flags, io));
  });

  for (const action of ["promote", "abort"] as const) {
    specOptions(
      program
        .command(action)
        .description(`${COMMANDS[action]}${ENGINE_NOTE}`)
        .argument("<spec>", "spec file (YAML or JSON)")
        .option("--service <name>", "the spec's service whose rollout this is")
        .option("--backend-url <url>", "Pulumi state backend URL (default: $PULUMI_BACKEND_URL, else a file backend in ./.polycloud)")
        .option("--yes", "confirm without a prompt (production)"),
    ).action(async (spec: string, flags: RolloutFlags) => {
      exit(await lazy.rollout().rolloutCommand(action, spec, flags, io));
    });
  }

  program
    .command("ci")
    .description(COMMANDS.ci)
    .command("init")
    .description("write .github/workflows/polycloud.yml or .gitlab-ci.yml for the specs in stacks/")
    .option("--github", "GitHub Actions")
    .option("--gitlab", "GitLab CI/CD")
    .option("--force", "overwrite an existing pipeline file")
    .option("--stacks <dir>", "the folder of the specs", "stacks")
    .action(async (flags: CiInitFlags) => {
      exit(await lazy.ci().ciInitCommand(flags, io));
    });
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

/**
 * `validate`: the spec, its stack config and what the backends would refuse. With a provider (named,
 * or decided by detection as `plan` would decide it) that backend's check; without one, every released
 * backend's, saying which would refuse what. Bad input of any kind exits 2 naming the field.
 */
function validateCommand(specArg: string, flags: SpecFlags, io: Io): number {
  const { spec, config, projectDir } = specAndConfig(specArg, flags, io);
  let decision: Decision | undefined;
  try {
    decision = detect(detectInput(config, flags, io, projectDir, { provider: spec.provider, file: specArg }));
  } catch (error) {
    // No provider decided here (no evidence, or a tie): plan would need one; the spec is checked on every backend.
    if (!(error instanceof PolycloudError) || flags.provider !== undefined) throw error;
  }
  const summary = `${spec.name} (${spec.environment}, provider ${spec.provider}): ${contents(spec)}`;
  if (decision !== undefined) {
    const { provider } = decision;
    const check = checkModel(spec, provider, withRegion(spec, provider, config));
    PolycloudError.throwIfAny(check.problems, `Spec ${spec.name} cannot be built on ${provider}`);
    io.stdout.write(`${specArg} is valid on ${provider}: ${summary}\n`);
    if (check.warnings.length > 0) io.stdout.write(["Warnings:", ...check.warnings.map((w) => `  - ${formatProblem(w)}`), ""].join("\n"));
    return ExitCode.ok;
  }
  const checks = BACKENDS.map((provider) => ({ provider, ...checkModel(spec, provider, config) }));
  const building = checks.filter((c) => c.problems.length === 0);
  if (building.length === 0) {
    throw new PolycloudError(
      checks.flatMap((c) => c.problems.map((p) => ({ ...p, message: `on ${c.provider}: ${p.message}` }))),
      `Spec ${spec.name} cannot be built on any available backend (${BACKENDS.join(", ")})`,
    );
  }
  io.stdout.write(
    [
      `${specArg} is valid: ${summary}`,
      "No provider is chosen here, so every available backend was checked:",
      ...checks.flatMap((c) => [
        c.problems.length === 0
          ? `  ${c.provider}: builds it${c.warnings.length === 0 ? "" : ", with changes:"}`
          : `  ${c.provider}: would refuse it (${c.problems.length === 1 ? "1 problem" : `${c.problems.length} problems`}):`,
        ...(c.problems.length === 0 ? c.warnings : c.problems).map((p) => `    - ${formatProblem(p)}`),
      ]),
      `Choose one with --provider ${listed(building.map((c) => c.provider))}, polycloud:provider in the stack config or provider: in the spec.`,
      "",
    ].join("\n"),
  );
  return ExitCode.ok;
}

/** `aws`, `aws or gcp`, `aws, azure or gcp`. */
function listed(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

function contents(spec: ResolvedSpec): string {
  return [
    `${spec.services.length} service${spec.services.length === 1 ? "" : "s"}`,
    ...(spec.database === undefined ? [] : [`database (postgres ${spec.database.version})`]),
    ...(spec.cache === undefined ? [] : [`cache (redis ${spec.cache.version})`]),
    `${spec.buckets.length} bucket${spec.buckets.length === 1 ? "" : "s"}`,
    `${spec.secrets.length} secret${spec.secrets.length === 1 ? "" : "s"}`,
  ].join(", ");
}

/** The stack config with the spec's region under the provider's key, as the program gets it. */
function withRegion(spec: ResolvedSpec, provider: Provider, config: Readonly<Record<string, string>>): Record<string, string> {
  const key = REGION_CONFIG_KEYS[provider];
  return spec.region !== undefined && key !== undefined && config[key] === undefined ? { ...config, [key]: spec.region } : { ...config };
}

/**
 * What to say about an unknown command: the command that does what the word usually means (`deploy`
 * is `up`), else the closest spelling, and what every command does.
 */
function unknownCommand(word: string): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const meant = SYNONYMS[word.toLowerCase()] ?? closestMatch(word, names);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `polycloud: unknown command ${JSON.stringify(word)}${meant === undefined ? "" : `; did you mean "${meant}"?`}`,
    ...names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name]}${ENGINE_COMMANDS.includes(name) ? ENGINE_NOTE : ""}`),
    "",
  ].join("\n");
}
