/**
 * Loading a spec: YAML or JSON text (with the line of every problem), or a value already parsed;
 * refused when too big to check, validated by the schema, resolved from the presets, then checked
 * against the spec's rules: every problem in one run, the rules' too when some values are rejected.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from "yaml";
import { PolycloudError, type Problem } from "../errors";
import { problemsFromIssue, type Located } from "./issues";
import { countProblems, fileSizeProblems } from "./limits";
import { parseRemainder, unaffected } from "./partial";
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
 * When the schema rejects values, the rules still check the rest of the spec (see `parseRemainder`),
 * so that one run reports every problem.
 * @throws PolycloudError listing every problem at once.
 */
export function parseSpec(value: unknown, source: SpecSource = {}): ResolvedSpec {
  const heading = source.file === undefined ? "Invalid spec" : `Invalid spec ${source.file}`;
  if (value === undefined || value === null) {
    throw new PolycloudError([{ path: "", message: `${source.file === undefined ? "the spec" : "the file"} is empty; allowed: a spec with at least name: and services:`, fix: EMPTY_FIX }], heading);
  }
  PolycloudError.throwIfAny(countProblems(value), `${heading}: too big to check`);
  const parsed = SpecSchema.safeParse(value);
  if (parsed.success) {
    const spec = resolve(parsed.data);
    PolycloudError.throwIfAny(withLines(specRuleProblems(spec, parsed.data), source), heading);
    return spec;
  }
  const typeProblems = parsed.error.issues.flatMap((i) => problemsFromIssue(i, value));
  const remainder = parseRemainder(value, parsed.error.issues);
  const ruleProblems = remainder === undefined ? [] : unaffected(specRuleProblems(resolve(remainder.parsed), remainder.parsed), remainder.removed);
  throw new PolycloudError(withLines(inDocumentOrder([...typeProblems, ...ruleProblems], source), source), heading);
}

const EMPTY_FIX = "start from an example such as stacks/dev.yaml; the smallest spec is `name: shop` and `services: { api: { image: nginx:1.27 } }`";

/** Problems sorted by their line where the source knows it (stable otherwise). */
function inDocumentOrder(problems: readonly Located[], source: SpecSource): Located[] {
  if (source.lineOf === undefined) return [...problems];
  const line = (p: Located) => source.lineOf?.(p.at) ?? Number.POSITIVE_INFINITY;
  return [...problems].sort((a, b) => line(a) - line(b));
}

/**
 * Reads a YAML or JSON spec file, validates it and resolves its defaults.
 * Problems carry the line of the offending node.
 * @throws PolycloudError for an unreadable file, bad YAML or an invalid spec.
 */
export function loadSpec(path: string): ResolvedSpec {
  let text: string;
  try {
    // The size first: a file too big to check is not read at all.
    PolycloudError.throwIfAny(fileSizeProblems(statSync(path).size), `Invalid spec ${path}: too big to check`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof PolycloudError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new PolycloudError([{ path: "", message: `cannot read ${path}: ${reason}`, fix: "pass the path of a spec file (YAML or JSON)" }], "Invalid spec");
  }
  return parseSpecText(text, path);
}

/**
 * Parses spec text (YAML, of which JSON is a subset) with line numbers in every problem. Text too big
 * to check is refused before it is parsed; an empty file says so; a syntax error is one problem with
 * its line and column (the parser's later errors follow from the first).
 */
export function parseSpecText(text: string, file?: string): ResolvedSpec {
  const heading = file === undefined ? "Invalid spec" : `Invalid spec ${file}`;
  PolycloudError.throwIfAny(fileSizeProblems(Buffer.byteLength(text, "utf8")), `${heading}: too big to check`);
  if (text.trim() === "") throw new PolycloudError([{ path: "", message: "the file is empty; allowed: a spec with at least name: and services:", fix: EMPTY_FIX }], heading);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [first] = doc.errors;
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const language = extname(file ?? "") === ".json" ? "JSON" : "YAML";
    throw new PolycloudError(
      [{ path: "", message: `${language} syntax error: ${syntaxMessage(first.message)}`, line, column: col, fix: "fix the syntax there (or just before it: a missing closing bracket or quote, or indentation that does not line up)" }],
      heading,
    );
  }
  if (doc.contents === null) throw new PolycloudError([{ path: "", message: "the file has only comments; allowed: a spec with at least name: and services:", fix: EMPTY_FIX }], heading);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new PolycloudError([{ path: "", message: `YAML aliases expand too far: ${(error as Error).message.split("\n")[0]}`, fix: "write the values out instead of nesting aliases" }], heading);
  }
  const source: SpecSource = { lineOf: (path) => lineOfPath(doc, lineCounter, path), ...(file === undefined ? {} : { file }) };
  return parseSpec(value, source);
}

/** The parser's message without its position (shown as line and column) and source excerpt. */
function syntaxMessage(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "").trim();
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

function withLines(problems: readonly (Problem & Partial<Pick<Located, "at" | "reads">>)[], source: SpecSource): Problem[] {
  return problems.map(({ at, reads: _reads, ...p }) => {
    const line = at === undefined ? undefined : source.lineOf?.(at);
    return line === undefined ? p : { ...p, line };
  });
}

