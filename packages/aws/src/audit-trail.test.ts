import * as aws from "@pulumi/aws";
import { runProgram } from "@polycloud/testing";
import { AuditTrail, type AuditTrailArgs } from "./audit-trail";

const T = {
  trail: "aws:cloudtrail/trail:Trail",
  accessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  logging: "aws:s3/bucketLogging:BucketLogging",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};
const assets = "arn:aws:s3:::shop-dev-assets-0a1b2c";

const run = (extra: Partial<AuditTrailArgs> = {}) =>
  runProgram(() => {
    new AuditTrail("shop-audit", { app: "shop", logRetentionDays: 90, ...extra });
  }, { provider: "aws" });

describe("AuditTrail", () => {
  it("records every region's management events, validated and KMS-encrypted, to a private TLS-only bucket only this trail may write and to CloudWatch Logs when defaults are used", async () => {
    const plan = await run();
    const key = plan.find(aws.kms.Key);
    const bucket = plan.find(aws.s3.Bucket, "shop-audit-trail");
    const logGroup = plan.find(aws.cloudwatch.LogGroup);
    const trail = plan.find(T.trail);
    expect(trail.inputs).toMatchObject({
      name: "shop-dev-audit",
      s3BucketName: bucket.id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: key.outputs.arn,
      cloudWatchLogsGroupArn: `${logGroup.outputs.arn}:*`,
      cloudWatchLogsRoleArn: plan.find(aws.iam.Role).outputs.arn,
      advancedEventSelectors: [{ name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }],
    });
    expect(logGroup.inputs).toMatchObject({ retentionInDays: 90, kmsKeyId: key.outputs.arn });
    expect(JSON.parse(key.inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypts", "CloudTrailEncrypts", "CloudTrailDescribes"]);

    // The bucket: all public access blocked, SSE-KMS, versioned, and a policy for this trail only.
    const onBucket = { bucket: bucket.id };
    plan.hasResource(T.accessBlock, { ...onBucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    plan.hasResource(T.encryption, { ...onBucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn } }] });
    plan.hasResource(T.versioning, { ...onBucket, versioningConfiguration: { status: "Enabled" } });
    const bucketPolicy = plan.find(T.policy, onBucket);
    const statements = JSON.parse(bucketPolicy.inputs.policy as string).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(["DenyInsecureTransport", "CloudTrailAclCheck", "CloudTrailWrite"]);
    expect(statements[2].Condition.StringEquals["aws:SourceArn"]).toBe(trail.outputs.arn);

    // Server access logs of the trail bucket go to a log bucket of their own.
    const accessLogs = plan.find(aws.s3.Bucket, "shop-audit-access-logs");
    plan.hasResource(T.logging, { ...onBucket, targetBucket: accessLogs.id });

    // CloudTrail checks the bucket policy and the role's permissions when the trail is created.
    expect(trail.dependencies).toEqual(expect.arrayContaining([bucketPolicy.urn, plan.find(T.rolePolicy).urn]));
    expect(JSON.parse(plan.find(T.rolePolicy).inputs.policy as string).Statement[0].Resource).toEqual([logGroup.outputs.arn, `${logGroup.outputs.arn}:*`]);
    expect(bucket.options.protect).toBe(false);
  });

  it("records S3 data events of the given buckets, logs to the given bucket and protects the trail bucket and key in production", async () => {
    const plan = await run({ dataEventBuckets: [assets], accessLogBucket: "central-logs", environment: "production" });
    expect(plan.find(T.trail).inputs.advancedEventSelectors[1]).toEqual({
      name: "S3 data events of the application's buckets",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
        { field: "resources.ARN", startsWiths: [`${assets}/`] },
      ],
    });
    plan.resourceCountIs(aws.s3.Bucket, 1);
    plan.hasResource(T.logging, { targetBucket: "central-logs" });
    expect(plan.find(aws.s3.Bucket).options.protect).toBe(true);
    expect(plan.find(aws.kms.Key).options.protect).toBe(true);
  });
});
