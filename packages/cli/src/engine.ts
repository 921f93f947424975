/**
 * `polycloud preview|up|destroy`: the real Pulumi engine, driven through the Automation API with the
 * Platform as an inline program. State lives in a local file backend under `.polycloud/` unless a
 * backend URL is given (`--backend-url` or `PULUMI_BACKEND_URL`: Pulumi Cloud, s3://, azblob://, gs://).
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { automation } from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, PolycloudError, SECRET_VALUE_PREFIX } from "@polycloud/core";
import { Platform } from "@polycloud/platform";
import { platformOptions, readStackConfig, specContext, type SpecContext, type SpecFlags } from "./context";
import { changesOf, countsOf, dataLosing, nameOf, readExpectation, renderSummary, requireExpected, summarize } from "./changes";
import { confirmationGate, confirmInteractively } from "./confirm";
import { CliFailure, ExitCode } from "./errors";
import { engineFault } from "./faults";
import { writeAtomically } from "./files";
import type { Io } from "./io";
import { trackProgress } from "./progress";

export type EngineOperation = "preview" | "up" | "destroy";

export interface EngineFlags extends SpecFlags {
  readonly backendUrl?: string;
  /** Confirms `destroy`, and a confirmation `--confirm` asks for; in production only with `expectChanges`. */
  readonly yes?: boolean;
  /** Engine events as JSON lines on stdout. */
  readonly json?: boolean;
  /** Outside production too: show the preview and ask before changing anything. */
  readonly confirm?: boolean;
  /** `up`/`destroy`: a saved change summary (file) or its hash; the preview must match it. */
  readonly expectChanges?: string;
  /** `preview`: where to write the change summary. */
  readonly saveChanges?: string;
  /** `preview`: preview a destroy (for `--save-changes` before `destroy --expect-changes`). */
  readonly destroy?: boolean;
}

const INSTALL_HINT =
  "Install it from https://www.pulumi.com/docs/install/ (for example `curl -fsSL https://get.pulumi.com | sh`, or `brew install pulumi/tap/pulumi`) and make sure `pulumi` is on your PATH. `polycloud plan` needs no Pulumi CLI.";

/**
 * Where the Pulumi CLI is: the first `pulumi` on PATH, else the installer's default `~/.pulumi/bin`.
 * Returns the path of the executable, or undefined.
 */
export function findPulumi(env: Io["env"], homeDir: string): string | undefined {
  const dirs = [...(env["PATH"] ?? "").split(delimiter).filter((d) => d !== ""), join(homeDir, ".pulumi", "bin")];
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** What a run through the engine needs: the spec's context and the selected stack on its backend. */
export interface OpenedStack {
  readonly context: SpecContext;
  readonly stack: automation.Stack;
  readonly backendUrl: string;
  /**
   * Removes the local state directory when this run created it and nothing was applied (a failure, a
   * refusal): a run that changed nothing leaves nothing behind under `.polycloud/`.
   */
  readonly discardIfUnused: () => void;
}

/**
 * Opens the spec's stack: finds the Pulumi CLI, checks the passphrase and encrypted config, creates the
 * local state directory when it is the backend, and selects (or creates) the stack with its config.
 * `label` names the operation in the first line on stderr.
 */
export async function openStack(specArg: string, flags: EngineFlags, io: Io, label: string, given?: SpecContext): Promise<OpenedStack> {
  const context = given ?? specContext(specArg, flags, io);
  // The CLI first: without it nothing else matters, and nothing is created.
  const executable = findPulumi(io.env, io.homeDir);
  if (executable === undefined) throw new CliFailure(`The Pulumi CLI was not found. ${INSTALL_HINT}`);
  const localState = resolve(io.cwd, ".polycloud");
  // An empty PULUMI_BACKEND_URL is unset, as Pulumi reads it (CI systems set unset variables to "").
  const fromEnv = io.env["PULUMI_BACKEND_URL"] === "" ? undefined : io.env["PULUMI_BACKEND_URL"];
  const backendUrl = flags.backendUrl ?? fromEnv ?? `file://${localState}`;
  requireBackendUrl(backendUrl, flags.backendUrl === undefined ? "PULUMI_BACKEND_URL" : "--backend-url");
  requirePassphrase(backendUrl, io);
  requireProjectForSecrets(context);
  const createdStateDir = backendUrl === `file://${localState}` && !existsSync(localState);
  if (createdStateDir) mkdirSync(localState, { recursive: true });
  const discardIfUnused = () => {
    if (createdStateDir) rmSync(localState, { recursive: true, force: true });
  };

  try {
    const { LocalWorkspace, PulumiCommand } = automation;
    // PulumiCommand looks for `<root>/bin/pulumi`; any other location is used through PATH.
    const root = basename(dirname(executable)) === "bin" ? dirname(dirname(executable)) : undefined;
    const pulumiCommand = await PulumiCommand.get({ ...(root === undefined ? {} : { root }), skipVersionCheck: false }).catch((error: unknown) => {
      throw new CliFailure(`${executable} did not run \`pulumi version\` (is it the Pulumi CLI, version 3?): ${failureDetail(error)}`);
    });

    const { spec, decision, stack: stackName, project } = context;
    io.stderr.write(`${label} ${spec.name} (stack ${stackName}) on ${decision.provider}, state in ${backendUrl}\n`);
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName, projectName: project.name, program: async () => new Platform(spec.name, spec, platformOptions(context)).stackOutputs() },
      {
        pulumiCommand,
        // In the project's directory the engine reads Pulumi.yaml and Pulumi.<stack>.yaml itself (and
        // decrypts its secrets); elsewhere it runs in a temporary project of the same name.
        ...(project.dir === undefined
          ? { projectSettings: { name: project.name, runtime: "nodejs" as const, backend: { url: backendUrl } } }
          : { workDir: project.dir }),
        envVars: engineEnv(io, backendUrl),
      },
    )
      .then(async (selected) => {
        const config = configToSet(context);
        // Secret values given with --config are stored encrypted, never in plain text in the stack file.
        const secret = (key: string) => key.startsWith(`${CONFIG_NAMESPACE}:${SECRET_VALUE_PREFIX}`);
        if (Object.keys(config).length > 0) await selected.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value, secret: secret(key) }])));
        return selected;
      })
      .catch((error: unknown) => {
        const detail = failureDetail(error);
        throw engineFault(detail, { stack: stackName, backendUrl }) ?? new CliFailure(`pulumi could not open stack ${stackName} on ${backendUrl}: ${detail}`);
      });
    return { context, stack, backendUrl, discardIfUnused };
  } catch (error) {
    discardIfUnused();
    throw error;
  }
}

