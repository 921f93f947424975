#!/usr/bin/env node
// `pnpm polycloud ...` in the repository: runs the compiled CLI, as the published command does,
// after compiling any package whose sources changed since its dist/ was built (a first run builds
// all of them in a few seconds; later runs check timestamps, about a millisecond per package).
/* global require, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, run by node as is */
"use strict";
const { execFileSync } = require("node:child_process");
const { readdirSync, rmSync, statSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const tsc = join(root, "node_modules", "tsgo", "bin", "tsc");

/** Newest modification time (ms) of a package's build inputs: sources, manifest, build config. */
function newestInput(dir) {
  let newest = Math.max(...["package.json", "tsconfig.build.json"].map((f) => mtime(join(dir, f))), mtime(join(root, "tsconfig.base.json")));
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, mtime(path));
    }
  };
  walk(join(dir, "src"));
  return newest;
}

function mtime(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

const packagesDir = join(root, "packages");
const stale = readdirSync(packagesDir).filter((name) => {
  const dir = join(packagesDir, name);
  const built = mtime(join(dir, "dist", "index.js"));
  return mtime(join(dir, "tsconfig.build.json")) > 0 && (built === 0 || newestInput(dir) > built);
});
if (stale.length > 0) {
  process.stderr.write(`polycloud: compiling ${stale.join(", ")} (sources changed since the last build)\n`);
  for (const name of stale) {
    const dir = join(packagesDir, name);
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    try {
      execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json"), "--inlineSources"], { stdio: "inherit" });
    } catch {
      // The compiler has printed the errors; its stack trace would say nothing more. What it emitted
      // anyway goes, so the next run compiles again instead of taking it for a good build.
      rmSync(join(dir, "dist"), { recursive: true, force: true });
      process.stderr.write(`polycloud: packages/${name} does not compile (errors above); fix them, then run the command again\n`);
      process.exit(1);
    }
  }
}

require(join(packagesDir, "cli", "dist", "main.js"));
