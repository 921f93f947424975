/**
 * zod issues turned into problems a person can act on: the path, the bad value (redacted where it
 * may be secret), what is allowed, and a fix ("did you mean" for misspelt fields).
 */
import type { z } from "zod";
import { describeValue, type Problem } from "../errors";
import { closestMatch } from "../suggest";
import { SpecSchema } from "./schema";

/** A property path as messages show it: `services.api.secrets[0]`. */
export const formatPath = (path: readonly PropertyKey[]) =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("");

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

type ZodNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/**
 * The field names an object schema allows at a path, for "unknown field" messages; [] where the path
 * leads to anything but an object (a record, a scalar) or out of the schema.
 */
export function allowedKeysAt(path: readonly PropertyKey[], root: z.ZodType = SpecSchema): string[] {
  let node = root as unknown as ZodNode;
  const unwrap = () => {
    for (;;) {
      const def = node._zod.def;
      if (def.innerType) node = def.innerType as ZodNode;
      else if (def.type === "pipe") node = def.in as ZodNode;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    const def = node._zod.def;
    if (def.type === "object") {
      const next = (def.shape as Record<string, ZodNode>)[String(key)];
      if (next === undefined) return [];
      node = next;
    }
    else if (def.type === "record") node = def.valueType as ZodNode;
    else if (def.type === "array") node = def.element as ZodNode;
    else return [];
  }
  unwrap();
  const def = node._zod.def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

/** A problem with the property path it was found at, for line lookups. */
export type Located = Problem & { at: readonly PropertyKey[] };

/** The problems of one zod issue; `schema` is the schema `root` was parsed with (for allowed field names). */
export function problemsFromIssue(issue: z.core.$ZodIssue, root: unknown, schema: z.ZodType = SpecSchema): Located[] {
  const at = issue.path;
  const path = formatPath(at);
  const value = valueAt(root, at);
  const shown = describeValue(value, path);
  const one = (message: string, fix?: string): Located[] => [{ path, at, message, ...(fix === undefined ? {} : { fix }) }];
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(at, schema);
      return issue.keys.map((key) => {
        const guess = closestMatch(key, allowed);
        const fix = guess !== undefined ? `did you mean "${guess}"?` : "remove it or check the spelling";
        return {
          path: formatPath([...at, key]),
          at: [...at, key],
          message: `unknown field "${key}"; allowed fields: ${allowed.join(", ")}`,
          fix,
        };
      });
    }
    case "invalid_type":
      if (value === undefined) return one(`is required (${issue.expected})`, `add ${path}`);
      return one(`${shown} is not ${article(issue.expected)}`);
    case "invalid_value":
      return one(`${shown} is not allowed; allowed: ${issue.values.map((v) => String(v)).join(" | ")}`);
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word = issue.code === "too_small" ? (issue.inclusive === false ? "above" : "at least") : issue.inclusive === false ? "below" : "at most";
      if (issue.origin === "number" || issue.origin === "int") return one(`${shown} is out of range; allowed: ${word} ${String(bound)}`);
      if (issue.origin === "array") return one(`has ${Array.isArray(value) ? value.length : 0} entries; allowed: ${word} ${String(bound)}`);
      return one(`${shown} has the wrong length; allowed: ${word} ${String(bound)} characters`);
    }
    case "invalid_key":
      return one(`name ${describeValue(at[at.length - 1])} is not allowed; allowed: ${issue.issues[0]?.message ?? "a valid name"}`);
    case "invalid_format":
      return one(`${shown} is not valid; allowed: ${issue.message}`);
    case "invalid_union":
      return one(`${shown} matches none of the allowed forms; allowed: { email: <address> }, { webhook: <https URL> } or { slack: <https URL> }`);
    default:
      return one(issue.message);
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
