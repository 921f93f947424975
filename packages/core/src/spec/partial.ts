/**
 * Every problem in one run: when the schema rejects some values, the rules still check the rest.
 * Each rejected value is taken out (the smallest enclosing field that may be left out, so its default
 * applies; a whole entry of `services`, `buckets` or `secrets` when a required field of it is bad),
 * the remainder is parsed, and the rules run on it. A rule's problem is kept only when none of the
 * paths it read was taken out, so nothing is reported about a default standing in for a bad value.
 */
import type { z } from "zod";
import { schemaAt, unwrap, type Located } from "./issues";
import { SpecSchema, type ParsedSpec } from "./schema";

type Path = readonly PropertyKey[];

/** Stand-ins for the required top-level fields, which have no enclosing field to leave out. */
const REQUIRED_STAND_INS: Readonly<Record<string, unknown>> = { name: "app", services: {} };

/** The spec parsed without the values the schema rejected, and the paths that were taken out. */
export interface PartialSpec {
  readonly parsed: ParsedSpec;
  readonly removed: readonly Path[];
}

/**
 * `document` with every value that `issues` rejects taken out, parsed; undefined when what is left
 * still does not parse (the document itself is not a mapping, say).
 */
export function parseRemainder(document: unknown, issues: readonly z.core.$ZodIssue[]): PartialSpec | undefined {
  let doc = document;
  const removed: Path[] = [];
  let pending = issues;
  // Taking a value out can only leave a required field missing, which the next round takes out higher up.
  for (let round = 0; round < 4; round++) {
    for (const issue of pending) {
      const targets: Path[] = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      for (const target of targets) {
        const at = removable(target);
        if (at === undefined) return undefined;
        if (removed.some((r) => isPrefix(r, at))) continue;
        const standIn = at.length === 1 ? REQUIRED_STAND_INS[String(at[0])] : undefined;
        doc = standIn === undefined ? without(doc, at) : withValue(doc, at, standIn);
        removed.push(at);
      }
    }
    const result = SpecSchema.safeParse(doc);
    if (result.success) return { parsed: result.data, removed };
    pending = result.error.issues;
  }
  return undefined;
}

/** The problems that read nothing that was taken out. */
export function unaffected<T extends Located>(problems: readonly T[], removed: readonly Path[]): T[] {
  return problems.filter((p) => ![p.at, ...(p.reads ?? [])].some((read) => removed.some((r) => isPrefix(r, read) || isPrefix(read, r))));
}

/** The path to take out for a rejected value at `path`: itself, or the nearest enclosing field that may be left out. */
function removable(path: Path): Path | undefined {
  for (let k = path.length; k >= 1; k--) {
    const at = path.slice(0, k);
    const parent = schemaAt(at.slice(0, -1));
    if (parent === undefined) continue;
    const type = unwrap(parent).node._zod.def.type;
    if (type === "record") return at;
    if (type === "object") {
      const field = schemaAt(at);
      // An unknown field has no schema: it simply goes.
      if (field === undefined || unwrap(field).optional || (k === 1 && String(at[0]) in REQUIRED_STAND_INS)) return at;
    }
  }
  return undefined;
}

const isPrefix = (prefix: Path, path: Path) => prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));

/** A copy of `doc` without the value at `path` (objects copied along the path only). */
function without(doc: unknown, path: Path): unknown {
  if (path.length === 0 || typeof doc !== "object" || doc === null) return doc;
  const [key, ...rest] = path as [PropertyKey, ...PropertyKey[]];
  const copy = (Array.isArray(doc) ? [...(doc as unknown[])] : { ...(doc as Record<PropertyKey, unknown>) }) as Record<PropertyKey, unknown>;
  if (rest.length === 0) delete copy[key];
  else copy[key] = without(copy[key], rest);
  return copy;
}

/** A copy of `doc` with `value` at `path`. */
function withValue(doc: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [PropertyKey, ...PropertyKey[]];
  const base = typeof doc === "object" && doc !== null ? (doc as Record<PropertyKey, unknown>) : {};
  return { ...base, [key]: withValue(base[key], rest, value) };
}

