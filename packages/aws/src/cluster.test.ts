import * as aws from "@pulumi/aws";
import { runProgram } from "@polycloud/testing";
import { Cluster, type ClusterArgs } from "./cluster";

const POLICY = "aws:s3/bucketPolicy:BucketPolicy";

const run = (extra: Partial<ClusterArgs> = {}) =>
  runProgram(() => {
    const cluster = new Cluster("shop", { app: "shop", ...extra });
    return { accessLogBucket: cluster.serviceArgs.accessLogBucket };
  }, { provider: "aws" });

describe("Cluster", () => {
  it("creates one ECS cluster with Container Insights, a log key for CloudWatch Logs and a private load balancer log bucket when defaults are used", async () => {
    const plan = await run({ logRetentionDays: 30 });
    expect(plan.find(aws.ecs.Cluster).inputs).toMatchObject({ name: "shop-dev-shop", settings: [{ name: "containerInsights", value: "enabled" }] });
    const key = plan.find(aws.kms.Key);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(JSON.parse(key.inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypts"]);
    const bucket = plan.find(aws.s3.Bucket);
    plan.hasResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    plan.hasResource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", { bucket: bucket.id, rules: [{ expiration: { days: 30 } }] });
    const statements = JSON.parse(plan.find(POLICY).inputs.policy as string).Statement;
    expect(statements.map((s: { Sid: string; Principal?: unknown }) => [s.Sid, s.Principal])).toEqual([
      ["DenyInsecureTransport", "*"],
      ["LogDeliveryWrites", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }],
      ["ElbAccountWrites", { AWS: "arn:aws:iam::127311923021:root" }],
    ]);
    // Services get the bucket's name through its policy, so their load balancers wait until ELB may write.
    expect(plan.outputs.accessLogBucket).toBe(bucket.outputs.bucket);
    expect(key.options.protect).toBe(false);
  });

  it("protects the key and the log bucket when the environment is production", async () => {
    const plan = await run({ environment: "production" });
    expect(plan.find(aws.kms.Key).options.protect).toBe(true);
    expect(plan.find(aws.s3.Bucket).options.protect).toBe(true);
  });
});
