// Run by scripts/jest-setup.test.ts (not by the suite: it fails on purpose). Each hang below must
// fail by name within its timeout, and processes a test starts must not get the workers' NODE_OPTIONS.
import { execFileSync } from "node:child_process";

describe("a describe block", () => {
  beforeAll(() => new Promise(() => undefined), 300);
  it("hangs in a test", () => new Promise(() => undefined), 400);
});

it("hangs at the top level", () => new Promise(() => undefined), 500);

it("finishes when it calls done", (done) => {
  setTimeout(done, 10);
});

it("still times out under fake timers", () => {
  jest.useFakeTimers();
  return new Promise(() => undefined);
}, 600);

it("starts processes without the workers' NODE_OPTIONS", () => {
  jest.useRealTimers();
  expect(execFileSync(process.execPath, ["-p", "process.env.NODE_OPTIONS ?? 'unset'"], { encoding: "utf8" }).trim()).toBe("unset");
});
