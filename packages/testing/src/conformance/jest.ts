/**
 * `describeConformance`: the suite as Jest tests, one per case. A case fails with every violation,
 * each naming its property; a refused spec passes only when its error names a spec path.
 */
import { runConformanceCase, formatViolations, type ConformanceCase, type ConformanceSubject } from "./run";

/** Registers one Jest test per case of `corpus` against the backend of `subject`. */
export function describeConformance(title: string, subject: ConformanceSubject, corpus: readonly ConformanceCase[]): void {
  describe(title, () => {
    for (const testCase of corpus) {
      it(testCase.name, async () => {
        const report = await runConformanceCase(subject, testCase);
        if (report.outcome === "refused") {
          // A backend may refuse what it cannot build, but only up front, naming the spec field.
          expect(report.error.problems.every((p) => p.path !== "")).toBe(true);
          return;
        }
        if (report.violations.length > 0) throw new Error(formatViolations(testCase, report.violations));
      }, 60_000);
    }
  });
}
