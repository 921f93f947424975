/**
 * What a preview says will change, as a canonical change summary: the resource steps (create, update,
 * replace, delete) by URN, sorted, with a SHA-256 over them. `polycloud preview --save-changes` writes
 * one; `up`/`destroy --expect-changes` compare the preview they run with it, so what runs is what was
 * reviewed. Engine events come in any order and carry run-specific fields; only the step and the URN count.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { automation } from "@pulumi/pulumi";
import { PolycloudError } from "@polycloud/core";
import { CliFailure } from "./errors";
import { statefulKind, type StatefulKind } from "./stateful";

export const ChangeOp = { create: "create", update: "update", replace: "replace", delete: "delete" } as const;
export type ChangeOp = (typeof ChangeOp)[keyof typeof ChangeOp];

export interface Change {
  readonly op: ChangeOp;
  readonly urn: string;
  readonly type: string;
}

/** What a saved change summary holds. */
export interface ChangeSummary {
  readonly version: 1;
  readonly stack: string;
  readonly operation: "up" | "destroy";
  readonly hash: string;
  readonly changes: readonly Change[];
}

/** Engine step ops by the change they are; the rest (same, read, refresh, discard) change nothing. */
const OPS: Readonly<Record<string, ChangeOp>> = {
  create: "create",
  import: "create",
  update: "update",
  delete: "delete",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "import-replacement": "replace",
};

