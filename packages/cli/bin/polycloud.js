#!/usr/bin/env node
// The published command runs the compiled CLI. In the repository, `pnpm polycloud ...` runs it too,
// through scripts/polycloud.cjs, which first compiles any package whose sources changed.
/* global require, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, run by node as is */
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const main = join(__dirname, "..", "dist", "main.js");
if (!existsSync(main)) {
  process.stderr.write("polycloud: dist/ is not built; run `pnpm --filter @polycloud/cli build`, or `pnpm polycloud` from the repository root\n");
  process.exitCode = 1;
} else {
  require(main);
}
