/**
 * SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for a policy report, for code
 * scanning tools (GitHub code scanning, Azure DevOps, IDE viewers).
 */
import { rules as allRules } from "./rules";
import type { Finding, PolicyReport, Rule, SuppressedFinding } from "./types";

export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** The subset of SARIF 2.1.0 that `toSarif` writes. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly {
    readonly tool: { readonly driver: { readonly name: string; readonly informationUri: string; readonly version: string; readonly rules: readonly unknown[] } };
    readonly results: readonly unknown[];
  }[];
}

export interface SarifOptions {
  /** The file the resources come from (a Pulumi program's main file, or a spec), relative to the repository root. @default "Pulumi.yaml" */
  readonly artifactUri?: string;
  /** @default "0.1.0" */
  readonly toolVersion?: string;
  /** Rules to describe in the log. @default - every rule */
  readonly rules?: readonly Rule[];
}

const level = (f: Finding) => (f.severity === "mandatory" ? "error" : "warning");

/** The report as a SARIF log: one run, every rule described, suppressed findings kept with their justification. */
export function toSarif(report: PolicyReport, options: SarifOptions = {}): SarifLog {
  const rules = options.rules ?? allRules;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const uri = options.artifactUri ?? "Pulumi.yaml";
  const result = (f: Finding | SuppressedFinding) => ({
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: level(f),
    message: { text: `${f.name} (${f.type}): ${f.message}. ${f.remediation}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
        logicalLocations: [{ name: f.name, fullyQualifiedName: f.urn, kind: "resource" }],
      },
    ],
    partialFingerprints: { "polycloudUrn/v1": `${f.ruleId}|${f.urn}` },
    ...("reason" in f ? { suppressions: [{ kind: "external", justification: f.reason, location: { message: { text: f.suppressedBy } } }] } : {}),
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "polycloud-policy",
            informationUri: "https://www.npmjs.com/package/@polycloud/policy",
            version: options.toolVersion ?? "0.1.0",
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/-/g, ""),
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.title} (${r.types.join(", ")})` },
              help: { text: r.remediation },
              defaultConfiguration: { level: r.severity === "mandatory" ? "error" : "warning" },
              properties: { tags: ["security", r.cloud, ...r.references] },
            })),
          },
        },
        results: [...report.findings.map(result), ...report.suppressed.map(result)],
      },
    ],
  };
}
