import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, PRESETS, transform, type BucketArgs as CoreBucketArgs, type BucketOutputs, type Transform } from "@polycloud/core";
import { accountContext, childOptions, createKey, createLogBucket, scopeOf, type KeyTransforms, type LogBucketTransforms } from "./helpers";
import { bucketPolicy, logBucketPolicy } from "./policies";

export interface BucketArgs extends CoreBucketArgs {
  /**
   * Name of an existing bucket to receive this bucket's server access logs (it must allow
   * `logging.s3.amazonaws.com` to write). Saves one log bucket per data bucket.
   * @default - a log bucket is created for this bucket
   */
  readonly accessLogBucket?: pulumi.Input<string>;
  /**
   * ARN of a KMS key to encrypt objects with.
   * @default - a customer-managed key with rotation is created (SSE-S3 when `publicRead`, since anonymous readers cannot use a KMS key)
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    LogBucketTransforms & {
      bucket?: Transform<aws.s3.BucketArgs>;
      publicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
      ownershipControls?: Transform<aws.s3.BucketOwnershipControlsArgs>;
      encryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
      versioning?: Transform<aws.s3.BucketVersioningArgs>;
      lifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
      logging?: Transform<aws.s3.BucketLoggingArgs>;
      policy?: Transform<aws.s3.BucketPolicyArgs>;
    };
}

/**
 * An S3 bucket that is private, owner-enforced (ACLs disabled), encrypted with a customer KMS key,
 * versioned, TLS-only, with lifecycle rules and server access logging. In production it is protected
 * from deletion (Pulumi `protect`, and no `forceDestroy`).
 *
 * `publicRead: true` is the one audited opt-out: the public access block then allows a bucket policy
 * granting anonymous `s3:GetObject`, and objects use SSE-S3.
 *
 * @example
 * const assets = new Bucket("assets", { app: "shop", bucket: spec.buckets[0] });
 */
export class Bucket extends pulumi.ComponentResource implements BucketOutputs {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The key objects are encrypted with, when this component created one. */
  readonly kmsKey?: aws.kms.Key;
  /** The bucket receiving access logs, when this component created one. */
  readonly logBucket?: aws.s3.Bucket;

  constructor(name: string, args: BucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("polycloud:aws:Bucket", name, {}, opts);
    const scope = scopeOf(this, "bucket", name, args);
    const t = args.transform ?? {};
    const spec = args.bucket;
    const account = accountContext(this);
    const o = (stateful = false) => childOptions(scope, stateful);

    this.bucket = new aws.s3.Bucket(
      name,
      transform(
        {
          bucket: physicalName("aws", "s3Bucket", { app: scope.app, environment: scope.environment, name: spec.name }, { uniqueSeed: scope.uniqueSeed }),
          forceDestroy: false,
          tags: scope.tags,
        },
        name,
        t.bucket,
      ),
      o(true),
    );
    const bucketId = this.bucket.id;
    const accessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      transform(
        {
          bucket: bucketId,
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: !spec.publicRead,
          restrictPublicBuckets: !spec.publicRead,
        },
        `${name}-public-access`,
        t.publicAccessBlock,
      ),
      o(),
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      transform({ bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, `${name}-ownership`, t.ownershipControls),
      o(),
    );

    if (args.kmsKeyArn === undefined && !spec.publicRead) {
      this.kmsKey = createKey(scope, "key", { description: `Objects of bucket ${spec.name}`, account, transforms: t });
    }
    const kmsKeyArn = args.kmsKeyArn ?? this.kmsKey?.arn;
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      transform(
        {
          bucket: bucketId,
          rules: [
            kmsKeyArn === undefined
              ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
              : // A bucket key cuts KMS requests (and their cost) by up to 99%.
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true },
          ],
        },
        `${name}-encryption`,
        t.encryption,
      ),
      o(),
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      transform(
        { bucket: bucketId, versioningConfiguration: { status: spec.versioning ? "Enabled" : "Suspended" } },
        `${name}-versioning`,
        t.versioning,
      ),
      o(),
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      transform({ bucket: bucketId, rules: lifecycleRules(spec.lifecycle) }, `${name}-lifecycle`, t.lifecycle),
      // Rules on noncurrent versions need versioning configured first.
      childOptions(scope, false, { dependsOn: [versioning] }),
    );

    const logs =
      args.accessLogBucket === undefined
        ? createLogBucket(scope, {
            suffix: "access-logs",
            policy: (arn) => logBucketPolicy(arn, "s3AccessLogs", account),
            retentionDays: args.logRetentionDays ?? PRESETS[scope.environment].logRetentionDays,
            transforms: t,
          })
        : undefined;
    if (logs !== undefined) this.logBucket = logs.bucket;
    new aws.s3.BucketLogging(
      `${name}-logging`,
      transform({ bucket: bucketId, targetBucket: logs?.bucket.id ?? args.accessLogBucket!, targetPrefix: `${spec.name}/` }, `${name}-logging`, t.logging),
      childOptions(scope, false, { dependsOn: logs === undefined ? [] : [logs.policy] }),
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      transform({ bucket: bucketId, policy: pulumi.jsonStringify(bucketPolicy(this.bucket.arn, spec.publicRead)) }, `${name}-policy`, t.policy),
      // A public-read policy is rejected until the public access block allows it.
      childOptions(scope, false, { dependsOn: [accessBlock] }),
    );

    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}

/**
 * Lifecycle rules from the spec, plus one that always applies: incomplete multipart uploads are
 * aborted after 7 days (they are billed but invisible in listings).
 */
export function lifecycleRules(lifecycle: CoreBucketArgs["bucket"]["lifecycle"]): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
    { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
  ];
  if (lifecycle.expireNoncurrentAfterDays !== undefined) {
    rules.push({ id: "expire-noncurrent", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: lifecycle.expireNoncurrentAfterDays } });
  }
  if (lifecycle.expireAfterDays !== undefined) {
    rules.push({ id: "expire", status: "Enabled", filter: {}, expiration: { days: lifecycle.expireAfterDays } });
  }
  if (lifecycle.transitionToInfrequentAccessAfterDays !== undefined) {
    rules.push({
      id: "infrequent-access",
      status: "Enabled",
      filter: {},
      transitions: [{ days: lifecycle.transitionToInfrequentAccessAfterDays, storageClass: "STANDARD_IA" }],
    });
  }
  return rules;
}