/** The changes among engine events (a replacement's several steps are one `replace`), sorted by URN. */
export function changesOf(events: readonly automation.EngineEvent[]): Change[] {
  const byUrn = new Map<string, Change>();
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    const op = metadata === undefined ? undefined : OPS[metadata.op];
    if (metadata === undefined || op === undefined || metadata.type === "pulumi:pulumi:Stack") continue;
    if (byUrn.get(metadata.urn)?.op === "replace") continue;
    byUrn.set(metadata.urn, { op, urn: metadata.urn, type: metadata.type });
  }
  return [...byUrn.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** The summary of `changes` for a stack and operation, with its hash. */
export function summarize(stack: string, operation: ChangeSummary["operation"], changes: readonly Change[]): ChangeSummary {
  return { version: 1, stack, operation, hash: hashOf(stack, operation, changes), changes };
}

function hashOf(stack: string, operation: string, changes: readonly Change[]): string {
  const canonical = JSON.stringify({ stack, operation, changes: changes.map((c) => [c.op, c.urn]) });
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}

/** The logical name at the end of a URN. */
export const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

const SIGN: Readonly<Record<ChangeOp, string>> = { create: "+", update: "~", replace: "+-", delete: "-" };

/** Changes that lose data: replacements and deletions of stateful resources. */
export function dataLosing(changes: readonly Change[]): (Change & { kind: StatefulKind })[] {
  return changes.flatMap((c) => {
    const kind = statefulKind(c.type);
    return kind !== undefined && (c.op === "replace" || c.op === "delete") ? [{ ...c, kind }] : [];
  });
}

/** Counts by op: `2 to create, 1 to replace`. */
export function countsOf(changes: readonly Change[]): string {
  const counts = Object.values(ChangeOp)
    .map((op) => [op, changes.filter((c) => c.op === op).length] as const)
    .filter(([, n]) => n > 0);
  return counts.length === 0 ? "no changes" : counts.map(([op, n]) => `${n} to ${op}`).join(", ");
}

/** The summary as the user reviews it: one line per change, data-losing ones called out, and the hash. */
export function renderSummary(summary: ChangeSummary, environment: string): string {
  const width = Math.max(0, ...summary.changes.map((c) => c.type.length));
  const losing = new Map(dataLosing(summary.changes).map((c) => [c.urn, c.kind]));
  const lines = summary.changes.map((c) => {
    const kind = losing.get(c.urn);
    const note = kind === undefined ? "" : `  <- ${c.op === "replace" ? "REPLACES" : "DELETES"} a ${kind}: what it holds is lost`;
    return `  ${SIGN[c.op].padEnd(2)} ${c.op.padEnd(7)} ${c.type.padEnd(width)}  ${nameOf(c.urn)}${note}`;
  });
  return [
    `${summary.operation} of ${environment} stack ${summary.stack}: ${countsOf(summary.changes)}`,
    ...lines,
    ...(losing.size === 0 ? [] : [`${losing.size} stateful resource${losing.size === 1 ? "" : "s"} replaced or deleted: ${[...losing].map(([urn, kind]) => `${kind} ${nameOf(urn)}`).join(", ")}`]),
    `change summary ${summary.hash}`,
    "",
  ].join("\n");
}

/** What `--expect-changes` names: a saved summary (its file) or only its hash. */
export type Expectation = { readonly hash: string; readonly file?: string; readonly summary?: ChangeSummary };

const HASH = /^(sha256:)?([0-9a-f]{64})$/;

/** Reads `--expect-changes <file|hash>`; a file must be a change summary whose hash matches its content. */
export function readExpectation(value: string, cwd: string): Expectation {
  const hash = HASH.exec(value);
  if (hash !== null) return { hash: `sha256:${hash[2]}` };
  const file = resolve(cwd, value);
  const bad = (message: string): never => {
    throw new PolycloudError(
      [{ path: "--expect-changes", message: `${JSON.stringify(value)}: ${message}`, fix: "pass the file `polycloud preview <spec> --save-changes <file>` wrote, or the sha256:<64 hex digits> hash it printed" }],
      "Invalid --expect-changes",
    );
  };
  if (!existsSync(file)) return bad(`no such file (${file}) and not a sha256 hash`);
  let summary: ChangeSummary;
  try {
    summary = JSON.parse(readFileSync(file, "utf8")) as ChangeSummary;
  } catch (error) {
    return bad(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (summary?.version !== 1 || !Array.isArray(summary.changes) || typeof summary.stack !== "string") return bad("not a change summary (version 1 with stack, operation and changes)");
  if (hashOf(summary.stack, summary.operation, summary.changes) !== summary.hash) return bad(`its changes do not match its hash ${summary.hash}: the file was edited after the preview wrote it`);
  return { hash: summary.hash, file, summary };
}

/** Throws, naming what differs, unless the preview that is about to run is the one reviewed. */
export function requireExpected(expected: Expectation, actual: ChangeSummary): void {
  if (expected.hash === actual.hash) return;
  const reviewed = expected.summary;
  const differences: string[] = [];
  if (reviewed === undefined) {
    differences.push(`the reviewed hash is ${expected.hash}; this preview is ${actual.hash}: ${countsOf(actual.changes)}`);
  } else {
    if (reviewed.stack !== actual.stack) differences.push(`the review was of stack ${reviewed.stack}, this is stack ${actual.stack}`);
    if (reviewed.operation !== actual.operation) differences.push(`the review was of ${reviewed.operation}, this is ${actual.operation}`);
    const key = (c: Change) => `${c.op} ${c.urn}`;
    const was = new Set(reviewed.changes.map(key));
    const now = new Set(actual.changes.map(key));
    for (const c of actual.changes) if (!was.has(key(c))) differences.push(`not reviewed: ${c.op} ${c.type} ${nameOf(c.urn)}`);
    for (const c of reviewed.changes) if (!now.has(key(c))) differences.push(`reviewed but no longer planned: ${c.op} ${c.type} ${nameOf(c.urn)}`);
  }
  throw new CliFailure(
    [
      `the changes differ from the reviewed preview${expected.file === undefined ? "" : ` (${expected.file})`}; nothing was changed:`,
      ...differences.map((d) => `  - ${d}`),
      "Review the new preview (polycloud preview <spec> --save-changes <file>) and run again with its summary.",
    ].join("\n"),
  );
}
