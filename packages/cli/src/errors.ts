/**
 * Exit codes and the one place errors become text: a clear paragraph, never a stack trace unless
 * `--debug` asks for it.
 */
import { CommanderError } from "commander";
import { PolycloudError } from "@polycloud/core";
import type { Io } from "./io";

export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** Something failed while running: the engine, a missing Pulumi CLI, a bug. */
  failure: 1,
  /** Bad input: an invalid spec, an unknown provider, no decidable provider, bad flags. */
  badInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure while running that is not the user's input (exit 1), with what to do about it. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}

/** Writes `error` to stderr as one paragraph and returns the exit code it means. */
export function reportError(error: unknown, io: Io, debug: boolean): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput; // commander has printed it
  const code = error instanceof PolycloudError ? ExitCode.badInput : ExitCode.failure;
  const message = error instanceof Error ? error.message : String(error);
  const expected = error instanceof PolycloudError || error instanceof CliFailure;
  io.stderr.write(`polycloud: ${message.trimEnd()}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  else if (!expected) io.stderr.write("(run again with --debug for the stack trace)\n");
  return code;
}
