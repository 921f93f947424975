/**
 * Loading a spec: YAML or JSON text (with the line of every problem), or a value already parsed;
 * validated by the schema, resolved from the presets, then checked against the spec's rules.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from "yaml";
import { PolycloudError, type Problem } from "../errors";
import { problemsFromIssue } from "./issues";
import { resolve } from "./resolve";
import { specRuleProblems } from "./rules";
import { SpecSchema } from "./schema";
import type { ResolvedSpec } from "./types";

/** Where a spec came from, for messages with line numbers. */
export interface SpecSource {
  /** File path, shown in the error heading. */
  readonly file?: string;
  /** 1-based line of the node at a property path, where known. */
  readonly lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * Validates a spec value (already parsed from YAML or JSON) and returns it with every default resolved.
 * @throws PolycloudError listing every problem at once.
 */
export function parseSpec(value: unknown, source: SpecSource = {}): ResolvedSpec {
  const heading = source.file === undefined ? "Invalid spec" : `Invalid spec ${source.file}`;
  const parsed = SpecSchema.safeParse(value);
  if (!parsed.success) {
    throw new PolycloudError(withLines(parsed.error.issues.flatMap((i) => problemsFromIssue(i, value)), source), heading);
  }
  const spec = resolve(parsed.data);
  PolycloudError.throwIfAny(withLines(specRuleProblems(spec, parsed.data), source), heading);
  return spec;
}

/**
 * Reads a YAML or JSON spec file, validates it and resolves its defaults.
 * Problems carry the line of the offending node.
 * @throws PolycloudError for an unreadable file, bad YAML or an invalid spec.
 */
export function loadSpec(path: string): ResolvedSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new PolycloudError([{ path: "", message: `cannot read ${path}: ${reason}`, fix: "pass the path of a spec file (YAML or JSON)" }], "Invalid spec");
  }
  return parseSpecText(text, path);
}

/** Parses spec text (YAML, of which JSON is a subset) with line numbers in every problem. */
export function parseSpecText(text: string, file?: string): ResolvedSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const heading = file === undefined ? "Invalid spec" : `Invalid spec ${file}`;
  if (doc.errors.length > 0) {
    throw new PolycloudError(
      doc.errors.map((e) => ({
        path: "",
        message: `${extname(file ?? "") === ".json" ? "JSON" : "YAML"} syntax: ${e.message.split("\n")[0]}`,
        line: lineCounter.linePos(e.pos[0]).line,
        fix: "fix the syntax at that line",
      })),
      heading,
    );
  }
  const source: SpecSource = { lineOf: (path) => lineOfPath(doc, lineCounter, path), ...(file === undefined ? {} : { file }) };
  return parseSpec(doc.toJS(), source);
}

function lineOfPath(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk down as far as the path exists, so a missing field points at its parent object.
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === "object" && "items" in node)) break;
    const items = (node as { items: unknown[] }).items;
    const next = isMap(node)
      ? items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key))
      : items[Number(key)];
    if (next === undefined) break;
    if (isPair(next)) {
      offset = (next.key as { range?: [number] }).range?.[0] ?? offset;
      node = next.value;
    } else {
      offset = (next as { range?: [number] }).range?.[0] ?? offset;
      node = next;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function withLines(problems: readonly (Problem & { at?: readonly PropertyKey[] })[], source: SpecSource): Problem[] {
  return problems.map(({ at, ...p }) => {
    const line = at === undefined ? undefined : source.lineOf?.(at);
    return line === undefined ? p : { ...p, line };
  });
}

