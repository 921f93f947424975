/**
 * Patterns for recorded values, in the spirit of AWS CDK's `Match` and `Capture`: a plain object in
 * a pattern matches partially (`objectLike`), an array matches element by element, a RegExp matches
 * strings, and `Match.*` matchers say anything else. A failed match lists every difference with
 * its path; secret values are never printed.
 */
import { AssertionError } from "./errors";
import { isSecretPath, isUnknown, joinPath, redact, REDACTED } from "./values";

/** One difference between a value and a pattern. */
export interface Mismatch {
  /** Where, e.g. `ingress[0].fromPort`; empty for the value itself. */
  readonly path: string;
  readonly message: string;
}

/** @internal */
export interface MatchContext {
  readonly secretPaths: ReadonlySet<string>;
  /** Captures made during this match; committed only when the whole match succeeds. */
  readonly captures: Array<[Capture, unknown]>;
}

/** A pattern that is more than a literal value. Subclass it for custom matchers. */
export abstract class Matcher {
  /** Short description used in messages, e.g. `stringLikeRegexp(/^vpc-/)`. */
  abstract describe(): string;
  /** Appends a mismatch to `out` for each way `actual` (at `path`) differs. */
  abstract test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void;

  static isMatcher(value: unknown): value is Matcher {
    return value instanceof Matcher;
  }
}

/**
 * A pattern: a matcher, or a literal value that may contain matchers. With a type argument (the
 * inputs of a resource class) object keys and literal values are checked and completed.
 */
export type Pattern<T = unknown> = Matcher | RegExp | PatternOf<T>;
type PatternOf<T> = unknown extends T
  ? unknown
  : T extends readonly (infer E)[]
    ? readonly Pattern<E>[]
    : T extends object
      ? { readonly [K in keyof T]?: Pattern<T[K]> }
      : T;

/** Renders a value for a message, shortened, with secrets redacted. */
export function show(value: unknown, path = "", secretPaths: ReadonlySet<string> = new Set()): string {
  if (isSecretPath(path, secretPaths)) return REDACTED;
  if (value === undefined) return "undefined";
  if (isUnknown(value)) return "[unknown]";
  if (Matcher.isMatcher(value)) return value.describe();
  if (value instanceof RegExp) return String(value);
  const safe = secretPaths.size > 0 && typeof value === "object" ? redact(value, secretPaths, path) : value;
  let text: string | undefined;
  try {
    text = JSON.stringify(safe, (_k, v: unknown) => {
      if (Matcher.isMatcher(v)) return v.describe();
      if (v instanceof RegExp) return String(v);
      return v;
    });
  } catch {
    text = undefined;
  }
  if (text === undefined) text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (isUnknown(value)) return "unknown (preview)";
  return typeof value === "object" ? "an object" : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isUnknown(value);
}

/** Turns a literal pattern into a matcher; nested plain objects match partially when `partial`. */
export function toMatcher(pattern: unknown, partial: boolean): Matcher {
  if (Matcher.isMatcher(pattern)) return pattern;
  if (pattern instanceof RegExp) return new StringLikeRegexp(pattern);
  if (Array.isArray(pattern)) return new ArrayMatch(pattern, false, partial);
  if (isPlainObject(pattern)) return new ObjectMatch(pattern, partial);
  return new LiteralMatch(pattern);
}

class LiteralMatch extends Matcher {
  constructor(private readonly expected: unknown) {
    super();
  }
  describe(): string {
    return show(this.expected);
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (Object.is(actual, this.expected)) return;
    if (actual === undefined) {
      out.push({ path, message: `missing, expected ${show(this.expected)}` });
      return;
    }
    const sameType = typeof actual === typeof this.expected && Array.isArray(actual) === Array.isArray(this.expected);
    out.push({
      path,
      message: sameType
        ? `expected ${show(this.expected)}, got ${show(actual, path, ctx.secretPaths)}`
        : `expected ${show(this.expected)}, got ${typeName(actual)} ${show(actual, path, ctx.secretPaths)}`,
    });
  }
}

