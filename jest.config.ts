import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import type { Config } from "jest";

// Test files run in Node itself (jest-light-runner), in worker processes that each load Pulumi and
// the provider SDKs once for all the files they run: Jest's own runner loads them again for every
// file in a sandbox of its own, which was half of the suite's time. TypeScript goes through tsx, and
// the "source" export condition resolves @polycloud/* to src/, so no build step is needed. Worker
// processes take both from NODE_OPTIONS; scripts/jest-setup.cjs removes them again in each worker.
const tsx = pathToFileURL(require.resolve("tsx")).href;
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${tsx}`, "--conditions=source"].filter(Boolean).join(" ");

const config: Config = {
  // Processes rather than threads: tests change directory (process.chdir), which threads cannot.
  runner: "jest-light-runner/child-process",
  testMatch: ["<rootDir>/{packages,examples,stacks}/**/*.test.ts", "<rootDir>/scripts/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
  setupFiles: ["<rootDir>/scripts/jest-setup.cjs"],
  // Two workers a core, at most 8: test files spend much of their time waiting on the processes
  // they start (the stand-in pulumi, promtool, the CLI).
  maxWorkers: Math.min(2 * availableParallelism(), 8),
  testSequencer: "<rootDir>/scripts/test-sequencer.cjs",
};

export default config;
