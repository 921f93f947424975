/**
 * Jest matcher for policy: one import registers it.
 *
 *     import "@polycloud/policy/jest";
 *
 * @example
 * expect(await runProgram(program)).toPassPolicies();
 * expect(plan).toPassPolicies({ suppress: [{ ruleId: "PC-AWS-S3-005", reason: "log bucket" }] });
 */
import { PolycloudError } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { evaluatePolicies } from "./evaluate";
import { formatFinding } from "./format";
import type { PolicyOptions } from "./types";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /**
       * The plan has no mandatory finding (with `severity: "advisory"`, no finding at all) once
       * suppressions are applied. The failure message lists each finding with its remediation.
       */
      toPassPolicies(options?: PolicyOptions & { readonly failOn?: "mandatory" | "advisory" }): R;
    }
  }
}

expect.extend({
  toPassPolicies(received: unknown, options: PolicyOptions & { readonly failOn?: "mandatory" | "advisory" } = {}) {
    if (typeof (received as Partial<Plan> | null)?.resources !== "function") {
      throw new PolycloudError([{ path: "received", message: "expected a Plan from runProgram()", fix: "expect(await runProgram(...)).toPassPolicies()" }], "toPassPolicies");
    }
    const { failOn = "mandatory", ...policyOptions } = options;
    const report = evaluatePolicies(received as Plan, policyOptions);
    const failing = report.findings.filter((f) => failOn === "advisory" || f.severity === "mandatory");
    const pass = failing.length === 0;
    return {
      pass,
      message: () =>
        pass
          ? `expected the plan to have ${failOn} policy findings, but it has none (${report.summary.suppressed} suppressed)`
          : `expected the plan to pass the policies, but ${failing.length} ${failOn === "mandatory" ? "mandatory " : ""}finding(s):\n${failing.map(formatFinding).join("\n")}`,
    };
  },
});
