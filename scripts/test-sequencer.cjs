// Jest's order of test files, with the longest first on a fresh checkout. Without timings from an
// earlier run (CI's clean clone has none), Jest orders by file size and would start these short
// files late, leaving one worker alone on the longest of them at the end.
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module Jest loads as is */
"use strict";
const Sequencer = require("@jest/test-sequencer").default;

/** The longest files on a fresh checkout, longest group first. */
const LONGEST = [
  // The CLI's process tests: the first `pnpm polycloud` of a clean clone compiles every package.
  /cli\/src\/main\.test\.ts$/,
  // The conformance suites, each backend's whole-spec tests and the stacks' and examples' programs.
  /(conformance|backend|program)\.test\.ts$/,
  // Tests that start processes: promtool, and the stand-in pulumi through the CLI.
  /(promtool|confirm|rollout|engine-faults|engine)\.test\.ts$/,
];
const rank = (test) => {
  const index = LONGEST.findIndex((pattern) => pattern.test(test.path));
  return index === -1 ? LONGEST.length : index;
};

class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    // Timings of an earlier run know better than a name.
    if (sorted.some((test) => test.duration != null)) return sorted;
    // A stable sort: within a group, Jest's order stays.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