/** What the engine is asked to do: the three commands, the previews a confirmation runs, and drift's refresh. */
export type EngineRun = "preview" | "preview-destroy" | "up" | "destroy" | "drift";

/** How long an interrupt waits for pulumi to say it is cancelling (it got the terminal's SIGINT) before sending one. */
const INTERRUPT_GRACE_MS = 500;

const RUN_LABEL: Readonly<Record<EngineRun, string>> = { preview: "preview", "preview-destroy": "destroy preview", up: "up", destroy: "destroy", drift: "refresh --preview-only" };

/**
 * Runs one engine operation on an opened stack and returns its engine events. Ctrl-C (the `Io`'s
 * interrupts) asks the engine to cancel, as the Pulumi CLI does on SIGINT: it finishes the resource
 * operations in flight, records them in the state, releases the lock and stops. Progress goes to a
 * terminal's stderr; with `json` every event is a JSON line on stdout and the engine's text goes to stderr.
 */
export async function runEngine(opened: OpenedStack, run: EngineRun, io: Io, options: { json?: boolean; total?: number } = {}): Promise<automation.EngineEvent[]> {
  const { stack, context, backendUrl } = opened;
  const events: automation.EngineEvent[] = [];
  const progress = trackProgress(RUN_LABEL[run], io, options);
  const onEvent = (event: automation.EngineEvent) => {
    events.push(event);
    progress.onEvent(event);
  };
  // Ctrl-C on a terminal reaches the whole foreground process group, pulumi included, and pulumi
  // cancels on its first SIGINT but terminates at once on a second one. So the abort signal (which
  // sends one) goes only when pulumi has not said within the grace period that it is cancelling: an
  // interrupt sent to polycloud alone (a CI runner stopping a job) is passed on exactly once.
  const abort = new AbortController();
  let interrupted = false;
  let engineCancelling = false;
  let forward: NodeJS.Timeout | undefined;
  const stopListening = io.interrupts?.onInterrupt(() => {
    if (interrupted) {
      io.stderr.write("polycloud: still waiting for the engine to finish the operations in flight (stopping it now could leave them pending)\n");
      return;
    }
    interrupted = true;
    io.stderr.write(`\npolycloud: interrupt received; asking the engine to cancel the ${RUN_LABEL[run]} (resource operations in flight finish first)...\n`);
    forward = setTimeout(() => engineCancelling || abort.abort(), INTERRUPT_GRACE_MS);
  });
  const onOutput = (text: string) => (options.json === true ? io.stderr : io.stdout).write(text);
  const onError = (text: string) => {
    if (/received; cancelling/.test(text)) engineCancelling = true;
    io.stderr.write(text);
  };
  const common = { onOutput, onError, onEvent, color: colour(io), signal: abort.signal };
  try {
    if (run === "preview") await stack.preview(common);
    else if (run === "preview-destroy") await stack.previewDestroy(common);
    else if (run === "up") await stack.up(common);
    else if (run === "destroy") await stack.destroy(common);
    else await stack.previewRefresh(common);
  } catch (error) {
    progress.end();
    const applied = Object.values(progress.done()).reduce((a, b) => a + b, 0);
    if (applied === 0) opened.discardIfUnused();
    const where = `${applied}${options.total === undefined ? "" : ` of ${options.total}`} resource operation${applied === 1 ? "" : "s"} (${progress.describe()})`;
    if (interrupted) {
      throw new CliFailure(
        `interrupted: the engine cancelled the ${RUN_LABEL[run]} of stack ${context.stack} after ${where}. ` +
          (run === "up" || run === "destroy"
            ? `The state records what was done and the lock is released. Run \`polycloud preview ${context.specPath}\` to see what is left, and ${run} again to finish.`
            : "Nothing was changed."),
        ExitCode.interrupted,
      );
    }
    const fault = engineFault(failureDetail(error), { stack: context.stack, backendUrl });
    if (fault !== undefined) throw fault;
    const code = exitCode(error);
    const after = applied > 0 ? ` after ${where}; the state records what was done, so fix the cause and run ${run} again to finish` : "";
    throw new CliFailure(`pulumi ${RUN_LABEL[run]} failed${code === undefined ? "" : ` (exit code ${code})`}${after}; the engine's messages are above`);
  } finally {
    stopListening?.();
    clearTimeout(forward);
  }
  progress.end();
  if (io.stderr.isTTY === true && options.json !== true && run !== "drift") io.stderr.write(`${RUN_LABEL[run]} done: ${progress.describe()}\n`);
  return events;
}

