/**
 * One error class for bad input, everywhere in polycloud: the spec loader, component args, detection.
 * Its message lists every problem at once, one per line: the property path, what is wrong (with the bad
 * value), what is allowed, and the fix where one exists. Secret values are never echoed: every
 * problem's text goes through {@link redactText}, and {@link describeValue} masks by field too.
 */
import { isSecretPath, redactText, redactValue, REDACTED } from "./redact";

export { containsCredential, isSecretLookingName, isSecretPath, MASK, redactDeep, redactText, redactValue, REDACTED } from "./redact";

/** One thing wrong with an input. */
export interface Problem {
  /** Dotted property path, e.g. `services.api.replicas.min`; empty for the document itself. */
  readonly path: string;
  /** What is wrong, naming the bad value (already redacted where it may be secret) and what is allowed. */
  readonly message: string;
  /** How to fix it, phrased as an instruction, e.g. `make min <= max`. */
  readonly fix?: string;
  /** 1-based line in the source file, where the parser could tell. */
  readonly line?: number;
  /** 1-based column in the source file, where the parser could tell (syntax errors). */
  readonly column?: number;
}

/** Formats one problem as the single line the error message shows. */
export function formatProblem(problem: Problem): string {
  const where = problem.path === "" ? "(document)" : problem.path;
  const line = problem.line === undefined ? "" : ` (line ${problem.line}${problem.column === undefined ? "" : `, column ${problem.column}`})`;
  const fix = problem.fix === undefined ? "" : `; ${problem.fix}`;
  return `${where}${line}: ${problem.message}${fix}`;
}

/** Bad input: raised before anything is created, listing every problem found. */
export class PolycloudError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], heading = "Invalid input") {
    if (problems.length === 0) throw new TypeError("PolycloudError needs at least one problem");
    // Whoever raised it, a credential in a problem's text is masked before anyone reads it.
    const safe = problems.map((p) => ({ ...p, message: redactText(p.message), ...(p.fix === undefined ? {} : { fix: redactText(p.fix) }) }));
    const count = safe.length === 1 ? "1 problem" : `${safe.length} problems`;
    super(`${redactText(heading)} (${count}):\n${safe.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.name = "PolycloudError";
    this.problems = safe;
  }

  /** Throws a PolycloudError when `problems` is not empty. */
  static throwIfAny(problems: readonly Problem[], heading?: string): void {
    if (problems.length > 0) throw new PolycloudError(problems, heading);
  }
}

/**
 * Renders a bad value for a message: strings quoted, credentials masked ({@link redactValue}: by
 * field, then by shape) and then shortened, objects summarised, and anything under a secret-looking
 * property replaced by `<redacted>`.
 */
export function describeValue(value: unknown, path = ""): string {
  if (isSecretPath(path)) return REDACTED;
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    // Masked before shortening, so that a cut never leaves half a credential unrecognised.
    const shown = redactValue(value, path);
    if (shown === REDACTED) return shown;
    return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "an object";
  return typeof value;
}
