/**
 * One error class for bad input, everywhere in polycloud: the spec loader, component args, detection.
 * Its message lists every problem at once, one per line: the property path, what is wrong (with the bad
 * value), what is allowed, and the fix where one exists. Secret values are never echoed.
 */

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
}

/** Formats one problem as the single line the error message shows. */
export function formatProblem(problem: Problem): string {
  const where = problem.path === "" ? "(document)" : problem.path;
  const line = problem.line === undefined ? "" : ` (line ${problem.line})`;
  const fix = problem.fix === undefined ? "" : `; ${problem.fix}`;
  return `${where}${line}: ${problem.message}${fix}`;
}

/** Bad input: raised before anything is created, listing every problem found. */
export class PolycloudError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], heading = "Invalid input") {
    if (problems.length === 0) throw new TypeError("PolycloudError needs at least one problem");
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${heading} (${count}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.name = "PolycloudError";
    this.problems = problems;
  }

  /** Throws a PolycloudError when `problems` is not empty. */
  static throwIfAny(problems: readonly Problem[], heading?: string): void {
    if (problems.length > 0) throw new PolycloudError(problems, heading);
  }
}

// Names that suggest a secret: their values are never echoed in messages.
const SECRET_NAME = /(secret|passw(or)?d|pwd|token|api[-_]?key|private[-_]?key|credential|auth|signature|conn(ection)?[-_]?str)/i;

/** True when a property name suggests its value is a secret. */
export function isSecretLookingName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Renders a bad value for a message: strings quoted and shortened, objects summarised,
 * and anything under a secret-looking property replaced by `<redacted>`.
 */
export function describeValue(value: unknown, path = ""): string {
  const last = path.split(".").pop() ?? "";
  if (isSecretLookingName(last)) return "<redacted>";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "an object";
  return typeof value;
}