class ObjectMatch extends Matcher {
  constructor(
    private readonly pattern: Record<string, unknown>,
    private readonly partial: boolean,
  ) {
    super();
  }
  describe(): string {
    return `${this.partial ? "objectLike" : "objectEquals"}(${show(this.pattern)})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (!isPlainObject(actual)) {
      out.push({
        path,
        message: actual === undefined ? "missing, expected an object" : `expected an object, got ${typeName(actual)} ${show(actual, path, ctx.secretPaths)}`,
      });
      return;
    }
    for (const key of Object.keys(this.pattern)) {
      const sub = joinPath(path, key);
      const expected = this.pattern[key];
      const matcher = toMatcher(expected, this.partial);
      if (!(key in actual) && !(matcher instanceof Absent) && !(matcher instanceof Not)) {
        out.push({ path: sub, message: `missing, expected ${matcher.describe()}` });
        continue;
      }
      matcher.test(actual[key], sub, ctx, out);
    }
    if (!this.partial) {
      for (const key of Object.keys(actual)) {
        if (!(key in this.pattern) && actual[key] !== undefined) {
          const sub = joinPath(path, key);
          out.push({ path: sub, message: `unexpected key (value ${show(actual[key], sub, ctx.secretPaths)})` });
        }
      }
    }
  }
}

class ArrayMatch extends Matcher {
  constructor(
    private readonly pattern: readonly unknown[],
    private readonly subsequence: boolean,
    private readonly partial: boolean,
  ) {
    super();
  }
  describe(): string {
    return `${this.subsequence ? "arrayWith" : "arrayEquals"}(${show(this.pattern)})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (!Array.isArray(actual)) {
      out.push({
        path,
        message: actual === undefined ? "missing, expected an array" : `expected an array, got ${typeName(actual)} ${show(actual, path, ctx.secretPaths)}`,
      });
      return;
    }
    const matchers = this.pattern.map((p) => toMatcher(p, this.partial));
    if (!this.subsequence) {
      if (actual.length !== matchers.length) {
        out.push({ path, message: `expected ${matchers.length} element(s), got ${actual.length}` });
      }
      matchers.forEach((m, i) => {
        if (i < actual.length) m.test(actual[i], joinPath(path, i), ctx, out);
      });
      return;
    }
    // arrayWith: every pattern matches a distinct element, in order (like CDK's Match.arrayWith).
    let from = 0;
    for (const [index, m] of matchers.entries()) {
      let found = -1;
      let best: Mismatch[] | undefined;
      let bestAt = -1;
      for (let i = from; i < actual.length; i++) {
        const trial: Mismatch[] = [];
        const captures: Array<[Capture, unknown]> = [];
        m.test(actual[i], joinPath(path, i), { secretPaths: ctx.secretPaths, captures }, trial);
        if (trial.length === 0) {
          ctx.captures.push(...captures);
          found = i;
          break;
        }
        if (best === undefined || trial.length < best.length) {
          best = trial;
          bestAt = i;
        }
      }
      if (found < 0) {
        const closest = best === undefined ? "" : `; closest is element ${bestAt}: ${best.map((b) => `${b.path}: ${b.message}`).join("; ")}`;
        out.push({
          path,
          message: `no element${from > 0 ? ` after index ${from - 1}` : ""} matches pattern #${index} ${m.describe()}${closest}`,
        });
        return;
      }
      from = found + 1;
    }
  }
}

class Absent extends Matcher {
  describe(): string {
    return "absent()";
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (actual !== undefined) out.push({ path, message: `expected to be absent, got ${show(actual, path, ctx.secretPaths)}` });
  }
}

class AnyValue extends Matcher {
  describe(): string {
    return "anyValue()";
  }
  test(actual: unknown, path: string, _ctx: MatchContext, out: Mismatch[]): void {
    if (actual === undefined || actual === null) out.push({ path, message: `missing, expected any value, got ${String(actual)}` });
  }
}

class Not extends Matcher {
  private readonly inner: Matcher;
  constructor(pattern: unknown) {
    super();
    this.inner = toMatcher(pattern, true);
  }
  describe(): string {
    return `not(${this.inner.describe()})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    const trial: Mismatch[] = [];
    this.inner.test(actual, path, { secretPaths: ctx.secretPaths, captures: [] }, trial);
    if (trial.length === 0) out.push({ path, message: `expected not to match ${this.inner.describe()}, got ${show(actual, path, ctx.secretPaths)}` });
  }
}

class StringLikeRegexp extends Matcher {
  private readonly regexp: RegExp;
  constructor(pattern: string | RegExp) {
    super();
    this.regexp = typeof pattern === "string" ? new RegExp(pattern) : pattern;
  }
  describe(): string {
    return `stringLikeRegexp(${String(this.regexp)})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (typeof actual !== "string") {
      out.push({ path, message: actual === undefined ? `missing, expected a string like ${String(this.regexp)}` : `expected a string like ${String(this.regexp)}, got ${typeName(actual)}` });
      return;
    }
    this.regexp.lastIndex = 0;
    if (!this.regexp.test(actual)) out.push({ path, message: `expected a string like ${String(this.regexp)}, got ${show(actual, path, ctx.secretPaths)}` });
  }
}

