/**
 * Progress as the engine reports it: resource steps started and done, by op, and the time since the
 * operation began. On a terminal one line on stderr is rewritten as events arrive; with `--json` every
 * engine event is one JSON line on stdout, for tools.
 */
import type { automation } from "@pulumi/pulumi";
import type { Io } from "./io";

/** Past tense of an op, for counts: `2 created, 1 updated`. */
const DONE: Readonly<Record<string, string>> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  "create-replacement": "replaced",
  delete: "deleted",
  "delete-replaced": "deleted",
  import: "imported",
  refresh: "refreshed",
  read: "read",
};

export interface Progress {
  readonly onEvent: (event: automation.EngineEvent) => void;
  /** Resource steps done (outputs received), by op. */
  readonly done: () => Readonly<Record<string, number>>;
  /** `2 created, 1 updated` (or `no resource changed`). */
  readonly describe: () => string;
  /** Ends the terminal line. */
  readonly end: () => void;
}

/** Seconds as `12s` or `3m04s`. */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * Follows the events of one operation. `total` is the number of steps a preview announced, when one ran
 * first. `now` is injectable for tests.
 */
export function trackProgress(label: string, io: Io, options: { json?: boolean; total?: number; now?: () => number } = {}): Progress {
  const now = options.now ?? Date.now;
  const start = now();
  const started = new Set<string>();
  const finished = new Map<string, string>();
  const tty = options.json !== true && io.stderr.isTTY === true;
  let drawn = false;
  const counts = (): Record<string, number> => {
    const byOp: Record<string, number> = {};
    for (const op of finished.values()) byOp[op] = (byOp[op] ?? 0) + 1;
    return byOp;
  };
  const describe = () => {
    const parts = Object.entries(counts()).map(([op, n]) => `${n} ${DONE[op] ?? op}`);
    return parts.length === 0 ? "no resource changed" : parts.join(", ");
  };
  const draw = () => {
    const total = options.total === undefined ? "" : ` of ${options.total}`;
    const running = started.size - finished.size;
    io.stderr.write(`\r\x1b[K${label}: ${finished.size}${total} done (${describe()})${running > 0 ? `, ${running} in progress` : ""}, ${elapsed(now() - start)}`);
    drawn = true;
  };
  // The elapsed time moves on between events too (a database takes minutes to create).
  const ticker = tty ? setInterval(draw, 1000) : undefined;
  ticker?.unref();
  return {
    onEvent: (event) => {
      if (options.json === true) io.stdout.write(`${JSON.stringify(event)}\n`);
      const pre = event.resourcePreEvent;
      const out = event.resOutputsEvent;
      const changes = (m: automation.StepEventMetadata) => m.op !== "same" && m.type !== "pulumi:pulumi:Stack";
      if (pre !== undefined && pre.planning !== true && changes(pre.metadata)) started.add(pre.metadata.urn);
      else if (out !== undefined && out.planning !== true && changes(out.metadata)) finished.set(out.metadata.urn, out.metadata.op);
      else return;
      if (tty) draw();
    },
    done: counts,
    describe,
    end: () => {
      clearInterval(ticker);
      if (!tty) return;
      if (!drawn) draw();
      io.stderr.write("\n");
    },
  };
}
