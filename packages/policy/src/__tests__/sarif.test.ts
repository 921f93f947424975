import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { toSarif } from "../sarif";
import { rules } from "../rules";
import type { PolicyReport } from "../types";

const schema = JSON.parse(readFileSync(join(__dirname, "sarif-schema-2.1.0.json"), "utf8")) as object;
const finding = {
  ruleId: "PC-AWS-S3-001",
  title: "S3 bucket has a public access block that blocks everything",
  severity: "mandatory" as const,
  urn: "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::assets",
  type: "aws:s3/bucket:Bucket",
  name: "assets",
  message: "no BucketPublicAccessBlock is attached to the bucket",
  remediation: "Attach an aws.s3.BucketPublicAccessBlock.",
  references: ["CKV2_AWS_6"],
};
const report: PolicyReport = {
  findings: [finding, { ...finding, ruleId: "PC-AWS-CW-001", severity: "advisory", name: "logs" }],
  suppressed: [{ ...finding, name: "site", reason: "a public website", suppressedBy: "options.suppress[0]" }],
  summary: { rules: rules.length, resources: 3, mandatory: 1, advisory: 1, suppressed: 1, passed: false },
};

describe("toSarif", () => {
  const log = toSarif(report, { artifactUri: "infra/index.ts" });

  it("writes SARIF 2.1.0 that the OASIS schema accepts", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    // The schema is strict enough to catch a wrong log.
    expect(validate({ ...log, version: "2.0.0" })).toBe(false);
  });

  it("describes every rule, and gives each result its level, rule index, resource and location", () => {
    const run = log.runs[0]!;
    expect(run.tool.driver.rules).toHaveLength(rules.length);
    expect(run.results).toEqual([
      expect.objectContaining({
        ruleId: "PC-AWS-S3-001",
        ruleIndex: 0,
        level: "error",
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: "infra/index.ts" }, region: { startLine: 1 } },
            logicalLocations: [{ name: "assets", fullyQualifiedName: "urn:pulumi:dev::shop::aws:s3/bucket:Bucket::assets", kind: "resource" }],
          },
        ],
      }),
      expect.objectContaining({ ruleId: "PC-AWS-CW-001", level: "warning" }),
      expect.objectContaining({ suppressions: [{ kind: "external", justification: "a public website", location: { message: { text: "options.suppress[0]" } } }] }),
    ]);
  });
});
