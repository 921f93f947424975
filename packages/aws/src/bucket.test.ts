import * as aws from "@pulumi/aws";
import type { BucketSpec } from "@polycloud/core";
import { Match, runProgram } from "@polycloud/testing";
import { Bucket, type BucketArgs } from "./bucket";

const spec = (overrides: Partial<BucketSpec> = {}): BucketSpec => ({ name: "assets", versioning: true, publicRead: false, lifecycle: {}, ...overrides });

const run = (bucket: BucketSpec, extra: Partial<BucketArgs> = {}) =>
  runProgram(() => {
    new Bucket("assets", { app: "shop", bucket, ...extra });
  }, { provider: "aws" });

// Type tokens where the resource's args are required: the harness's typed inputs infer `never` for them.
const T = {
  accessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  logging: "aws:s3/bucketLogging:BucketLogging",
};

describe("Bucket", () => {
  it("is private, owner-enforced, KMS-encrypted, versioned, TLS-only and logged when defaults are used", async () => {
    const plan = await run(spec());
    const bucket = plan.find(aws.s3.Bucket, "assets");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.bucket).toMatch(/^shop-dev-assets-[0-9a-f]{6}$/);
    const onBucket = { bucket: bucket.id };
    plan.hasResource(T.accessBlock, { ...onBucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    plan.hasResource(T.ownership, { ...onBucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const key = plan.find(aws.kms.Key);
    expect(key.inputs.enableKeyRotation).toBe(true);
    plan.hasResource(T.encryption, {
      ...onBucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn }, bucketKeyEnabled: true }],
    });
    plan.hasResource(T.versioning, { ...onBucket, versioningConfiguration: { status: "Enabled" } });
    plan.hasResource(T.lifecycle, { ...onBucket, rules: [{ id: "abort-incomplete-uploads", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] });
    const policy = JSON.parse(plan.find(T.policy, onBucket).inputs.policy as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } }),
    ]);
    const logBucket = plan.find(aws.s3.Bucket, "assets-access-logs");
    const logging = plan.find(T.logging, { ...onBucket, targetBucket: logBucket.id, targetPrefix: "assets/" });
    // Logging is switched on only once the log bucket lets S3 write.
    expect(logging.dependencies).toContain(plan.find(T.policy, { bucket: logBucket.id }).urn);
    // The log bucket is locked down too, with SSE-S3 (S3 access logging cannot write SSE-KMS).
    plan.hasResource(T.accessBlock, { bucket: logBucket.id, blockPublicPolicy: true, restrictPublicBuckets: true });
    plan.hasResource(T.encryption, { bucket: logBucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    expect(JSON.parse(plan.find(T.policy, { bucket: logBucket.id }).inputs.policy as string).Statement[1].Principal).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(bucket.options.protect).toBe(false);
  });

  it("protects the bucket, its log bucket and its key when the environment is production", async () => {
    const plan = await run(spec(), { environment: "production" });
    expect(plan.find(aws.s3.Bucket, "assets").options.protect).toBe(true);
    expect(plan.find(aws.s3.Bucket, "assets-access-logs").options.protect).toBe(true);
    expect(plan.find(aws.kms.Key).options.protect).toBe(true);
  });

  it("allows a public-read policy with SSE-S3 and keeps ACLs blocked when publicRead is set", async () => {
    const plan = await run(spec({ publicRead: true }));
    const bucketId = plan.find(aws.s3.Bucket, "assets").id;
    plan.hasResource(T.accessBlock, { bucket: bucketId, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false });
    plan.hasResource(T.encryption, { bucket: bucketId, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    plan.resourceCountIs(aws.kms.Key, 0);
    const statements = JSON.parse(plan.find(T.policy, { bucket: bucketId }).inputs.policy as string).Statement;
    expect(statements[1]).toMatchObject({ Effect: "Allow", Principal: "*", Action: "s3:GetObject" });
  });

  it("suspends versioning when versioning is off", async () => {
    const plan = await run(spec({ versioning: false }));
    plan.hasResource(T.versioning, { versioningConfiguration: { status: "Suspended" } });
  });

  it("adds expiration and transition rules when lifecycle days are set", async () => {
    const plan = await run(spec({ lifecycle: { expireNoncurrentAfterDays: 30, expireAfterDays: 365, transitionToInfrequentAccessAfterDays: 60 } }));
    plan.hasResource(T.lifecycle, {
      bucket: plan.find(aws.s3.Bucket, "assets").id,
      rules: Match.arrayEquals([
        Match.objectLike({ id: "abort-incomplete-uploads" }),
        Match.objectLike({ id: "expire-noncurrent", noncurrentVersionExpiration: { noncurrentDays: 30 } }),
        Match.objectLike({ id: "expire", expiration: { days: 365 } }),
        Match.objectLike({ id: "infrequent-access", transitions: [{ days: 60, storageClass: "STANDARD_IA" }] }),
      ]),
    });
  });

  it("logs to the given bucket and creates no log bucket when accessLogBucket is set", async () => {
    const plan = await run(spec(), { accessLogBucket: "central-logs" });
    plan.resourceCountIs(aws.s3.Bucket, 1);
    plan.hasResource(T.logging, { targetBucket: "central-logs" });
  });

  it("uses the given key and creates none when kmsKeyArn is set", async () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/given";
    const plan = await run(spec(), { kmsKeyArn: arn });
    plan.resourceCountIs(aws.kms.Key, 0);
    plan.hasResource(T.encryption, { rules: [Match.objectLike({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: arn } })] });
  });

  it("tags the bucket with the app and environment when tags are given", async () => {
    const plan = await run(spec(), { tags: { team: "web" }, environment: "staging" });
    expect(plan.find(aws.s3.Bucket, "assets").inputs.tags).toMatchObject({ team: "web", app: "shop", environment: "staging" });
  });
});
