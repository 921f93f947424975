/**
 * The harness's own error kinds. Bad input (options, mock handlers' answers, a class without a type
 * token) is not among them: that is `PolycloudError` from `@polycloud/core`, as everywhere in polycloud.
 */

/** A program that did not settle: names what is still pending. */
export class ProgramHangError extends Error {
  readonly pending: readonly string[];

  constructor(timeoutMs: number, pending: readonly string[]) {
    const list = pending.length === 0 ? ["  - (no registration is pending: an awaited Promise in the program never settled)"] : pending.map((p) => `  - ${p}`);
    super(
      `runProgram: the program made no progress for ${timeoutMs} ms and did not finish; ` +
        `${pending.length} registration${pending.length === 1 ? " is" : "s are"} still pending:\n${list.join("\n")}\n` +
        "An Output that never resolves or a cycle between resources causes this. " +
        "If the program is only slow, raise `timeoutMs`.",
    );
    this.name = "ProgramHangError";
    this.pending = pending;
  }
}

/** A plan query or assertion that failed: the program's plan is not what the test expects. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}