/** The `preview`, `up` and `destroy` commands. */
export async function engineCommand(operation: EngineOperation, specArg: string, flags: EngineFlags, io: Io): Promise<number> {
  checkEngineFlags(operation, flags);
  const context = specContext(specArg, flags, io);
  const expected = flags.expectChanges === undefined ? undefined : readExpectation(flags.expectChanges, io.cwd);
  const gate = confirmationGate(operation, context, flags, io);
  const opened = await openStack(specArg, flags, io, operation, context);
  const json = flags.json === true;
  if (operation === "preview") {
    const reviewed = summarize(context.stack, flags.destroy === true ? "destroy" : "up", changesOf(await runEngine(opened, flags.destroy === true ? "preview-destroy" : "preview", io, { json })));
    const losing = dataLosing(reviewed.changes);
    if (losing.length > 0) io.stderr.write(`warning: ${losing.map((c) => `${c.op === "replace" ? "replaces" : "deletes"} ${c.kind} ${nameOf(c.urn)}`).join(", ")}: what ${losing.length === 1 ? "it holds" : "they hold"} is lost\n`);
    if (flags.saveChanges !== undefined) {
      const file = resolve(io.cwd, flags.saveChanges);
      writeAtomically(file, `${JSON.stringify(reviewed, null, 2)}\n`);
      (json ? io.stderr : io.stdout).write(`change summary ${reviewed.hash} (${countsOf(reviewed.changes)}) saved to ${file}\n`);
    }
    return ExitCode.ok;
  }
  let total: number | undefined;
  if (gate.review) {
    try {
      const summary = summarize(context.stack, operation, changesOf(await runEngine(opened, operation === "up" ? "preview" : "preview-destroy", io, { json })));
      io.stderr.write(renderSummary(summary, context.spec.environment));
      if (expected !== undefined) requireExpected(expected, summary);
      if (summary.changes.length === 0) return ExitCode.ok;
      if (gate.prompt) await confirmInteractively(operation, context, io);
      total = summary.changes.length;
    } catch (error) {
      opened.discardIfUnused();
      throw error;
    }
  }
  await runEngine(opened, operation, io, { json, ...(total === undefined ? {} : { total }) });
  return ExitCode.ok;
}

/** Flags that belong to other commands are refused, naming the one they belong to. */
function checkEngineFlags(operation: EngineOperation, flags: EngineFlags): void {
  const misplaced: [string, unknown, string][] = [
    ["--save-changes", flags.saveChanges, "preview"],
    ["--destroy", flags.destroy, "preview"],
    ["--expect-changes", flags.expectChanges, "up and destroy"],
    ["--confirm", flags.confirm, "up and destroy"],
  ];
  PolycloudError.throwIfAny(
    misplaced
      .filter(([, value, where]) => value !== undefined && !where.includes(operation))
      .map(([path, value, where]) => ({ path, message: `${JSON.stringify(value)} is not an option of ${operation}`, fix: `use it with ${where}` })),
    "Invalid flags",
  );
}

