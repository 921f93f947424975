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
  /** `drift`: resources were changed outside the code. */
  drift: 3,
  /** The operation was interrupted (Ctrl-C) and the engine cancelled it: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure while running that is not the user's input (exit 1), with what to do about it. */
export class CliFailure extends Error {
  constructor(
    message: string,
    /** The exit code it means: 1 unless a more precise one applies (an interrupted operation). */
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = "CliFailure";
  }
}

/**
 * The bad input an error stands for: a PolycloudError, also one thrown by another copy of
 * @polycloud/core (a backend installed with its own, a bundled program), which `instanceof` misses,
 * and one a runtime wrapped in another error (`cause`). Bad input is always exit 2, never "a bug".
 */
export function badInput(error: unknown): PolycloudError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PolycloudError) return e;
    const problems = (e as { problems?: unknown }).problems;
    if (e.name === "PolycloudError" && Array.isArray(problems) && problems.length > 0) return new PolycloudError(problems as PolycloudError["problems"], headingOf(e.message));
  }
  return undefined;
}

const headingOf = (message: string) => message.split("\n")[0]!.replace(/ \(\d+ problems?\):$/, "");

/** Writes `error` to stderr as one paragraph and returns the exit code it means. */
export function reportError(thrown: unknown, io: Io, debug: boolean): ExitCode {
  if (thrown instanceof CommanderError) return thrown.exitCode === 0 ? ExitCode.ok : ExitCode.badInput; // commander has printed it
  const input = badInput(thrown);
  const error = input ?? thrown;
  const code = input !== undefined ? ExitCode.badInput : error instanceof CliFailure ? error.exitCode : ExitCode.failure;
  const message = error instanceof Error ? error.message : String(error);
  const expected = input !== undefined || error instanceof CliFailure;
  io.stderr.write(`polycloud: ${message.trimEnd()}\n`);
  if (debug && thrown instanceof Error && thrown.stack !== undefined) io.stderr.write(`${thrown.stack}\n`);
  else if (!expected) io.stderr.write("(run again with --debug for the stack trace)\n");
  return code;
}
