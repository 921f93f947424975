import "./jest";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolycloudError } from "@polycloud/core";
import { Match, runProgram } from "./index";
import type { Plan } from "./index";

describe("Jest matchers", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runProgram(() => {
      const key = new aws.kms.Key("key", { enableKeyRotation: true });
      const bucket = new aws.s3.Bucket("data", { tags: { env: "prod" } }, { protect: true, ignoreChanges: ["tags"], dependsOn: [key] });
      new aws.ssm.Parameter("p", { type: "SecureString", value: pulumi.secret("x") });
      return { bucket: bucket.bucket, secret: pulumi.secret("s") };
    });
  });

  it("pass when the plan matches", () => {
    expect(plan).toHaveResource(aws.s3.Bucket, { tags: { env: "prod" } });
    expect(plan).toHaveResource("aws:kms/key:Key", "key");
    expect(plan).not.toHaveResource(aws.s3.Bucket, { tags: { env: "dev" } });
    expect(plan).toHaveResourceCount(aws.s3.Bucket, 1);
    expect(plan).toHaveOutput("bucket", Match.stringLikeRegexp("^data-"));
    expect(plan).toHaveOutput("secret", Match.secret());
    expect({ a: [1, 2] }).toMatchPattern({ a: Match.arrayWith([2]) });
    const bucket = plan.find(aws.s3.Bucket);
    expect(bucket).toHaveOptions({ protect: true, ignoreChanges: ["tags"] });
    expect(bucket).not.toHaveOptions({ retainOnDelete: true });
    expect(bucket).toDependOn(plan.find(aws.kms.Key));
    expect(plan.find(aws.ssm.Parameter)).toHaveSecretInput("value");
    expect(plan.find(aws.ssm.Parameter)).toHaveSecretOutput("value");
    expect(bucket).not.toHaveSecretInput("tags");
  });

  it("compares array options as sets, in any order, when checking toHaveOptions", async () => {
    const p = await runProgram(() => void new aws.s3.Bucket("b", {}, { ignoreChanges: ["tags", "versioning", "acl"] }));
    const bucket = p.find(aws.s3.Bucket);
    expect(bucket).toHaveOptions({ ignoreChanges: ["acl", "tags"] });
    expect(bucket).toHaveOptions({ ignoreChanges: ["versioning", "tags", "acl"] });
    expect(bucket).not.toHaveOptions({ ignoreChanges: ["tags", "policy"] });
    expect(() => expect(bucket).toHaveOptions({ ignoreChanges: ["policy"] })).toThrow(/options of b \(aws:s3\/bucket:Bucket\) differ:\n {2}at options\.ignoreChanges/);
  });

  it("fail with the closest candidates and where each differs", () => {
    expect(() => expect(plan).toHaveResource(aws.s3.Bucket, { tags: { env: "dev" } })).toThrow(/data \(urn:pulumi:stack::project::aws:s3\/bucket:Bucket::data\):\n {4}at inputs\.tags\.env: expected "dev", got "prod"/);
    expect(() => expect(plan).toHaveResourceCount(aws.s3.Bucket, 2)).toThrow(/expected 2 aws:s3\/bucket:Bucket, found 1/);
    expect(() => expect(plan).toHaveOutput("missing")).toThrow(/expected a stack output "missing"; outputs: bucket, secret/);
    expect(() => expect(plan).toHaveOutput("secret", "t")).toThrow(/at secret: expected "t", got \[secret\]/);
    expect(() => expect(plan.find(aws.s3.Bucket)).toHaveOptions({ retainOnDelete: true })).toThrow(/options of data \(aws:s3\/bucket:Bucket\) differ:\n {2}at options\.retainOnDelete: expected true, got false/);
    expect(() => expect(plan.find(aws.kms.Key)).toDependOn(plan.find(aws.s3.Bucket))).toThrow(/expected key \(aws:kms\/key:Key\) to depend on .*; it depends on: nothing/);
    expect(() => expect(plan.find(aws.s3.Bucket)).toHaveSecretInput("tags")).toThrow(/expected input "tags" of data \(aws:s3\/bucket:Bucket\) to be secret; secret inputs: none/);
    expect(() => expect("x").toHaveResource("aws:s3/bucket:Bucket")).toThrow(PolycloudError);
    expect(() => expect("x").toHaveResource("aws:s3/bucket:Bucket")).toThrow(/^toHaveResource \(1 problem\):\n {2}- received: expected a Plan from runProgram\(\), got "x"/);
  });
});
