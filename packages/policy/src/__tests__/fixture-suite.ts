/**
 * The Checkov layout for rules: each rule has a passing and a failing fixture built from real SDK
 * resources. One program per cloud builds every pair (one plan, so one SDK load and one mock run per
 * file), and each rule must flag exactly its failing fixture.
 */
import { runProgram, type Plan, type ProviderName } from "@polycloud/testing";
import { evaluatePolicies } from "../evaluate";
import type { Rule } from "../types";

/** Builds a rule's fixture: the failing variant when `bad`, the passing one otherwise. Resource names start with `name`. */
export type Fixture = (name: string, bad: boolean) => void;

export function describeRules(provider: ProviderName, rules: readonly Rule[], fixtures: Readonly<Record<string, Fixture>>): void {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runProgram(
      () => {
        for (const [id, fixture] of Object.entries(fixtures)) {
          fixture(`${id}-pass`, false);
          fixture(`${id}-fail`, true);
        }
      },
      { provider, timeoutMs: 30_000 },
    );
  });

  it("has a passing and a failing fixture for every rule, and none for a rule that does not exist", () => {
    expect(Object.keys(fixtures).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it.each(rules.map((r) => [r.id, r.title] as const))("%s (%s) flags the failing fixture and passes the other", (id) => {
    const report = evaluatePolicies(plan, { enabled: [id] });
    const hits = report.findings.filter((f) => f.name.startsWith(`${id}-`));
    expect(hits.map((f) => f.name)).toEqual([`${id}-fail`]);
    expect(hits[0]!.message).not.toBe("");
  });
}
