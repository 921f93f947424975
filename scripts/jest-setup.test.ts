// scripts/jest-setup.cjs, through Jest itself: the runner it sets up for enforces the timeouts tests
// and hooks declare, and leaves the workers' NODE_OPTIONS out of the processes tests start.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..");

describe("scripts/jest-setup.cjs", () => {
  it("fails each hanging test and hook by name within its timeout, keeps done callbacks, and starts processes without NODE_OPTIONS", () => {
    const jest = spawnSync(
      process.execPath,
      [require.resolve("jest/bin/jest"), "-c", join(ROOT, "jest.config.ts"), "--testMatch", "<rootDir>/scripts/__fixtures__/timeouts.fixture.ts", "--maxWorkers", "2", "--json"],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(jest.status).toBe(1);
    const report = JSON.parse(jest.stdout) as { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    const results = Object.fromEntries(report.testResults[0]!.assertionResults.map((r) => [r.title, [r.status, r.failureMessages.join("\n")]]));
    expect(results["(beforeAll)"]?.[1]).toContain("beforeAll hook did not finish within 300 ms");
    expect(results["hangs in a test"]?.[1]).toContain('test "hangs in a test" did not finish within 400 ms');
    expect(results["hangs at the top level"]?.[1]).toContain('test "hangs at the top level" did not finish within 500 ms');
    expect(results["still times out under fake timers"]?.[1]).toContain("did not finish within 600 ms");
    expect(results["finishes when it calls done"]?.[0]).toBe("passed");
    expect(results["starts processes without the workers' NODE_OPTIONS"]?.[0]).toBe("passed");
  }, 60_000);
});
