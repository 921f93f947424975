/**
 * The real `FileProbe`: a project directory walked to a bounded depth, skipping dependency and
 * build directories, with reads capped in size, so that detection stays fast in a monorepo.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import type { FileProbe } from "./detection";

export interface DirectoryProbeOptions {
  /** How many directory levels below the project directory are looked at. @default 3 */
  readonly maxDepth?: number;
  /** At most this many files are listed, the shallowest first. @default 2000 */
  readonly maxFiles?: number;
  /** Bytes read from the start of a file; provider markers sit near the top. @default 65536 */
  readonly maxBytes?: number;
  /** Directory names never entered. @default node_modules, .git, dist, build, coverage, .pulumi, .polycloud, .terraform, .venv */
  readonly ignore?: readonly string[];
}

const IGNORED = ["node_modules", ".git", "dist", "build", "coverage", ".pulumi", ".polycloud", ".terraform", ".venv"];

/** A `FileProbe` over a directory on disk. */
export function directoryProbe(dir: string, options: DirectoryProbeOptions = {}): FileProbe {
  const { maxDepth = 3, maxFiles = 2000, maxBytes = 65_536, ignore = IGNORED } = options;
  const skip = new Set(ignore);
  let listed: string[] | undefined;
  return {
    list() {
      listed ??= walk(dir, maxDepth, maxFiles, skip);
      return listed;
    },
    read(relativePath) {
      return readStart(join(dir, relativePath), maxBytes);
    },
    exists(absolutePath) {
      return existsSync(absolutePath);
    },
  };
}

// Breadth-first, so a file limit keeps the shallowest files, which say the most about the project.
function walk(root: string, maxDepth: number, maxFiles: number, skip: ReadonlySet<string>): string[] {
  const files: string[] = [];
  let level = [""];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const relative of level) {
      let entries;
      try {
        entries = readdirSync(join(root, relative), { withFileTypes: true });
      } catch {
        continue; // unreadable directories are no evidence
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!skip.has(entry.name)) next.push(path);
        } else if (entry.isFile()) {
          if (files.length >= maxFiles) return files;
          files.push(path);
        }
      }
    }
    level = next;
  }
  return files;
}

function readStart(path: string, maxBytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(maxBytes);
    const read = readSync(fd, buffer, 0, maxBytes, 0);
    return buffer.toString("utf8", 0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
