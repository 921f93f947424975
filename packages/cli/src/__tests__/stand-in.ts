/**
 * The stand-in `pulumi` (pulumi-stand-in.cjs) installed in a test project, with what tests read back:
 * the invocations it recorded and the files left in the state directory.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Io } from "../io";
import { SMALL_SPEC, tmpProject, writeFiles } from "./capture";

export interface StandIn {
  /** The directory holding the `pulumi` executable (put it on PATH). */
  readonly bin: string;
  /** The environment a run needs: the stand-in on PATH, a passphrase, and `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The invocations recorded since the last `reset`, without the flags every call gets. */
  calls(): { args: string[]; backend: string; cwd: string; project?: string }[];
  /** Forgets the recorded invocations. */
  reset(): void;
}

/** A project with the small spec as stack `blog` on Kubernetes and the stand-in installed; remove it with `cleanup`. */
export function blogProject(): { dir: string; pulumi: StandIn } {
  const dir = tmpProject({ "blog.yaml": SMALL_SPEC, "Pulumi.blog.yaml": "config:\n  polycloud:provider: kubernetes\n  kubernetes:context: kind-blog\n" });
  return { dir, pulumi: installStandIn(dir) };
}

/** Installs the stand-in under `<dir>/tools/bin/pulumi`; it logs to `<dir>/calls.jsonl`. */
export function installStandIn(dir: string): StandIn {
  const bin = join(dir, "tools", "bin");
  const log = join(dir, "calls.jsonl");
  writeFiles(dir, { "tools/bin/pulumi": launcher(log) });
  chmodSync(join(bin, "pulumi"), 0o755);
  return {
    bin,
    env: (extra = {}) => ({ PATH: bin, PULUMI_CONFIG_PASSPHRASE: "", ...extra }),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line))
            .map((c) => ({ ...c, args: c.args.filter((a: string) => a !== "--non-interactive") }))
        : [],
    reset: () => writeFiles(dir, { "calls.jsonl": "" }),
  };
}

/**
 * The `pulumi` executable: a shell script that answers what carries no state (version, stack output,
 * stack history) without starting node, which the Automation API asks several times per operation, and
 * runs pulumi-stand-in.cjs for the rest. Both log each invocation to `log`.
 */
function launcher(log: string): string {
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const history = JSON.stringify([{ version: 1, kind: "update", startTime: "2025-01-01T00:00:00Z", endTime: "2025-01-01T00:01:00Z", result: "succeeded", message: "", environment: {}, config: {} }]);
  return [
    "#!/bin/sh",
    `log=${quote(log)}`,
    // The arguments of these commands are plain words (flags, a stack name): no JSON escaping needed.
    "record() {",
    "  args=''",
    '  for a in "$@"; do args="$args${args:+,}\\"$a\\""; done',
    '  printf \'{"args":[%s]%s,"cwd":"%s"}\\n\' "$args" "${PULUMI_BACKEND_URL:+,\\"backend\\":\\"$PULUMI_BACKEND_URL\\"}" "$PWD" >> "$log"',
    "}",
    'case "$1 ${2:-}" in',
    '  "version "*) record "$@"; echo v3.190.0; exit 0 ;;',
    `  "stack output") [ -z "\${FAKE_PULUMI_FAIL:-}" ] && { record "$@"; echo '{}'; exit 0; } ;;`,
    `  "stack history") [ -z "\${FAKE_PULUMI_FAIL:-}" ] && { record "$@"; echo ${quote(history)}; exit 0; } ;;`,
    "esac",
    `FAKE_PULUMI_CALLS="$log" exec ${quote(process.execPath)} ${quote(join(__dirname, "pulumi-stand-in.cjs"))} "$@"`,
    "",
  ].join("\n");
}

/** Every file under `dir`, relative to it and sorted; empty when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : [relative(dir, join(d, name))]));
  return walk(dir).sort();
}

export interface CapturedIo {
  readonly io: Io;
  stdout(): string;
  stderr(): string;
}

/**
 * An `Io` that captures output, for commands called as functions. `answers` are the lines a terminal
 * would type (stdin is then a TTY); `interrupt` receives the function that presses Ctrl-C.
 */
export function captureIo(options: { cwd: string; env: Io["env"]; tty?: "stdout" | "stderr"; answers?: string[]; interrupt?: (press: () => void) => void }): CapturedIo {
  let stdout = "";
  let stderr = "";
  const answers = options.answers === undefined ? undefined : [...options.answers];
  const handlers = new Set<() => void>();
  options.interrupt?.(() => handlers.forEach((h) => h()));
  const io: Io = {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty === "stdout" },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty === "stderr" },
    ...(answers === undefined
      ? {}
      : {
          stdin: {
            isTTY: true,
            question: (prompt: string) => {
              stderr += prompt;
              return Promise.resolve(answers.shift());
            },
          },
        }),
    interrupts: {
      onInterrupt: (handler) => {
        handlers.add(handler);
        return () => void handlers.delete(handler);
      },
    },
    env: options.env,
    cwd: options.cwd,
    homeDir: join(options.cwd, "home"),
  };
  return { io, stdout: () => stdout, stderr: () => stderr };
}
