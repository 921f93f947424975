/**
 * `polycloud drift <spec>`: resources changed outside the code. The engine refreshes the stack in
 * preview mode (`pulumi refresh --preview-only`: the cloud read, the state untouched) and every resource
 * whose cloud side differs from the state, or is gone, is drift. Exit 3 when there is drift, so a
 * scheduled job can alert on it; `--json` prints one document for tools.
 */
import type { automation } from "@pulumi/pulumi";
import { nameOf } from "./changes";
import { openStack, runEngine, type EngineFlags } from "./engine";
import { ExitCode } from "./errors";
import type { Io } from "./io";

export interface DriftFlags extends Pick<EngineFlags, "backendUrl" | "provider" | "stack" | "strict" | "config"> {
  readonly json?: boolean;
}

export interface Drifted {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** `changed`: its properties differ from the state; `deleted`: it is gone from the cloud. */
  readonly drift: "changed" | "deleted";
  /** The properties that differ, when the engine names them. */
  readonly properties: readonly string[];
}

/**
 * The drifted resources among a refresh preview's events. A refresh step reports drift as an `update`
 * (or a `refresh` with diffs) when properties changed and as a `delete` when the resource is gone.
 */
export function driftOf(events: readonly automation.EngineEvent[]): { drifted: Drifted[]; checked: number } {
  const drifted = new Map<string, Drifted>();
  const checked = new Set<string>();
  for (const event of events) {
    const m = event.resOutputsEvent?.metadata ?? event.resourcePreEvent?.metadata;
    if (m === undefined || m.type === "pulumi:pulumi:Stack" || m.type.startsWith("pulumi:providers:")) continue;
    checked.add(m.urn);
    const properties = [...new Set([...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})])].sort();
    const gone = m.op === "delete" || (m.op === "refresh" && m.old !== undefined && m.new === undefined);
    if (gone || m.op === "update" || m.op === "replace" || (m.op === "refresh" && properties.length > 0)) {
      drifted.set(m.urn, { urn: m.urn, type: m.type, name: nameOf(m.urn), drift: gone ? "deleted" : "changed", properties });
    }
  }
  return { drifted: [...drifted.values()].sort((a, b) => (a.urn < b.urn ? -1 : 1)), checked: checked.size };
}

export async function driftCommand(specArg: string, flags: DriftFlags, io: Io): Promise<number> {
  const opened = await openStack(specArg, flags, io, "drift check of");
  const { context } = opened;
  // The engine's text goes to stderr with --json (stdout is the document) and is not repeated otherwise.
  const { drifted, checked } = driftOf(await runEngine(opened, "drift", { ...io, stdout: flags.json === true ? io.stderr : io.stdout }));
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ stack: context.stack, spec: context.spec.name, checked, drift: drifted }, null, 2)}\n`);
  } else if (drifted.length === 0) {
    io.stdout.write(`no drift: the ${checked} resource${checked === 1 ? "" : "s"} of stack ${context.stack} match the state\n`);
  } else {
    io.stdout.write(
      [
        `drift in stack ${context.stack}: ${drifted.length} of ${checked} resources changed outside the code`,
        ...drifted.map((d) => `  ${d.drift === "deleted" ? "-" : "~"} ${d.drift.padEnd(7)} ${d.type}  ${d.name}${d.properties.length === 0 ? "" : ` (${d.properties.join(", ")})`}`),
        `To put them back as the code says: polycloud up ${context.specPath} (its preview shows the changes). To keep a change, make it in the spec first.`,
        "",
      ].join("\n"),
    );
  }
  return drifted.length === 0 ? ExitCode.ok : ExitCode.drift;
}
