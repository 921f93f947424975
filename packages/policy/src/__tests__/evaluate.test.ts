import * as aws from "@pulumi/aws";
import { PolycloudError } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import "../jest";
import { evaluatePolicies } from "../evaluate";
import { formatReport } from "../format";
import { suppressionTag } from "../suppress";
import type { PolicyResource } from "../types";

const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

/** A public-ish bucket (no access block: mandatory PC-AWS-S3-001), a log group with no retention (advisory), and one suppressed by tag. */
function program(): void {
  new aws.s3.Bucket("open");
  new aws.cloudwatch.LogGroup("forever", { kmsKeyId: "arn:aws:kms:key" });
  new aws.cloudwatch.LogGroup("audit", { kmsKeyId: "arn:aws:kms:key", tags: suppressionTag("aws", "PC-AWS-CW-001", "audit logs are kept forever by law") });
}

function clean(): void {
  const bucket = new aws.s3.Bucket("closed");
  new aws.s3.BucketPublicAccessBlock("closed", { bucket: bucket.id, ...ALL_BLOCKED });
}

describe("evaluatePolicies", () => {
  let plan: Plan;
  let cleanPlan: Plan;
  beforeAll(async () => {
    [plan, cleanPlan] = await Promise.all([runProgram(program, { provider: "aws" }), runProgram(clean, { provider: "aws" })]);
  });

  it("reports each finding with its rule, severity, resource, message, remediation and references", () => {
    const report = evaluatePolicies(plan);
    const finding = report.findings.find((f) => f.ruleId === "PC-AWS-S3-001");
    expect(finding).toEqual({
      ruleId: "PC-AWS-S3-001",
      title: "S3 bucket has a public access block that blocks everything",
      severity: "mandatory",
      urn: "urn:pulumi:stack::project::aws:s3/bucket:Bucket::open",
      type: "aws:s3/bucket:Bucket",
      name: "open",
      message: "no BucketPublicAccessBlock is attached to the bucket",
      remediation: expect.stringContaining("BucketPublicAccessBlock"),
      references: ["CKV2_AWS_6", "AVD-AWS-0094"],
    });
    expect(report.summary).toMatchObject({ resources: 3, passed: false, mandatory: report.findings.filter((f) => f.severity === "mandatory").length });
    expect(report.summary.mandatory + report.summary.advisory).toBe(report.findings.length);
  });

  it("keeps a finding suppressed by a tag in the report, with the reason and the tag it came from", () => {
    const report = evaluatePolicies(plan);
    expect(report.findings.filter((f) => f.ruleId === "PC-AWS-CW-001").map((f) => f.name)).toEqual(["forever"]);
    expect(report.suppressed).toEqual([
      expect.objectContaining({ ruleId: "PC-AWS-CW-001", name: "audit", reason: "audit logs are kept forever by law", suppressedBy: 'tags["polycloud:suppress:PC-AWS-CW-001"]' }),
    ]);
    expect(report.summary.suppressed).toBe(1);
    expect(formatReport(report).join("\n")).toContain("[suppressed] PC-AWS-CW-001 audit (aws:cloudwatch/logGroup:LogGroup): audit logs are kept forever by law");
  });

  it("suppresses by rule, type and name from the options", () => {
    const report = evaluatePolicies(plan, { suppress: [{ ruleId: "PC-AWS-S3-001", type: "aws:s3/bucket:Bucket", name: "open", reason: "a public website bucket" }] });
    expect(report.findings.map((f) => f.ruleId)).not.toContain("PC-AWS-S3-001");
    expect(report.suppressed).toContainEqual(expect.objectContaining({ ruleId: "PC-AWS-S3-001", reason: "a public website bucket", suppressedBy: "options.suppress[0]" }));
    expect(evaluatePolicies(plan, { suppress: [{ ruleId: "PC-AWS-S3-001", name: "other", reason: "x" }] }).findings.map((f) => f.ruleId)).toContain("PC-AWS-S3-001");
  });

  it("runs only mandatory rules at the mandatory threshold, and honours enabled and disabled", () => {
    const mandatory = evaluatePolicies(plan, { severity: "mandatory" });
    expect(mandatory.findings.every((f) => f.severity === "mandatory")).toBe(true);
    expect(mandatory.summary.rules).toBeLessThan(evaluatePolicies(plan).summary.rules);
    expect(evaluatePolicies(plan, { enabled: ["PC-AWS-CW-001"] }).findings.map((f) => f.name)).toEqual(["forever"]);
    expect(evaluatePolicies(plan, { disabled: ["PC-AWS-S3-001"] }).findings.map((f) => f.ruleId)).not.toContain("PC-AWS-S3-001");
  });

  it("passes a plan without findings", () => {
    expect(evaluatePolicies(cleanPlan, { severity: "mandatory" }).summary).toMatchObject({ mandatory: 0, passed: true, resources: 2 });
  });

  it("refuses options with every problem named: the field, the bad value, what is allowed and the fix", () => {
    const run = () =>
      evaluatePolicies(plan, { severity: "high", enabled: ["PC-AWS-S3-01"], suppress: [{ ruleId: "PC-AWS-S3-001" }], supress: [] } as never);
    expect(run).toThrow(PolycloudError);
    expect(run).toThrow(/severity: is "high"; allowed: advisory, mandatory/);
    expect(run).toThrow(/enabled\[0\]: "PC-AWS-S3-01" is not a rule id; did you mean PC-AWS-S3-001\?/);
    expect(run).toThrow(/suppress\[0\]\.reason: is nothing; a suppression needs the reason the finding is accepted/);
    expect(run).toThrow(/supress: is not an option; allowed: severity, enabled, disabled, suppress; did you mean suppress\?/);
  });
});

