import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type CommonArgs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createKey, type KeyTransforms } from "./keys";
import { createLogBucket, createLogGroup, type LogBucketTransforms } from "./logs";
import { cloudTrailBucketPolicy, logBucketPolicy, writeLogGroupPolicy } from "./policies";
import { createServiceRole, type RoleTransforms } from "./roles";
import { accountContext, childOptions, logGroupNameOf, physicalNameOf, scopeOf } from "./scope";

export interface AuditTrailArgs extends CommonArgs {
  /** Retention of the trail's log files and of its CloudWatch log group, in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
  /**
   * ARNs of S3 buckets whose object-level operations (reads and writes: data events) are recorded too.
   * Data events are billed per event.
   * @default [] - management events only
   */
  readonly dataEventBuckets?: readonly pulumi.Input<string>[];
  /**
   * Name of an existing bucket for the trail bucket's server access logs (it must let
   * `logging.s3.amazonaws.com` write).
   * @default - an access-log bucket is created
   */
  readonly accessLogBucket?: pulumi.Input<string>;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms & {
    trailBucket?: LogBucketTransforms;
    accessLogs?: LogBucketTransforms;
    accessLogging?: Transform<aws.s3.BucketLoggingArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    role?: RoleTransforms;
    trail?: Transform<aws.cloudtrail.TrailArgs>;
  };
}

/**
 * An audit trail of everything done in the account: a multi-region CloudTrail trail with global service
 * events and log file validation (tampering shows in the digest files), encrypted with a customer KMS key,
 * delivered to a dedicated bucket and to a CloudWatch log group (for metric filters and queries), both kept
 * for the log retention, plus S3 data events of the given buckets.
 *
 * The bucket is private (all four public access blocks, ACLs disabled), TLS-only, versioned (overwritten
 * or deleted log files stay 30 days), server-access-logged, and lets only this trail write, under
 * `AWSLogs/<account>/` (`aws:SourceArn`). In production it is protected, as is the key.
 *
 * The first trail's management events are free in each region; a second trail in an account that already
 * has an organization trail pays for its copy.
 *
 * @example
 * new AuditTrail("shop", { app: "shop", environment: "production", dataEventBuckets: [assets.arn] });
 */
export class AuditTrail extends PolycloudComponent {
  readonly trail: aws.cloudtrail.Trail;
  readonly bucket: aws.s3.Bucket;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly key: aws.kms.Key;

  constructor(name: string, args: AuditTrailArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "AuditTrail", name, args, opts);
    const scope = scopeOf(this, "audit", name);
    const t = args.transform ?? {};
    const account = accountContext(this);
    const retentionDays = scope.logRetentionDays;
    // Known before the trail exists: the bucket policy names it.
    const trailName = physicalNameOf(scope, "cloudtrail");
    const trailArn = pulumi.interpolate`arn:${account.partition}:cloudtrail:${account.region}:${account.accountId}:trail/${trailName}`;

    this.key = createKey(scope, "key", { description: `Audit trail of ${scope.app} (${scope.environment})`, account, users: ["cloudtrail", "logs"], transforms: t });
    const logs = createLogBucket(scope, {
      suffix: "trail",
      policy: (arn) => cloudTrailBucketPolicy(arn, trailArn, account),
      retentionDays,
      kmsKeyArn: this.key.arn,
      versioned: true,
      transforms: t.trailBucket ?? {},
    });
    this.bucket = logs.bucket;
    const accessLogs =
      args.accessLogBucket === undefined
        ? createLogBucket(scope, { suffix: "access-logs", policy: (arn) => logBucketPolicy(arn, "s3AccessLogs", account), retentionDays, transforms: t.accessLogs ?? {} })
        : undefined;
    new aws.s3.BucketLogging(
      ...transformed(
        `${name}-trail-logging`,
        { bucket: this.bucket.id, targetBucket: accessLogs?.bucket.id ?? args.accessLogBucket!, targetPrefix: "trail/" },
        childOptions(scope, { dependsOn: accessLogs === undefined ? [] : [accessLogs.policy] }),
        t.accessLogging,
      ),
    );

    this.logGroup = createLogGroup(scope, "logs", {
      logGroupName: logGroupNameOf(scope, "cloudtrail"),
      retentionDays,
      kmsKeyArn: this.key.arn,
      ...(t.logGroup === undefined ? {} : { transform: t.logGroup }),
    });
    const role = createServiceRole(scope, "logs-role", {
      service: "cloudtrail.amazonaws.com",
      account,
      policy: writeLogGroupPolicy(this.logGroup.arn),
      // CloudTrail does not send aws:SourceAccount when it assumes the role: the condition locks it out.
      sourceAccountCondition: false,
      ...(t.role === undefined ? {} : { transforms: t.role }),
    });

    const buckets = args.dataEventBuckets ?? [];
    this.trail = new aws.cloudtrail.Trail(
      ...transformed(
        name,
        {
          name: trailName,
          s3BucketName: this.bucket.id,
          isMultiRegionTrail: true,
          includeGlobalServiceEvents: true,
          enableLogFileValidation: true,
          kmsKeyId: this.key.arn,
          cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
          // Resolves once the role may write: CloudTrail checks when the trail is created.
          cloudWatchLogsRoleArn: role.arn,
          advancedEventSelectors: [
            { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
            ...(buckets.length === 0
              ? []
              : [
                  {
                    name: "S3 data events of the application's buckets",
                    fieldSelectors: [
                      { field: "eventCategory", equals: ["Data"] },
                      { field: "resources.type", equals: ["AWS::S3::Object"] },
                      { field: "resources.ARN", startsWiths: buckets.map((arn) => pulumi.interpolate`${arn}/`) },
                    ],
                  },
                ]),
          ],
          tags: scope.tags,
        },
        // CloudTrail checks that it may write to the bucket when the trail is created.
        childOptions(scope, { dependsOn: [logs.policy] }),
        t.trail,
      ),
    );
    this.registerOutputs({ trailArn: this.trail.arn, bucketName: this.bucket.bucket, logGroupName: this.logGroup.name });
  }
}
