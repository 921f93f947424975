/**
 * `polycloud preview|up|destroy`: the real Pulumi engine, driven through the Automation API with the
 * Platform as an inline program. State lives in a local file backend under `.polycloud/` unless a
 * backend URL is given (`--backend-url` or `PULUMI_BACKEND_URL`: Pulumi Cloud, s3://, azblob://, gs://).
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { automation } from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, PolycloudError, SECRET_VALUE_PREFIX } from "@polycloud/core";
import { Platform } from "@polycloud/platform";
import { readStackConfig, specContext, type SpecContext, type SpecFlags } from "./context";
import { CliFailure, ExitCode } from "./errors";
import type { Io } from "./io";

export type EngineOperation = "preview" | "up" | "destroy";

export interface EngineFlags extends SpecFlags {
  readonly backendUrl?: string;
  /** Confirms `destroy`. */
  readonly yes?: boolean;
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

/** The `preview`, `up` and `destroy` commands. */
export async function engineCommand(operation: EngineOperation, specArg: string, flags: EngineFlags, io: Io): Promise<number> {
  const context = specContext(specArg, flags, io);
  if (operation === "destroy" && flags.yes !== true) {
    throw new PolycloudError(
      [{ path: "--yes", message: `destroy deletes every resource of stack ${context.stack} (${context.spec.name})`, fix: "pass --yes to confirm" }],
      "Confirmation needed",
    );
  }
  // The CLI first: without it nothing else matters, and nothing is created.
  const executable = findPulumi(io.env, io.homeDir);
  if (executable === undefined) throw new CliFailure(`The Pulumi CLI was not found. ${INSTALL_HINT}`);
  const localState = resolve(io.cwd, ".polycloud");
  const backendUrl = flags.backendUrl ?? io.env["PULUMI_BACKEND_URL"] ?? `file://${localState}`;
  requirePassphrase(backendUrl, io);
  requireProjectForSecrets(context);
  if (backendUrl === `file://${localState}`) mkdirSync(localState, { recursive: true });

  const { LocalWorkspace, PulumiCommand } = automation;
  // PulumiCommand looks for `<root>/bin/pulumi`; any other location is used through PATH.
  const root = basename(dirname(executable)) === "bin" ? dirname(dirname(executable)) : undefined;
  const pulumiCommand = await PulumiCommand.get({ ...(root === undefined ? {} : { root }), skipVersionCheck: false }).catch((error: unknown) => {
    throw new CliFailure(`${executable} did not run \`pulumi version\` (is it the Pulumi CLI, version 3?): ${failureDetail(error)}`);
  });

  const { spec, decision, stack: stackName, project } = context;
  io.stderr.write(`${operation} ${spec.name} (stack ${stackName}) on ${decision.provider}, state in ${backendUrl}\n`);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: project.name, program: async () => new Platform(spec.name, spec, { decision }).stackOutputs() },
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
      throw new CliFailure(`pulumi could not open stack ${stackName} on ${backendUrl}: ${failureDetail(error)}`);
    });
  const onOutput = (text: string) => io.stdout.write(text);
  const onError = (text: string) => io.stderr.write(text);
  try {
    if (operation === "preview") await stack.preview({ onOutput, onError, color: colour(io) });
    else if (operation === "up") await stack.up({ onOutput, onError, color: colour(io) });
    else await stack.destroy({ onOutput, onError, color: colour(io) });
  } catch (error) {
    throw engineFailure(operation, error);
  }
  return ExitCode.ok;
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

/** Self-managed backends encrypt secrets with a passphrase, which a non-interactive run cannot prompt for. */
function requirePassphrase(backendUrl: string, io: Io): void {
  const selfManaged = !/^https?:\/\//.test(backendUrl);
  if (selfManaged && io.env["PULUMI_CONFIG_PASSPHRASE"] === undefined && io.env["PULUMI_CONFIG_PASSPHRASE_FILE"] === undefined) {
    throw new PolycloudError(
      [
        {
          path: "PULUMI_CONFIG_PASSPHRASE",
          message: `is not set; the ${backendUrl.split(":")[0]} backend encrypts stack secrets with a passphrase`,
          fix: "export PULUMI_CONFIG_PASSPHRASE=<passphrase> (or PULUMI_CONFIG_PASSPHRASE_FILE=<file>), or use Pulumi Cloud with --backend-url https://api.pulumi.com",
        },
      ],
      "Missing passphrase",
    );
  }
}

function engineEnv(io: Io, backendUrl: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(io.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...env, PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" };
}

const colour = (io: Io) => (io.stdout.isTTY === true ? "auto" : "never");

/** The operation streamed the engine's diagnostics to stderr already; the error adds only the exit code. */
function engineFailure(operation: EngineOperation, error: unknown): CliFailure {
  const code = exitCode(error);
  return new CliFailure(`pulumi ${operation} failed${code === undefined ? "" : ` (exit code ${code})`}; the engine's messages are above`);
}

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
