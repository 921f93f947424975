/** Where logs go: encrypted CloudWatch log groups, and private buckets for the writers that need S3. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { blockPublicAccess, encryptBucket } from "./bucket-hardening";
import { logBucketPolicy, type AccountContext, type PolicyDocument } from "./policies";
import { childOptions, physicalNameOf, type Scope } from "./scope";

/** A CloudWatch log group encrypted with a customer key, with a retention. */
export function createLogGroup(
  scope: Scope,
  suffix: string,
  options: { logGroupName: string; retentionDays: number; kmsKeyArn: pulumi.Input<string>; transform?: Transform<aws.cloudwatch.LogGroupArgs> | undefined },
): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    ...transformed(
      `${scope.name}-${suffix}`,
      { name: options.logGroupName, retentionInDays: options.retentionDays, kmsKeyId: options.kmsKeyArn, tags: scope.tags },
      childOptions(scope),
      options.transform,
    ),
  );
}

export interface LogBucketTransforms {
  logBucket?: Transform<aws.s3.BucketArgs>;
  logBucketPublicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
  logBucketOwnershipControls?: Transform<aws.s3.BucketOwnershipControlsArgs>;
  logBucketEncryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
  logBucketVersioning?: Transform<aws.s3.BucketVersioningArgs>;
  logBucketLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
  logBucketPolicy?: Transform<aws.s3.BucketPolicyArgs>;
}

/**
 * A bucket for logs: private, owner-enforced, TLS only (the `policy` given must include
 * `denyInsecureTransport`), expiring after the log retention, with the policy that lets the log writer
 * in (whoever turns logging on must depend on it). SSE-S3 by default, because neither S3 server access
 * logging nor load balancer logs can write to a bucket encrypted with SSE-KMS; `kmsKeyArn` for writers
 * that can (CloudTrail). `versioned` keeps overwritten or deleted logs for 30 days (tamper evidence).
 */
export function createLogBucket(
  scope: Scope,
  options: {
    suffix: string;
    policy: (bucketArn: pulumi.Output<string>) => PolicyDocument;
    retentionDays: number;
    kmsKeyArn?: pulumi.Input<string>;
    versioned?: boolean;
    transforms?: LogBucketTransforms;
  },
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const name = `${scope.name}-${options.suffix}`;
  const t = options.transforms ?? {};
  // Accepted policy findings, with their reasons in every policy report (AWS tag values allow no commas).
  const accepted = {
    "polycloud:suppress:PC-AWS-S3-005": "a log bucket: logging the access to it would write logs about logs",
    ...(options.kmsKeyArn === undefined ? { "polycloud:suppress:PC-AWS-S3-003": "S3 server access logs and load balancer logs cannot be written to an SSE-KMS bucket" } : {}),
  };
  const bucket = new aws.s3.Bucket(
    ...transformed(
      name,
      { bucket: physicalNameOf(scope, "s3Bucket", options.suffix, { unique: true }), forceDestroy: false, tags: { ...scope.tags, ...accepted } },
      childOptions(scope, { stateful: true }),
      t.logBucket,
    ),
  );
  const accessBlock = blockPublicAccess(scope, name, bucket.id, { transforms: { publicAccessBlock: t.logBucketPublicAccessBlock, ownershipControls: t.logBucketOwnershipControls } });
  encryptBucket(scope, name, bucket.id, options.kmsKeyArn, t.logBucketEncryption);
  const versioning = options.versioned
    ? new aws.s3.BucketVersioning(...transformed(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, childOptions(scope), t.logBucketVersioning))
    : undefined;
  new aws.s3.BucketLifecycleConfiguration(
    ...transformed(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: options.retentionDays },
            ...(versioning === undefined ? {} : { noncurrentVersionExpiration: { noncurrentDays: 30 } }),
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      childOptions(scope, { dependsOn: versioning === undefined ? [] : [versioning] }),
      t.logBucketLifecycle,
    ),
  );
  const policy = new aws.s3.BucketPolicy(
    ...transformed(
      `${name}-policy`,
      { bucket: bucket.id, policy: pulumi.jsonStringify(options.policy(bucket.arn)) },
      // S3 rejects a policy while the public access block is being changed.
      childOptions(scope, { dependsOn: [accessBlock] }),
      t.logBucketPolicy,
    ),
  );
  // Writers check their permission when logging is switched on: they must wait for the policy.
  return { bucket, policy };
}

/**
 * The access-log bucket of load balancers: ELB log delivery (the service principal, and the regional ELB
 * account that older regions deliver as) may write. Load balancers must wait for the returned policy.
 */
export function createLoadBalancerLogBucket(
  scope: Scope,
  account: AccountContext,
  retentionDays: number,
  transforms: LogBucketTransforms,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const elbAccountArn = aws.elb.getServiceAccountOutput({}, { parent: scope.parent }).arn;
  return createLogBucket(scope, { suffix: "lb-logs", policy: (arn) => logBucketPolicy(arn, "loadBalancer", account, elbAccountArn), retentionDays, transforms });
}
