// Runs first in each test worker (jest-light-runner runs test files in Node itself, a worker
// process reused across files, with no per-file sandbox).
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module the runner loads as is */
"use strict";
const { dirname } = require("node:path");
// Node's own timers, which a test's fake timers (they replace the global ones) do not stop.
const { setTimeout, clearTimeout } = require("node:timers");
// The runner's own copy of jest-circus: the one that holds the tests the file declares.
const { addEventHandler } = require(require.resolve("jest-circus", { paths: [dirname(require.resolve("jest-light-runner"))] }));

// The worker got its TypeScript loader and the "source" condition through NODE_OPTIONS (see
// jest.config.ts). Processes the tests start (the CLI, the stand-in pulumi, promtool) run as a
// user's would, without them.
delete process.env.NODE_OPTIONS;

/** A test or hook that neither finishes nor fails in this long fails, instead of stalling the run. */
const DEFAULT_TIMEOUT_MS = 30_000;

function withTimeout(fn, timeoutMs, what) {
  const timed = function () {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const run = new Promise((resolve, reject) => {
      // A callback-style test or hook (done) finishes when it calls done.
      if (fn.length >= 1) fn.call(this, (err) => (err ? reject(err) : resolve()));
      else Promise.resolve().then(() => fn.call(this)).then(resolve, reject);
    });
    return Promise.race([run, expired]).finally(() => clearTimeout(timer));
  };
  return timed;
}

// The runner keeps the timeouts tests declare (`it(name, fn, 60_000)`) but does not enforce them:
// wrap each test and hook as it is declared.
addEventHandler((event, state) => {
  if (event.name === "add_test") {
    const test = state.currentDescribeBlock.children.at(-1);
    if (test?.type === "test" && typeof test.fn === "function") test.fn = withTimeout(test.fn, test.timeout ?? DEFAULT_TIMEOUT_MS, `test "${test.name}"`);
  } else if (event.name === "add_hook") {
    const hook = state.currentDescribeBlock.hooks.at(-1);
    if (hook !== undefined) hook.fn = withTimeout(hook.fn, hook.timeout ?? DEFAULT_TIMEOUT_MS, `${hook.type} hook`);
  }
});
