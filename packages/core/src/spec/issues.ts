/**
 * zod issues turned into problems a person can act on: the path, the bad value (redacted where it
 * may be secret), what is allowed (read from the schema at that path) and a fix ("did you mean" for
 * misspelt fields and values, an example otherwise), worded like the rules' problems.
 */
import type { z } from "zod";
import { describeValue, redactValue, type Problem } from "../errors";
import { closestMatch } from "../suggest";
import { SpecSchema } from "./schema";

/** A property path as messages show it: `services.api.secrets[0]`. */
export const formatPath = (path: readonly PropertyKey[]) =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("");

/** The value at a property path of a parsed document, or undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

interface CheckDef {
  readonly check: string;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly error?: () => unknown;
}
interface ZodDef {
  readonly type: string;
  readonly innerType?: ZodNode;
  readonly in?: ZodNode;
  readonly shape?: Record<string, ZodNode>;
  readonly keyType?: ZodNode;
  readonly valueType?: ZodNode;
  readonly element?: ZodNode;
  readonly options?: readonly ZodNode[];
  readonly entries?: Record<string, string | number>;
  readonly checks?: readonly { _zod: { def: CheckDef } }[];
  readonly defaultValue?: unknown;
  readonly format?: string;
  readonly error?: () => unknown;
}
/** The slice of a zod 4 schema these messages read. */
export interface ZodNode {
  readonly _zod: { readonly def: ZodDef };
  safeParse(value: unknown): { success: boolean };
}

/** A schema node without its `optional`, `default` and `pipe` wrappers, and what the wrappers said. */
export function unwrap(node: ZodNode): { node: ZodNode; optional: boolean; defaultValue?: unknown } {
  let optional = false;
  let defaultValue: unknown;
  let hasDefault = false;
  for (;;) {
    const def = node._zod.def;
    if (def.type === "optional") optional = true;
    if (def.type === "default" && !hasDefault) {
      hasDefault = true;
      defaultValue = def.defaultValue;
    }
    if (def.innerType) node = def.innerType;
    else if (def.type === "pipe" && def.in) node = def.in;
    else break;
  }
  return { node, optional: optional || hasDefault, ...(hasDefault ? { defaultValue } : {}) };
}

