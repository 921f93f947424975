/**
 * IAM and resource policy documents, as plain objects: the least-privilege rules of every component in
 * one place, table-tested without mocks. Values may be Pulumi Inputs (ARNs of resources being created);
 * components serialise a document with `pulumi.jsonStringify`.
 */
import * as pulumi from "@pulumi/pulumi";

type Value = pulumi.Input<string>;
type Values = Value | readonly Value[];

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly Service?: Values; readonly AWS?: Values };
  readonly Action: Values;
  readonly Resource?: Values;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, Values | boolean>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Statement[];
}

/** Where a policy applies: the partition, account and region the stack deploys to. */
export interface AccountContext {
  readonly partition: Value;
  readonly accountId: Value;
  readonly region: Value;
}

export const policy = (...statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * Trust policy for an AWS service role. `aws:SourceAccount` stops another account's use of the same
 * service from assuming the role (the confused-deputy problem); it is left out without `accountId`, for
 * the services that do not send it when they assume a role.
 */
export function assumeRolePolicy(service: string, accountId?: Value): PolicyDocument {
  return policy({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(accountId === undefined ? {} : { Condition: { StringEquals: { "aws:SourceAccount": accountId } } }),
  });
}

/** Who may use a customer-managed KMS key besides the account's IAM policies. */
export const KeyUser = { logs: "logs", cloudwatchAlarms: "cloudwatchAlarms", events: "events", cloudtrail: "cloudtrail" } as const;
export type KeyUser = (typeof KeyUser)[keyof typeof KeyUser];

/**
 * The services that publish to alert topics: CloudWatch alarms, and EventBridge rules (a `BackupPlan`'s
 * failed jobs). Each is held to this account (the confused deputy) on the topic policy by the condition its
 * documentation names: `aws:SourceAccount` for CloudWatch, the source rule's ARN for EventBridge. In the
 * topic key's policy EventBridge gets no condition: the SNS developer guide (encrypted topics, event
 * sources) does not support source conditions there for EventBridge, and with one the key refuses
 * EventBridge and its events are dropped. The topic policy still limits who may publish.
 */
const TOPIC_PUBLISHERS = [
  {
    user: "cloudwatchAlarms",
    sid: "CloudWatchAlarmsPublish",
    service: "cloudwatch.amazonaws.com",
    condition: (account: AccountContext) => ({ StringEquals: { "aws:SourceAccount": account.accountId } }),
    conditionInKeyPolicy: true,
  },
  {
    user: "events",
    sid: "EventBridgePublish",
    service: "events.amazonaws.com",
    condition: (account: AccountContext) => ({
      ArnLike: { "aws:SourceArn": interpolate`arn:${account.partition}:events:${account.region}:${account.accountId}:rule/*` },
    }),
    conditionInKeyPolicy: false,
  },
] as const satisfies readonly { user: KeyUser; sid: string; service: string; condition: (account: AccountContext) => object; conditionInKeyPolicy: boolean }[];

/** A topic publisher's statement without its action and resource, which differ between topic and key policy. */
function publisherStatement(publisher: (typeof TOPIC_PUBLISHERS)[number], account: AccountContext, where: "topic" | "key") {
  const condition = where === "topic" || publisher.conditionInKeyPolicy ? { Condition: publisher.condition(account) } : {};
  return { Sid: publisher.sid, Effect: "Allow", Principal: { Service: publisher.service }, ...condition } as const;
}

/**
 * Key policy: the account administers the key through IAM (the AWS default, without which the key can be
 * locked out), plus the service principals that cannot use IAM grants. Services that use grants (RDS,
 * ElastiCache, Secrets Manager, S3) need nothing here.
 */
export function keyPolicy(account: AccountContext, users: readonly KeyUser[] = []): PolicyDocument {
  const root = { AWS: interpolate`arn:${account.partition}:iam::${account.accountId}:root` };
  const statements: Statement[] = [{ Sid: "AccountAdministers", Effect: "Allow", Principal: root, Action: "kms:*", Resource: "*" }];
  if (users.includes("logs")) {
    statements.push({
      Sid: "CloudWatchLogsEncrypts",
      Effect: "Allow",
      Principal: { Service: interpolate`logs.${account.region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": interpolate`arn:${account.partition}:logs:${account.region}:${account.accountId}:log-group:*` },
      },
    });
  }
  // Services publish to encrypted SNS topics only when they may use the topic's key.
  for (const publisher of TOPIC_PUBLISHERS.filter((p) => users.includes(p.user))) {
    statements.push({ ...publisherStatement(publisher, account, "key"), Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });
  }
  if (users.includes("cloudtrail")) {
    // CloudTrail encrypts log files with the key; the encryption context names the trail, limited to this account's trails.
    const trails = interpolate`arn:${account.partition}:cloudtrail:*:${account.accountId}:trail/*`;
    statements.push(
      {
        Sid: "CloudTrailEncrypts",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account.accountId }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": trails } },
      },
      {
        Sid: "CloudTrailDescribes",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:DescribeKey",
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
      },
    );
  }
  return policy(...statements);
}

/** Denies any request to the bucket that does not use TLS (AWS Config rule s3-bucket-ssl-requests-only). */
export function denyInsecureTransport(resourceArn: Value, action = "s3:*"): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: [resourceArn, interpolate`${resourceArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": false } },
  };
}

/** Who writes into a log bucket. */
export const LogWriter = { s3AccessLogs: "s3AccessLogs", loadBalancer: "loadBalancer" } as const;
export type LogWriter = (typeof LogWriter)[keyof typeof LogWriter];

/**
 * Bucket policy of a log bucket: TLS only, and the log delivery service may put objects, from this
 * account only. Load balancer logs also need `elbAccountArn`, the regional ELB account
 * (`aws.elb.getServiceAccount`): regions opened before August 2022 (us-east-1, eu-west-1, ...) deliver
 * ALB logs as that account, newer ones as the `logdelivery.elasticloadbalancing` service.
 */
export function logBucketPolicy(bucketArn: Value, writer: LogWriter, account: AccountContext, elbAccountArn?: Value): PolicyDocument {
  const service = writer === "s3AccessLogs" ? "logging.s3.amazonaws.com" : "logdelivery.elasticloadbalancing.amazonaws.com";
  const statements: Statement[] = [
    denyInsecureTransport(bucketArn),
    {
      Sid: "LogDeliveryWrites",
      Effect: "Allow",
      Principal: { Service: service },
      Action: "s3:PutObject",
      Resource: interpolate`${bucketArn}/*`,
      Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
    },
  ];
  if (writer === "loadBalancer" && elbAccountArn !== undefined) {
    // The ELB account sends no aws:SourceAccount; the key prefix limits it to this account's logs.
    statements.push({
      Sid: "ElbAccountWrites",
      Effect: "Allow",
      Principal: { AWS: elbAccountArn },
      Action: "s3:PutObject",
      Resource: interpolate`${bucketArn}/*/AWSLogs/${account.accountId}/*`,
    });
  }
  return policy(...statements);
}

/**
 * The bucket policy of a CloudTrail trail's bucket: TLS only; CloudTrail may read the bucket ACL and put
 * log files under `AWSLogs/<account>/`, owned by the bucket owner, for this one trail only (`aws:SourceArn`).
 */
export function cloudTrailBucketPolicy(bucketArn: Value, trailArn: Value, account: AccountContext): PolicyDocument {
  const cloudtrail = { Service: "cloudtrail.amazonaws.com" };
  const thisTrail = { "aws:SourceArn": trailArn };
  return policy(
    denyInsecureTransport(bucketArn),
    { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: cloudtrail, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: { StringEquals: thisTrail } },
    {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: cloudtrail,
      Action: "s3:PutObject",
      Resource: interpolate`${bucketArn}/AWSLogs/${account.accountId}/*`,
      Condition: { StringEquals: { ...thisTrail, "s3:x-amz-acl": "bucket-owner-full-control" } },
    },
  );
}

/** A data bucket's policy: TLS only, and anonymous `s3:GetObject` only when the bucket is public on purpose. */
export function bucketPolicy(bucketArn: Value, publicRead: boolean): PolicyDocument {
  const statements: Statement[] = [denyInsecureTransport(bucketArn)];
  if (publicRead) {
    statements.push({ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: interpolate`${bucketArn}/*` });
  }
  return policy(...statements);
}

/** What a Fargate task's execution role may do: write its logs, pull its image, read its secrets (and registry credentials). */
export interface ExecutionRoleNeeds {
  readonly logGroupArn: Value;
  /** Secrets Manager ARNs the container reads at start (without `:json-key::` suffixes). */
  readonly secretArns: readonly Value[];
  /** KMS keys that encrypt those secrets. */
  readonly secretKeyArns: readonly Value[];
  /** The ECR repository of the image (see {@link ecrRepositoryArn}), when the image is in ECR. */
  readonly ecrRepositoryArn?: string;
  readonly account: AccountContext;
}

export function executionRolePolicy(needs: ExecutionRoleNeeds): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: interpolate`${needs.logGroupArn}:*`,
    },
  ];
  statements.push(...readSecretsStatements(needs.secretArns, needs.secretKeyArns, needs.account.region));
  if (needs.ecrRepositoryArn !== undefined) {
    // GetAuthorizationToken has no resource-level permission; the pulls are limited to the image's repository.
    statements.push(
      { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: needs.ecrRepositoryArn },
    );
  }
  return policy(...statements);
}

/**
 * Reading secrets: `GetSecretValue` on exactly these secrets, and `kms:Decrypt` on their keys only when
 * Secrets Manager is the caller (so the key cannot decrypt anything else for this principal).
 */
export function readSecretsStatements(secretArns: readonly Value[], keyArns: readonly Value[], region: Value): Statement[] {
  const statements: Statement[] = [];
  if (secretArns.length > 0) {
    statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns });
  }
  if (keyArns.length > 0) {
    statements.push({
      Sid: "DecryptSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArns,
      Condition: { StringEquals: { "kms:ViaService": interpolate`secretsmanager.${region}.amazonaws.com` } },
    });
  }
  return statements;
}

/** Object actions by bucket access: what `read` and `readwrite` mean on S3. */
export const BUCKET_OBJECT_ACTIONS = {
  read: ["s3:GetObject"],
  readwrite: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
} as const;

/** KMS actions on a bucket's key by access: decrypt to read, generate data keys to write. */
export const BUCKET_KEY_ACTIONS = { read: ["kms:Decrypt"], readwrite: ["kms:Decrypt", "kms:GenerateDataKey"] } as const;

/** One bucket an application role may use. */
export interface BucketAccessGrant {
  /** A short name (the spec's bucket name): it names the statements. */
  readonly name: string;
  readonly bucketArn: Value;
  /** The key its objects are encrypted with, when not SSE-S3. */
  readonly kmsKeyArn?: Value | undefined;
  readonly access: "read" | "readwrite";
}

/**
 * An application role's bucket access: per bucket, `s3:ListBucket` on the bucket, the objects actions of
 * its access on its objects ({@link BUCKET_OBJECT_ACTIONS}), and its key's actions
 * ({@link BUCKET_KEY_ACTIONS}) only when S3 is the caller, so the key serves nothing else.
 */
export function bucketAccessPolicy(grants: readonly BucketAccessGrant[], region: Value): PolicyDocument {
  return policy(
    ...grants.flatMap((grant): Statement[] => {
      // Statement ids are alphanumeric: `user-uploads` -> `UserUploads`.
      const sid = grant.name.split(/[^A-Za-z0-9]+/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
      return [
        { Sid: `List${sid}`, Effect: "Allow", Action: "s3:ListBucket", Resource: grant.bucketArn },
        { Sid: `${grant.access === "read" ? "Read" : "ReadWrite"}${sid}Objects`, Effect: "Allow", Action: [...BUCKET_OBJECT_ACTIONS[grant.access]], Resource: interpolate`${grant.bucketArn}/*` },
        ...(grant.kmsKeyArn === undefined
          ? []
          : [
              {
                Sid: `Use${sid}Key`,
                Effect: "Allow",
                Action: [...BUCKET_KEY_ACTIONS[grant.access]],
                Resource: grant.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": interpolate`s3.${region}.amazonaws.com` } },
              } as const,
            ]),
      ];
    }),
  );
}

/** A log delivery role (VPC flow logs, CloudTrail): write to its one log group. */
export function writeLogGroupPolicy(logGroupArn: Value): PolicyDocument {
  return policy({
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
    Resource: [logGroupArn, interpolate`${logGroupArn}:*`],
  });
}

/** An alert topic's policy: TLS only, and CloudWatch alarms and EventBridge rules of this account may publish. */
export function alarmTopicPolicy(topicArn: Value, account: AccountContext): PolicyDocument {
  return policy(
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": false } } },
    ...TOPIC_PUBLISHERS.map((publisher) => ({ ...publisherStatement(publisher, account, "topic"), Action: "sns:Publish", Resource: topicArn })),
  );
}

/**
 * The ARN of the ECR repository an image reference points at (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>[:tag|@digest]`),
 * from the image's own account and region (it may be another account's, shared by its repository policy);
 * undefined for any other registry.
 */
export function ecrRepositoryArn(image: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/.exec(image);
  if (match === null) return undefined;
  const [, account, region, china, repository] = match;
  return `arn:${china === undefined ? "aws" : "aws-cn"}:ecr:${region}:${account}:repository/${repository}`;
}

/**
 * Template interpolation that stays a plain string when every part is one (so documents of plain
 * values are plain and table tests compare them directly), and a Pulumi Output otherwise.
 */
export function interpolate(strings: TemplateStringsArray, ...values: Value[]): Value {
  if (values.every((v) => typeof v === "string")) return strings.reduce((out, s, i) => out + (values[i - 1] as string) + s);
  return pulumi.interpolate(strings, ...values);
}
