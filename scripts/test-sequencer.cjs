// Jest's order of test files, with the files that plan whole specs first on a fresh checkout.
// Without timings from an earlier run (CI's clean clone has none), Jest orders by file size and
// would start these short files last, leaving one worker alone on the longest of them at the end.
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS module Jest loads as is */
"use strict";
const Sequencer = require("@jest/test-sequencer").default;

/** The conformance suites, each backend's whole-spec tests and the stacks' and examples' programs. */
const WHOLE_SPEC_PLANS = /(conformance|backend|program)\.test\.ts$/;

class WholeSpecPlansFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    // Timings of an earlier run know better than a name.
    if (sorted.some((test) => test.duration != null)) return sorted;
    return [...sorted.filter((test) => WHOLE_SPEC_PLANS.test(test.path)), ...sorted.filter((test) => !WHOLE_SPEC_PLANS.test(test.path))];
  }
}

module.exports = WholeSpecPlansFirst;
