/** Human-readable lines for a policy report, shared by the Jest matcher and the CLI. */
import type { Finding, PolicyReport } from "./types";

/** One finding as two lines: what and where, then the fix. */
export function formatFinding(f: Finding): string {
  return `  [${f.severity}] ${f.ruleId} ${f.title}\n    ${f.name} (${f.type}): ${f.message}\n    fix: ${f.remediation}`;
}

/** The report as text: findings, then the suppressed ones with their reasons, then the counts. */
export function formatReport(report: PolicyReport): string[] {
  const { summary } = report;
  return [
    ...report.findings.map(formatFinding),
    ...report.suppressed.map((s) => `  [suppressed] ${s.ruleId} ${s.name} (${s.type}): ${s.reason} (${s.suppressedBy})`),
    `policy: ${summary.mandatory} mandatory, ${summary.advisory} advisory, ${summary.suppressed} suppressed (${summary.rules} rules over ${summary.resources} resources)`,
  ];
}
