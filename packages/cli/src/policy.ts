/**
 * `--policy advisory|mandatory` for the commands that plan: the mode, the report's lines and the exit
 * code. Loaded only by commands that run a program (it loads the rules, not Pulumi).
 */
import { PolycloudError } from "@polycloud/core";
import { formatReport, type PolicyReport } from "@polycloud/policy";
import { ExitCode } from "./errors";

/** `advisory` reports findings; `mandatory` also fails (exit 1) on a mandatory finding. */
export const PolicyMode = { advisory: "advisory", mandatory: "mandatory" } as const;
export type PolicyMode = (typeof PolicyMode)[keyof typeof PolicyMode];

/** Parses `--policy`. @throws PolycloudError naming the flag, the bad value and what is allowed. */
export function policyMode(value: string | undefined): PolicyMode | undefined {
  if (value === undefined) return undefined;
  if (value === "advisory" || value === "mandatory") return value;
  throw new PolycloudError(
    [{ path: "--policy", message: `${JSON.stringify(value)} is not a policy mode; allowed: advisory (report findings), mandatory (also exit 1 on a mandatory finding)`, fix: "write --policy mandatory or --policy advisory" }],
    "Invalid flag",
  );
}

/** The report as the CLI prints it, under a heading. */
export function policyLines(report: PolicyReport): string[] {
  return ["Policy:", ...(report.findings.length + report.suppressed.length === 0 ? ["  no findings"] : []), ...formatReport(report).map((line, i, all) => (i === all.length - 1 ? `  ${line}` : line))];
}

/** Exit 1 on a mandatory finding in mandatory mode, else 0. */
export function policyExitCode(report: PolicyReport | undefined, mode: PolicyMode | undefined): number {
  return mode === "mandatory" && report !== undefined && !report.summary.passed ? ExitCode.failure : ExitCode.ok;
}
