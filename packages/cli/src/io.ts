/**
 * The CLI's surroundings, passed in rather than read from globals, so that every command can be run
 * in-process by tests with its own environment, working directory and captured output.
 */
import { homedir } from "node:os";
import { redactText } from "@polycloud/core";

export interface Output {
  write(text: string): void;
  /** True when the stream is a terminal: progress and colour only then. */
  readonly isTTY?: boolean;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
}

/** The real process. */
export function processIo(): Io {
  return {
    stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
  };
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