class SerializedJson extends Matcher {
  private readonly inner: Matcher;
  constructor(pattern: unknown) {
    super();
    this.inner = toMatcher(pattern, false);
  }
  describe(): string {
    return `serializedJson(${this.inner.describe()})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (typeof actual !== "string") {
      out.push({ path, message: actual === undefined ? "missing, expected a JSON string" : `expected a JSON string, got ${typeName(actual)}` });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(actual);
    } catch (err) {
      out.push({ path, message: `expected a JSON string, but it does not parse (${(err as Error).message})` });
      return;
    }
    // Inside a secret string, every parsed value is secret too.
    const secret = isSecretPath(path, ctx.secretPaths);
    const inner: Mismatch[] = [];
    this.inner.test(parsed, `${path}(json)`, secret ? { secretPaths: new Set([`${path}(json)`]), captures: ctx.captures } : ctx, inner);
    out.push(...inner);
  }
}

class Exact extends Matcher {
  private readonly inner: Matcher;
  constructor(private readonly pattern: unknown) {
    super();
    this.inner = Matcher.isMatcher(pattern) ? pattern : toMatcher(pattern, false);
  }
  describe(): string {
    return `exact(${show(this.pattern)})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    this.inner.test(actual, path, ctx, out);
  }
}

class Secret extends Matcher {
  private readonly inner: Matcher | undefined;
  constructor(pattern?: unknown) {
    super();
    this.inner = pattern === undefined ? undefined : toMatcher(pattern, true);
  }
  describe(): string {
    return `secret(${this.inner === undefined ? "" : this.inner.describe()})`;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (actual === undefined) {
      out.push({ path, message: "missing, expected a secret" });
      return;
    }
    if (!isSecretPath(path, ctx.secretPaths)) {
      out.push({ path, message: `expected a secret, got a plain value ${show(actual)}; wrap it with pulumi.secret(...) or additionalSecretOutputs` });
      return;
    }
    // The value is secret: report differences without the value.
    const inner: Mismatch[] = [];
    this.inner?.test(actual, path, ctx, inner);
    for (const m of inner) out.push({ path: m.path, message: m.message.replace(/, got .*$/, ", got a different secret value") });
  }
}

class UnknownMatch extends Matcher {
  describe(): string {
    return "unknown()";
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (!isUnknown(actual)) out.push({ path, message: `expected a value unknown until apply, got ${show(actual, path, ctx.secretPaths)}` });
  }
}

class Predicate extends Matcher {
  constructor(
    private readonly label: string,
    private readonly fn: (value: unknown) => boolean,
  ) {
    super();
  }
  describe(): string {
    return this.label;
  }
  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (!this.fn(actual)) out.push({ path, message: `expected ${this.label}, got ${show(actual, path, ctx.secretPaths)}` });
  }
}