describe("suppressions on resources", () => {
  const resource = (inputs: Record<string, unknown>): PolicyResource => ({ urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::web", type: "kubernetes:apps/v1:Deployment", name: "web", inputs, dependencies: [] });
  const pod = { spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } } };

  it("reads a Kubernetes annotation and a Google Cloud label (whose reason is written with _ for spaces)", () => {
    const k8s = evaluatePolicies([resource({ metadata: { namespace: "web", annotations: suppressionTag("kubernetes", "PC-K8S-POD-007", "the app writes its cache to the image") }, ...pod })], { enabled: ["PC-K8S-POD-007"] });
    expect(k8s.suppressed).toEqual([expect.objectContaining({ reason: "the app writes its cache to the image", suppressedBy: 'metadata.annotations["suppress.polycloud.dev/PC-K8S-POD-007"]' })]);
    const label = suppressionTag("gcp", "PC-GCP-GCS-004", "Data Access audit logs cover it");
    expect(label).toEqual({ "polycloud-suppress-pc-gcp-gcs-004": "data_access_audit_logs_cover_it" });
    const gcs = evaluatePolicies([{ urn: "urn:b", type: "gcp:storage/bucket:Bucket", name: "b", inputs: { uniformBucketLevelAccess: true, labels: label }, dependencies: [] }], { enabled: ["PC-GCP-GCS-004"] });
    expect(gcs.suppressed.map((s) => s.reason)).toEqual(["data access audit logs cover it"]);
  });

  it("refuses a suppression without a reason, or naming no rule, naming the field", () => {
    const run = (annotations: Record<string, string>) => () => evaluatePolicies([resource({ metadata: { annotations }, ...pod })]);
    expect(run({ "suppress.polycloud.dev/PC-K8S-POD-007": " " })).toThrow(/metadata\.annotations\["suppress\.polycloud\.dev\/PC-K8S-POD-007"\]: suppresses PC-K8S-POD-007 with no reason \(got " "\); set the value to why the finding is accepted/);
    expect(run({ "suppress.polycloud.dev/PC-K8S-POD-999": "why" })).toThrow(/suppresses "PC-K8S-POD-999", which is not a rule id/);
  });
});

describe("toPassPolicies", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runProgram(program, { provider: "aws" });
  });

  it("fails listing each mandatory finding with its remediation, and passes once they are suppressed", () => {
    expect(() => expect(plan).toPassPolicies()).toThrow(/\[mandatory\] PC-AWS-S3-001 S3 bucket has a public access block that blocks everything\n {4}open \(aws:s3\/bucket:Bucket\): no BucketPublicAccessBlock is attached to the bucket\n {4}fix: Attach an aws\.s3\.BucketPublicAccessBlock/);
    expect(plan).toPassPolicies({ suppress: [{ ruleId: "PC-AWS-S3-001", reason: "public website" }] });
    expect(() => expect(plan).toPassPolicies({ suppress: [{ ruleId: "PC-AWS-S3-001", reason: "public website" }], failOn: "advisory" })).toThrow(/PC-AWS-CW-001/);
    expect(plan).not.toPassPolicies();
  });

  it("refuses anything but a plan", () => {
    expect(() => expect({}).toPassPolicies()).toThrow(/expected a Plan from runProgram\(\)/);
  });
});