/** The schema node at a property path, wrappers kept; undefined where the path leaves the schema. */
export function schemaAt(path: readonly PropertyKey[], root: z.ZodType = SpecSchema): ZodNode | undefined {
  let node: ZodNode | undefined = root as unknown as ZodNode;
  for (const key of path) {
    const def: ZodDef = unwrap(node).node._zod.def;
    if (def.type === "object") node = def.shape?.[String(key)];
    else if (def.type === "record") node = def.valueType;
    else if (def.type === "array") node = def.element;
    // A union of objects (alert routes): the field of the form that has it.
    else if (def.type === "union") node = (def.options ?? []).map((o) => unwrap(o).node._zod.def.shape?.[String(key)]).find((n) => n !== undefined);
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * The field names an object schema allows at a path, for "unknown field" messages; [] where the path
 * leads to anything but an object (a record, a scalar) or out of the schema.
 */
export function allowedKeysAt(path: readonly PropertyKey[], root: z.ZodType = SpecSchema): string[] {
  const node = schemaAt(path, root);
  const def = node === undefined ? undefined : unwrap(node).node._zod.def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

const checksOf = (def: ZodDef) => (def.checks ?? []).map((c) => c._zod.def);
const messageOf = (error: (() => unknown) | undefined) => {
  const text = error?.();
  return typeof text === "string" ? text : undefined;
};

/** What a schema node allows, in words: `a whole number 1-65535`, `true or false`, `development | staging | production`. */
export function describeAllowed(wrapped: ZodNode): string {
  const { node } = unwrap(wrapped);
  const def = node._zod.def;
  switch (def.type) {
    case "number": {
      const checks = checksOf(def);
      const whole = checks.some((c) => c.check === "number_format" && /int/.test(c.format ?? ""));
      const low = checks.find((c) => c.check === "greater_than");
      const high = checks.find((c) => c.check === "less_than");
      const noun = whole ? "a whole number" : "a number";
      if (low?.inclusive !== false && high?.inclusive !== false && low && high) return `${noun} ${low.value}-${high.value}`;
      const bounds = [
        ...(low ? [`${low.inclusive === false ? "above" : "at least"} ${low.value}`] : []),
        ...(high ? [`${high.inclusive === false ? "below" : "at most"} ${high.value}`] : []),
      ];
      return bounds.length === 0 ? noun : `${noun} ${bounds.join(" and ")}`;
    }
    case "string": {
      const checks = checksOf(def);
      const formatted = checks.map((c) => messageOf(c.error)).find((m) => m !== undefined) ?? messageOf(def.error);
      if (formatted !== undefined) return formatted;
      const max = checks.find((c) => c.check === "max_length")?.maximum;
      const text = checks.some((c) => c.check === "min_length") ? `text${max === undefined ? "" : ` of 1-${max} characters`}` : "text";
      const description = (wrapped as { description?: string }).description;
      return description === undefined ? text : `${text} (${description[0]!.toLowerCase()}${description.slice(1)})`;
    }
    case "boolean":
      return "true or false";
    case "enum":
      return Object.values(def.entries ?? {}).map(String).join(" | ");
    case "array":
      return def.element ? `a list of ${plural(describeAllowed(def.element))}` : "a list";
    case "object":
      return `a mapping with the fields ${Object.keys(def.shape ?? {}).join(", ")}`;
    case "record":
      return def.valueType ? `a mapping of names to ${describeAllowed(def.valueType)}` : "a mapping";
    case "union":
      return (def.options ?? []).map(describeAllowed).join(" or ");
    default:
      return def.type;
  }
}

/** "a list of text" reads better than "a list of text"s; others take an s or lose their article. */
const plural = (allowed: string) => allowed.replace(/^an? ((whole )?number|mapping)/, (_, noun: string) => `${noun}s`);

/** The value a fix can show as an example: the field's default, else the lower bound or first choice. */
function exampleFor(wrapped: ZodNode): unknown {
  const { node, defaultValue } = unwrap(wrapped);
  if (defaultValue !== undefined && (typeof defaultValue !== "object" || defaultValue === null)) return defaultValue;
  const def = node._zod.def;
  if (def.type === "number") return checksOf(def).find((c) => c.check === "greater_than" && c.inclusive !== false)?.value;
  if (def.type === "enum") return Object.values(def.entries ?? {})[0];
  if (def.type === "boolean") return true;
  return undefined;
}

const yamlScalar = (value: unknown) => (typeof value === "string" && /^[\d.]+$/.test(value) ? JSON.stringify(value) : String(value));

/** A value close to a rejected string that the schema accepts (case, separators, scheme), or undefined. */
function repairedString(value: string, node: ZodNode): string | undefined {
  const trimmed = value.trim();
  const candidates = [
    trimmed,
    trimmed.toLowerCase(),
    trimmed.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, ""),
    trimmed.replace(/^http:\/\//i, "https://"),
    // A URL where a host name is asked for.
    URL.canParse(trimmed) ? new URL(trimmed).hostname : "",
  ];
  return candidates.find((c) => c !== value && c !== "" && node.safeParse(c).success);
}

/**
 * The allowed value closest to `word`: the one it abbreviates (`prod` for `production`), else the
 * one within two edits; undefined when none is close.
 */
export function suggestValue(word: string, allowed: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const prefixed = lower.length >= 2 ? allowed.filter((a) => a.toLowerCase().startsWith(lower)) : [];
  return prefixed.length === 1 ? prefixed[0] : closestMatch(word, allowed);
}

/** A problem with the property path it was found at, for line lookups and for knowing what a rule read. */
export type Located = Problem & {
  at: readonly PropertyKey[];
  /** Other paths whose values decided the problem: it is not reported when one of them could not be read. */
  reads?: readonly (readonly PropertyKey[])[];
};

/** Where secret values go, for anyone who writes one into the spec. */
export const secretValueHint = (name: string) =>
  `secret values never go in the spec: set it with \`pulumi config set --secret polycloud:secrets.${name} <value>\` in the stack's directory, or set generate: true to have one generated`;

/** The problems of one zod issue; `schema` is the schema `root` was parsed with (for what each path allows). */
export function problemsFromIssue(issue: z.core.$ZodIssue, root: unknown, schema: z.ZodType = SpecSchema): Located[] {
  const at = issue.path;
  const path = formatPath(at);
  const value = valueAt(root, at);
  const shown = describeValue(value, path);
  const node = schemaAt(at, schema);
  const field = String(at[at.length - 1] ?? "the spec");
  const allowed = node === undefined ? undefined : describeAllowed(node);
  const example = node === undefined ? undefined : exampleFor(node);
  const e = example === undefined ? "" : `, e.g. ${field}: ${yamlScalar(example)}`;
  const one = (message: string, fix: string): Located[] => [{ path, at, message, fix }];
  const withAllowed = (message: string) => (allowed === undefined ? message : `${message}; allowed: ${allowed}`);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowedKeys = allowedKeysAt(at, schema);
      return issue.keys.map((key) => {
        const guess = closestMatch(key, allowedKeys);
        const secretEntry = at.length === 2 && at[0] === "secrets" ? String(at[1]) : undefined;
        const fix =
          secretEntry !== undefined && guess === undefined
            ? `remove "${key}": ${secretValueHint(secretEntry)}`
            : guess !== undefined
              ? `did you mean "${guess}"?`
              : "remove it or check the spelling";
        return {
          path: formatPath([...at, key]),
          at: [...at, key],
          message: `unknown field "${key}"; allowed fields: ${allowedKeys.join(", ")}`,
          fix,
        };
      });
    }
    case "invalid_type": {
      if (value === undefined) return one(withAllowed("is required"), `add ${path}${e}`);
      if (at.length === 0) return one(withAllowed(`${shown} is not a spec`), "write the spec as a mapping of fields, starting with name: and services:");
      if (at.length === 2 && at[0] === "secrets") return one(withAllowed(`${shown} is not a secret's settings`), `write ${path} as a mapping; ${secretValueHint(String(at[1]))}`);
      return one(withAllowed(`${shown} is not ${article(NOUNS[issue.expected] ?? issue.expected)}`), typeFix(issue.expected, value, field, e));
    }
    case "invalid_value": {
      const choices = issue.values.map(String);
      const guess = typeof value === "string" ? suggestValue(value, choices) : undefined;
      return one(`${shown} is not allowed; allowed: ${choices.join(" | ")}`, guess === undefined ? `use one of ${choices.join(", ")}` : `did you mean "${guess}"?`);
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = String(small ? issue.minimum : issue.maximum);
      const exclusive = issue.inclusive === false;
      const word = small ? (exclusive ? "above" : "at least") : exclusive ? "below" : "at most";
      if (issue.origin === "number" || issue.origin === "int") {
        return one(`${shown} is out of range; allowed: ${allowed ?? `${word} ${bound}`}`, exclusive ? `set ${field} ${word} ${bound}` : `set ${field} to ${bound} or ${small ? "more" : "less"}`);
      }
      if (issue.origin === "array") {
        return one(`has ${Array.isArray(value) ? value.length : 0} entries; allowed: ${word} ${bound}`, small ? `add entries to ${field}` : `remove entries from ${field}`);
      }
      return one(`${shown} has the wrong length; allowed: ${word} ${bound} characters`, small ? `lengthen ${field}` : `shorten ${field} to ${bound} characters or fewer`);
    }
    case "invalid_key": {
      const name = String(at[at.length - 1]);
      const record = schemaAt(at.slice(0, -1), schema);
      const keyType = record === undefined ? undefined : unwrap(record).node._zod.def.keyType;
      const repaired = keyType === undefined ? undefined : repairedString(name, keyType);
      return one(
        `name ${describeValue(name)} is not allowed; allowed: ${issue.issues[0]?.message ?? "a valid name"}`,
        repaired === undefined ? "rename it" : `rename it, e.g. "${repaired}"`,
      );
    }
    case "invalid_format": {
      const repaired = typeof value === "string" && node !== undefined ? repairedString(value, unwrap(node).node) : undefined;
      return one(
        `${shown} is not valid; allowed: ${issue.message}`,
        repaired !== undefined ? `did you mean ${JSON.stringify(redactValue(repaired, path))}?` : example === undefined ? `change ${field} to match` : `change it${e}`,
      );
    }
    case "invalid_union":
      return one(
        `${shown} matches none of the allowed forms; allowed: { email: <address> }, { webhook: <https URL> } or { slack: <https URL> }`,
        "write one form per entry, e.g. - email: oncall@example.com",
      );
    default:
      return one(withAllowed(issue.message), `change ${field} to match`);
  }
}

/** How to write a value of the expected type instead of `value`. */
function typeFix(expected: string, value: unknown, field: string, example: string): string {
  switch (expected) {
    case "number":
      return typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)
        ? `write ${value.trim()} without quotes`
        : `write ${field} as a number, without quotes or units${example}`;
    case "boolean":
      return `write true or false, without quotes${example}`;
    case "string":
      return `quote the value${typeof value === "number" ? `, e.g. ${field}: "${value}"` : ""}`;
    case "object":
    case "record":
      return `write ${field} as a mapping (indented key: value lines)`;
    case "array":
      return `write ${field} as a list, e.g. [a, b] or one "- item" per line`;
    default:
      return `change ${field} to ${article(NOUNS[expected] ?? expected)}`;
  }
}

/** zod's type names as a spec's author knows them. */
const NOUNS: Readonly<Record<string, string>> = { object: "mapping", record: "mapping", array: "list" };

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