/** Matchers, in the spirit of AWS CDK's `Match`. */
export const Match = {
  /** The object has at least these keys, each matching; nested literal objects match partially too. */
  objectLike(pattern: Readonly<Record<string, unknown>>): Matcher {
    return new ObjectMatch(pattern, true);
  },
  /** The object has exactly these keys, each matching. */
  objectEquals(pattern: Readonly<Record<string, unknown>>): Matcher {
    return new ObjectMatch(pattern, false);
  },
  /** The array contains elements matching these patterns, in this order, possibly with others between. */
  arrayWith(pattern: readonly unknown[]): Matcher {
    return new ArrayMatch(pattern, true, true);
  },
  /** The array has exactly these elements, each matching its pattern. */
  arrayEquals(pattern: readonly unknown[]): Matcher {
    return new ArrayMatch(pattern, false, true);
  },
  /** The key is absent (or undefined). */
  absent(): Matcher {
    return new Absent();
  },
  /** Any value but undefined and null. */
  anyValue(): Matcher {
    return new AnyValue();
  },
  /** The value does not match `pattern`. */
  not(pattern: unknown): Matcher {
    return new Not(pattern);
  },
  /** Deep equality: nested objects must have exactly the keys given. */
  exact(pattern: unknown): Matcher {
    return new Exact(pattern);
  },
  /** A string matching the regular expression. */
  stringLikeRegexp(pattern: string | RegExp): Matcher {
    return new StringLikeRegexp(pattern);
  },
  /** A JSON string whose parsed value matches `pattern` (IAM policies, bucket policies). */
  serializedJson(pattern: unknown): Matcher {
    return new SerializedJson(pattern);
  },
  /** A value that is secret (and, if given, matches `pattern`). */
  secret(pattern?: unknown): Matcher {
    return new Secret(pattern);
  },
  /** A value a preview does not know yet. */
  unknown(): Matcher {
    return new UnknownMatch();
  },
  /** Any value for which `fn` returns true; `label` names it in messages. */
  predicate(label: string, fn: (value: unknown) => boolean): Matcher {
    return new Predicate(label, fn);
  },
} as const;

/**
 * Captures the value a pattern position matched, to assert on it afterwards.
 * @example
 * const role = new Capture();
 * plan.hasResource("aws:ecs/taskDefinition:TaskDefinition", { executionRoleArn: role });
 * expect(role.asString()).toMatch(/^arn:aws:iam::/);
 */
export class Capture extends Matcher {
  private readonly inner: Matcher | undefined;
  private readonly values: unknown[] = [];
  private index = 0;

  constructor(pattern?: unknown) {
    super();
    this.inner = pattern === undefined ? undefined : toMatcher(pattern, true);
  }

  describe(): string {
    return `capture(${this.inner === undefined ? "" : this.inner.describe()})`;
  }

  test(actual: unknown, path: string, ctx: MatchContext, out: Mismatch[]): void {
    if (actual === undefined) {
      out.push({ path, message: "missing, expected a value to capture" });
      return;
    }
    const before = out.length;
    this.inner?.test(actual, path, ctx, out);
    if (out.length === before) ctx.captures.push([this, actual]);
  }

  /** @internal Called when the match it took part in succeeded. */
  commit(value: unknown): void {
    this.values.push(value);
  }

  /** Moves to the next captured value; false when there is none. */
  next(): boolean {
    if (this.index + 1 >= this.values.length) return false;
    this.index++;
    return true;
  }

  /** All captured values, in match order. */
  all(): unknown[] {
    return [...this.values];
  }

  /** The current captured value. */
  get value(): unknown {
    if (this.values.length === 0) throw new AssertionError("Capture: nothing was captured; the pattern did not match any value");
    return this.values[this.index];
  }

  asString(): string {
    return this.as("string", (v): v is string => typeof v === "string");
  }
  asNumber(): number {
    return this.as("number", (v): v is number => typeof v === "number");
  }
  asBoolean(): boolean {
    return this.as("boolean", (v): v is boolean => typeof v === "boolean");
  }
  asArray(): unknown[] {
    return this.as("array", (v): v is unknown[] => Array.isArray(v));
  }
  asObject(): Record<string, unknown> {
    return this.as("object", isPlainObject);
  }

  private as<T>(what: string, guard: (v: unknown) => v is T): T {
    const v = this.value;
    if (!guard(v)) throw new AssertionError(`Capture: the captured value is ${typeName(v)}, not ${what === "array" || what === "object" ? `an ${what}` : `a ${what}`}`);
    return v;
  }
}

/** Result of matching one value against a pattern. */
export interface MatchResult {
  readonly ok: boolean;
  readonly mismatches: readonly Mismatch[];
}

/**
 * Matches `actual` against `pattern` (plain objects match partially). Captures are kept only
 * when the match succeeds and `commit` is true.
 */
export function matchValue(actual: unknown, pattern: unknown, secretPaths: ReadonlySet<string> = new Set(), commit = true): MatchResult & { commit(): void } {
  const captures: Array<[Capture, unknown]> = [];
  const mismatches: Mismatch[] = [];
  toMatcher(pattern, true).test(actual, "", { secretPaths, captures }, mismatches);
  const doCommit = (): void => {
    for (const [capture, value] of captures) capture.commit(value);
  };
  if (commit && mismatches.length === 0) doCommit();
  return { ok: mismatches.length === 0, mismatches, commit: doCommit };
}
