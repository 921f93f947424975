/** Test helpers: an `Io` that captures output, and tmp project directories. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Io } from "../io";
import { run } from "../cli";

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with an empty environment (unless given) in `cwd`; `tty` names the stream that is a terminal. */
export async function polycloud(
  argv: readonly string[],
  options: { cwd: string; env?: Io["env"]; homeDir?: string; tty?: "stdout" | "stderr"; loadModule?: Io["loadModule"] },
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty === "stdout" },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty === "stderr" },
    env: options.env ?? {},
    cwd: options.cwd,
    homeDir: options.homeDir ?? join(options.cwd, "home"),
    ...(options.loadModule === undefined ? {} : { loadModule: options.loadModule }),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A fresh tmp directory with the given files; remove it with `cleanup`. */
export function tmpProject(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "polycloud-cli-"));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A small valid spec: one public service, enough to plan quickly on any backend. */
export const SMALL_SPEC = [
  "name: blog",
  "network:",
  "  loadBalancer: { domain: blog.example.com }",
  "services:",
  "  web: { image: 'ghcr.io/acme/blog:2.0.1', public: true, secrets: [api-token] }",
  "secrets:",
  "  api-token: { description: token for the upstream API, generate: true }",
  "",
].join("\n");
