/**
 * The CLI's surroundings, passed in rather than read from globals, so that every command can be run
 * in-process by tests with its own environment, working directory and captured output.
 */
import { homedir } from "node:os";
import { redactText } from "@polycloud/core";
import type { ModuleLoader } from "@polycloud/platform/detection";

export interface Output {
  write(text: string): void;
  /** True when the stream is a terminal: progress and colour only then. */
  readonly isTTY?: boolean;
}

/** Where answers come from: a terminal when `isTTY`, so a prompt can be asked. */
export interface Input {
  readonly isTTY?: boolean;
  /** Writes `prompt` to stderr and resolves with the next line typed, or undefined at end of input. */
  question(prompt: string): Promise<string | undefined>;
}

/** Ctrl-C: `onInterrupt` registers a handler while an operation runs and returns its removal. */
export interface Interrupts {
  onInterrupt(handler: () => void): () => void;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Absent when there is nothing to read (tests, a closed stdin): prompts are then not possible. */
  readonly stdin?: Input;
  /** Absent when nothing can interrupt (tests that do not simulate Ctrl-C). */
  readonly interrupts?: Interrupts;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
  /** How a backend's package is loaded by name; tests put a stand-in backend here. @default require */
  readonly loadModule?: ModuleLoader;
}

/** The real process. */
export function processIo(): Io {
  return {
    stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    stdin: { isTTY: process.stdin.isTTY === true, question: (prompt) => askLine(prompt) },
    interrupts: {
      onInterrupt: (handler) => {
        process.on("SIGINT", handler);
        return () => void process.off("SIGINT", handler);
      },
    },
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
  };
}

/** One line from the terminal, the prompt on stderr (stdout stays for output that tools read). */
async function askLine(prompt: string): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string | undefined>((resolve) => {
      lines.once("close", () => resolve(undefined));
      lines.question(prompt, resolve);
    });
  } finally {
    lines.close();
  }
}

/**
 * `io` with everything written to stdout and stderr passed through core's credential redaction: the
 * CLI's one output path, so no message, log line or plan document shows a credential, whichever
 * part of the program wrote it.
 */
export function redactingIo(io: Io): Io {
  const redacting = (output: Output): Output => ({
    write: (text) => output.write(redactText(text)),
    ...(output.isTTY === undefined ? {} : { isTTY: output.isTTY }),
  });
  return { ...io, stdout: redacting(io.stdout), stderr: redacting(io.stderr) };
}
