import { availableParallelism } from "node:os";
import type { Config } from "jest";

// One Jest run over every package, example and stack, straight from TypeScript sources:
// the "source" export condition resolves @polycloud/* to src/, so no build step is needed.
const config: Config = {
  testEnvironment: "node",
  testEnvironmentOptions: { customExportConditions: ["source", "node", "require", "default"] },
  testMatch: ["<rootDir>/{packages,examples,stacks}/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  transform: {
    "^.+\\.(t|j|mj)s$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  // kubernetes-models ships ESM only; transform it to CommonJS like our own sources.
  transformIgnorePatterns: ["/node_modules/(?!(\\.pnpm/)?(@?kubernetes-models|@kubernetes-models))"],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
  // Two workers a core, at most 8: test files spend much of their time loading modules and waiting on
  // the processes they start (the stand-in pulumi, promtool), and Jest's default (cores - 1) left one
  // of two cores idle. On 2 cores: 167 s with 2 workers, 149 s with 3, 142 s with 4.
  maxWorkers: Math.min(2 * availableParallelism(), 8),
  testSequencer: "<rootDir>/scripts/test-sequencer.cjs",
  // Pulumi SDKs are large; recycle a worker before its heap grows without bound.
  workerIdleMemoryLimit: "1.5GB",
  testTimeout: 30_000,
};

export default config;
