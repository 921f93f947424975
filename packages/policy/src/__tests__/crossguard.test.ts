import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PolicyResource as CrossGuardResource, ResourceValidationArgs } from "@pulumi/policy";
import { toPolicies, toResourcePolicies, toStackPolicies } from "../crossguard/mapping";
import { rules } from "../rules";

/** Just enough of CrossGuard's argument bags for the validations. */
const resourceArgs = (type: string, name: string, props: Record<string, unknown>) =>
  ({ type, name, urn: `urn:pulumi:s::p::${type}::${name}`, props, opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] } }) as unknown as ResourceValidationArgs;
const stackResource = (type: string, name: string, props: Record<string, unknown>, dependencies: CrossGuardResource[] = []) =>
  ({ ...resourceArgs(type, name, props), dependencies, propertyDependencies: {} }) as unknown as CrossGuardResource;

function violations(validate: (report: (message: string, urn?: string) => void) => unknown): { message: string; urn?: string }[] {
  const seen: { message: string; urn?: string }[] = [];
  validate((message, urn) => seen.push({ message, ...(urn === undefined ? {} : { urn }) }));
  return seen;
}

describe("the CrossGuard mapping", () => {
  const resourcePolicies = toResourcePolicies();
  const stackPolicies = toStackPolicies();

  it("maps every rule once, resource rules to resource policies and plan-wide rules to stack policies, with the enforcement level of its severity", () => {
    expect([...resourcePolicies, ...stackPolicies].map((p) => p.name).sort()).toEqual(rules.map((r) => r.id).sort());
    expect(stackPolicies.map((p) => p.name)).toEqual(rules.filter((r) => r.scope === "stack").map((r) => r.id));
    for (const policy of [...resourcePolicies, ...stackPolicies]) {
      expect(policy.enforcementLevel).toBe(rules.find((r) => r.id === policy.name)!.severity);
    }
    expect(toPolicies({ severity: "mandatory" }).every((p) => p.enforcementLevel === "mandatory")).toBe(true);
  });

  it("reports a resource violation, and none for another type or a suppressed resource", () => {
    const policy = resourcePolicies.find((p) => p.name === "PC-AWS-RDS-002")!;
    const validate = policy.validateResource as (args: ResourceValidationArgs, report: (message: string, urn?: string) => void) => void;
    const db = (props: Record<string, unknown>) => resourceArgs("aws:rds/instance:Instance", "db", props);
    expect(violations((report) => validate(db({ publiclyAccessible: true }), report))).toEqual([{ message: expect.stringMatching(/^db: publiclyAccessible is true\. Set publiclyAccessible: false/) }]);
    expect(violations((report) => validate(db({ publiclyAccessible: false }), report))).toEqual([]);
    expect(violations((report) => validate(resourceArgs("aws:s3/bucket:Bucket", "db", { publiclyAccessible: true }), report))).toEqual([]);
    expect(violations((report) => validate(db({ publiclyAccessible: true, tags: { "polycloud:suppress:PC-AWS-RDS-002": "a public demo database" } }), report))).toEqual([]);
    expect(violations((report) => validate(db({ publiclyAccessible: true, tags: { "polycloud:suppress:PC-AWS-RDS-002": "" } }), report))).toEqual([
      { message: expect.stringContaining('tags["polycloud:suppress:PC-AWS-RDS-002"]: suppresses PC-AWS-RDS-002 with no reason'), urn: "urn:pulumi:s::p::aws:rds/instance:Instance::db" },
      { message: expect.stringContaining("publiclyAccessible is true") },
    ]);
  });

  it("reports a stack violation on the resource, seeing attachments through dependencies, and honours suppressions from the options", () => {
    const open = stackResource("aws:s3/bucket:Bucket", "open", {});
    const closed = stackResource("aws:s3/bucket:Bucket", "closed", {});
    const block = stackResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "closed", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, [closed]);
    const run = (policies: ReturnType<typeof toStackPolicies>) => (report: (message: string, urn?: string) => void) =>
      policies.find((p) => p.name === "PC-AWS-S3-001")!.validateStack({ resources: [open, closed, block] } as never, report);
    expect(violations(run(stackPolicies))).toEqual([{ message: expect.stringMatching(/^open: no BucketPublicAccessBlock is attached/), urn: open.urn }]);
    expect(violations(run(toStackPolicies(rules, { suppress: [{ ruleId: "PC-AWS-S3-001", name: "open", reason: "website" }] })))).toEqual([]);
  });

  it("refuses bad options as evaluatePolicies does", () => {
    expect(() => toPolicies({ suppress: [{ ruleId: "PC-AWS-S3-001" } as never] })).toThrow(/suppress\[0\]\.reason/);
  });
});

describe("the policy pack directory", () => {
  it("is a Node.js CrossGuard pack whose main is the compiled entry of src/crossguard/index.ts", () => {
    const pack = join(__dirname, "../../crossguard");
    expect(readFileSync(join(pack, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const main = (JSON.parse(readFileSync(join(pack, "package.json"), "utf8")) as { main: string }).main;
    expect(resolve(pack, main)).toBe(resolve(__dirname, "../../dist/crossguard/index.js"));
    expect(existsSync(join(__dirname, "../crossguard/index.ts"))).toBe(true);
    expect((JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { files: string[] }).files).toContain("crossguard");
  });
});
