/**
 * Errors the harness raises. `TestingError` mirrors `PolycloudError` from `@polycloud/core`
 * (one line per problem: where, what, the fix) without depending on core.
 */

/** One thing wrong with what a test passed to the harness. */
export interface TestingProblem {
  /** Where, e.g. `options.timeoutMs` or `config["aws:region"]`. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

/** Bad input to the harness: every problem at once, one per line. */
export class TestingError extends Error {
  readonly problems: readonly TestingProblem[];

  constructor(heading: string, problems: readonly TestingProblem[]) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}${p.fix === undefined ? "" : `; ${p.fix}`}`);
    super(`${heading}:\n${lines.join("\n")}`);
    this.name = "TestingError";
    this.problems = problems;
  }
}

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

/** A plan query or assertion that failed. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}