/**
 * The config the engine must be told: all of it in a temporary project; in the project's directory
 * only what the stack file does not already say (`--config` flags, the spec's region), since the
 * engine reads the file itself and `config set-all` writes into it.
 */
function configToSet({ config, project, stack }: SpecContext): Record<string, string> {
  if (project.dir === undefined) return { ...config };
  const inFile = readStackConfig(project.dir, stack).config;
  return Object.fromEntries(Object.entries(config).filter(([key, value]) => inFile[key] !== value));
}

/** Encrypted stack config is read only by the engine, and only in the project's directory. */
function requireProjectForSecrets({ project, secureKeys, specPath, stack }: SpecContext): void {
  if (project.dir !== undefined || secureKeys.length === 0) return;
  const dir = dirname(specPath);
  throw new PolycloudError(
    [
      {
        path: join(dir, `Pulumi.${stack}.yaml`),
        message: `holds encrypted config (${secureKeys.join(", ")}), which only the Pulumi engine can decrypt, but ${dir} has no Pulumi.yaml, so the engine would not read this file`,
        fix: `add a Pulumi.yaml beside the spec (for example \`name: ${project.name}\` and \`runtime: nodejs\`) so the engine reads and decrypts Pulumi.${stack}.yaml itself`,
      },
    ],
    "Encrypted config unreachable",
  );
}

/** The backends Pulumi knows, by URL scheme. */
const BACKEND_URL = /^(file:\/\/.+|s3:\/\/[^/?]+.*|azblob:\/\/[^/?]+.*|gs:\/\/[^/?]+.*|https?:\/\/[^/]+.*)$/;

/** A backend URL Pulumi would not understand is refused before anything runs, naming where it came from. */
function requireBackendUrl(url: string, source: string): void {
  if (BACKEND_URL.test(url)) return;
  throw new PolycloudError(
    [
      {
        path: source,
        message: `${JSON.stringify(url)} is not a Pulumi backend URL; allowed: https://api.pulumi.com (Pulumi Cloud, or your own service's URL), s3://<bucket>, azblob://<container>, gs://<bucket>, file://<absolute directory>`,
        fix: source === "--backend-url" ? "pass one of those, e.g. --backend-url s3://acme-pulumi-state" : "export PULUMI_BACKEND_URL with one of those, or unset it to use ./.polycloud",
      },
    ],
    "Invalid backend URL",
  );
}

/** Self-managed backends encrypt secrets with a passphrase, which a non-interactive run cannot prompt for. */
function requirePassphrase(backendUrl: string, io: Io): void {
  const selfManaged = !/^https?:\/\//.test(backendUrl);
  if (selfManaged && io.env["PULUMI_CONFIG_PASSPHRASE"] === undefined && io.env["PULUMI_CONFIG_PASSPHRASE_FILE"] === undefined) {
    throw new CliFailure(
      `PULUMI_CONFIG_PASSPHRASE is not set, and the ${backendUrl.split(":")[0]} backend encrypts stack secrets with a passphrase. Fix: export PULUMI_CONFIG_PASSPHRASE=<passphrase> (or PULUMI_CONFIG_PASSPHRASE_FILE=<file>), or use Pulumi Cloud with --backend-url https://api.pulumi.com`,
    );
  }
}

function engineEnv(io: Io, backendUrl: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(io.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...env, PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" };
}

const colour = (io: Io): "auto" | "never" => (io.stdout.isTTY === true ? "auto" : "never");

function exitCode(error: unknown): number | undefined {
  const result = (error as { commandResult?: { code?: number; err?: { exitCode?: number } } }).commandResult;
  // The Automation API reports -2 when the process exited non-zero; the real code is on the execa error.
  return result?.err?.exitCode ?? result?.code;
}

/** A failed command's stderr (an Automation API CommandError) without the wrapper's "Command failed" line, or the error's message. */
function failureDetail(error: unknown): string {
  const stderr = (error as { commandResult?: { stderr?: string } }).commandResult?.stderr;
  const text = stderr === undefined || stderr.trim() === "" ? (error instanceof Error ? error.message : String(error)) : stderr;
  return text
    .split("\n")
    .filter((line) => !line.startsWith("Command failed with exit code"))
    .join("\n")
    .trim();
}
