import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, transformed, type BucketArgs as CoreBucketArgs, type BucketOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { blockPublicAccess, encryptBucket } from "./bucket-hardening";
import { createKey, type KeyTransforms } from "./keys";
import { createLogBucket, type LogBucketTransforms } from "./logs";
import { bucketPolicy, logBucketPolicy } from "./policies";
import { accountContext, childOptions, scopeOf } from "./scope";

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
export class Bucket extends PolycloudComponent implements BucketOutputs {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The key objects are encrypted with, when this component created one. */
  readonly kmsKey?: aws.kms.Key;
  /** ARN of the key objects are encrypted with (`kmsKeyArn`, or the created key); none for SSE-S3. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** The bucket receiving access logs, when this component created one. */
  readonly logBucket?: aws.s3.Bucket;

  constructor(name: string, args: BucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Bucket", name, args, opts);
    const scope = scopeOf(this, "bucket", name);
    const t = args.transform ?? {};
    const spec = args.bucket;
    const account = accountContext(this);

    this.bucket = new aws.s3.Bucket(
      ...transformed(
        name,
        {
          bucket: physicalName("aws", "s3Bucket", { app: scope.app, environment: scope.environment, name: spec.name }, { uniqueSeed: scope.uniqueSeed }),
          forceDestroy: false,
          tags: scope.tags,
        },
        childOptions(scope, { stateful: true }),
        t.bucket,
      ),
    );
    const bucketId = this.bucket.id;
    const accessBlock = blockPublicAccess(scope, name, bucketId, { publicRead: spec.publicRead, transforms: t });

    if (args.kmsKeyArn === undefined && !spec.publicRead) {
      this.kmsKey = createKey(scope, "key", { description: `Objects of bucket ${spec.name}`, account, transforms: t });
    }
    const kmsKeyArn = args.kmsKeyArn ?? this.kmsKey?.arn;
    if (kmsKeyArn !== undefined) this.kmsKeyArn = kmsKeyArn;
    encryptBucket(scope, name, bucketId, kmsKeyArn, t.encryption);
    const versioning = new aws.s3.BucketVersioning(
      ...transformed(
        `${name}-versioning`,
        { bucket: bucketId, versioningConfiguration: { status: spec.versioning ? "Enabled" : "Suspended" } },
        childOptions(scope),
        t.versioning,
      ),
    );
    new aws.s3.BucketLifecycleConfiguration(
      ...transformed(
        `${name}-lifecycle`,
        { bucket: bucketId, rules: lifecycleRules(spec.lifecycle) },
        // Rules on noncurrent versions need versioning configured first.
        childOptions(scope, { dependsOn: [versioning] }),
        t.lifecycle,
      ),
    );

    const logs =
      args.accessLogBucket === undefined
        ? createLogBucket(scope, {
            suffix: "access-logs",
            policy: (arn) => logBucketPolicy(arn, "s3AccessLogs", account),
            retentionDays: scope.logRetentionDays,
            transforms: t,
          })
        : undefined;
    if (logs !== undefined) this.logBucket = logs.bucket;
    new aws.s3.BucketLogging(
      ...transformed(
        `${name}-logging`,
        { bucket: bucketId, targetBucket: logs?.bucket.id ?? args.accessLogBucket!, targetPrefix: `${spec.name}/` },
        childOptions(scope, { dependsOn: logs === undefined ? [] : [logs.policy] }),
        t.logging,
      ),
    );
    new aws.s3.BucketPolicy(
      ...transformed(
        `${name}-policy`,
        { bucket: bucketId, policy: pulumi.jsonStringify(bucketPolicy(this.bucket.arn, spec.publicRead)) },
        // A public-read policy is rejected until the public access block allows it.
        childOptions(scope, { dependsOn: [accessBlock] }),
        t.policy,
      ),
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
