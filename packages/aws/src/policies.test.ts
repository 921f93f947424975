import {
  alarmTopicPolicy,
  assumeRolePolicy,
  bucketPolicy,
  cloudTrailBucketPolicy,
  executionRolePolicy,
  ecrRepositoryArn,
  keyPolicy,
  logBucketPolicy,
  bucketAccessPolicy,
  type AccountContext,
} from "./policies";

const account: AccountContext = { partition: "aws", accountId: "123456789012", region: "eu-west-1" };
const bucket = "arn:aws:s3:::shop-assets";

describe("assumeRolePolicy", () => {
  it("limits the service to this account when building a trust policy", () => {
    expect(assumeRolePolicy("ecs-tasks.amazonaws.com", "123456789012")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } },
      ],
    });
  });

  it("has no condition when the service does not send aws:SourceAccount", () => {
    expect(assumeRolePolicy("backup.amazonaws.com").Statement[0]!.Condition).toBeUndefined();
  });
});

describe("keyPolicy", () => {
  it("lets only the account administer the key when no service user is named", () => {
    expect(keyPolicy(account).Statement).toEqual([
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
    ]);
  });

  it("admits CloudWatch Logs for this account's log groups only when logs use the key", () => {
    const logs = keyPolicy(account, ["logs"]).Statement[1]!;
    expect(logs.Principal).toEqual({ Service: "logs.eu-west-1.amazonaws.com" });
    expect(logs.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" } });
  });

  it("admits CloudWatch alarms of this account when alarms publish to encrypted topics", () => {
    const alarms = keyPolicy(account, ["cloudwatchAlarms"]).Statement[1]!;
    expect(alarms).toMatchObject({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
  });

  it("admits EventBridge without a source condition when rules publish to encrypted topics (the topic policy holds it to this account)", () => {
    // The SNS developer guide does not support aws:SourceArn / aws:SourceAccount in the key policy for EventBridge
    // publishing to an encrypted topic: with one, KMS refuses EventBridge and backup-failure alerts are dropped.
    const events = keyPolicy(account, ["events"]).Statement[1]!;
    expect(events).toEqual({ Sid: "EventBridgePublish", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });
    expect(events.Condition).toBeUndefined();
    const topic = alarmTopicPolicy("arn:aws:sns:eu-west-1:123456789012:t", account).Statement.find((s) => s.Sid === "EventBridgePublish");
    expect(topic?.Condition).toEqual({ ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/*" } });
  });

  it("admits CloudTrail for this account's trails only when a trail encrypts with the key", () => {
    const [encrypt, describeKey] = keyPolicy(account, ["cloudtrail"]).Statement.slice(1);
    expect(encrypt).toMatchObject({
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*" } },
    });
    expect(describeKey).toMatchObject({ Action: "kms:DescribeKey", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
  });
});

describe("cloudTrailBucketPolicy", () => {
  it("lets only the named trail check the ACL and write owner-controlled objects under AWSLogs/<account> when building a trail bucket", () => {
    const trail = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/shop-prd-audit";
    const [tls, acl, write] = cloudTrailBucketPolicy(bucket, trail, account).Statement;
    expect(tls!.Sid).toBe("DenyInsecureTransport");
    expect(acl).toMatchObject({ Action: "s3:GetBucketAcl", Resource: bucket, Condition: { StringEquals: { "aws:SourceArn": trail } } });
    expect(write).toMatchObject({
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucket}/AWSLogs/123456789012/*`,
      Condition: { StringEquals: { "aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control" } },
    });
  });
});

describe("bucketPolicy", () => {
  it("denies every request without TLS when the bucket is private", () => {
    expect(bucketPolicy(bucket, false).Statement).toEqual([
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket, `${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": false } } },
    ]);
  });

  it("adds anonymous GetObject on objects only when the bucket is public on purpose", () => {
    expect(bucketPolicy(bucket, true).Statement[1]).toEqual({ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${bucket}/*` });
  });
});

describe("logBucketPolicy", () => {
  it.each([
    ["s3AccessLogs", "logging.s3.amazonaws.com"],
    ["loadBalancer", "logdelivery.elasticloadbalancing.amazonaws.com"],
  ] as const)("lets the %s delivery service put objects from this account when building a log bucket", (writer, service) => {
    const [tls, write] = logBucketPolicy(bucket, writer, account).Statement;
    expect(tls!.Effect).toBe("Deny");
    expect(write).toEqual({
      Sid: "LogDeliveryWrites",
      Effect: "Allow",
      Principal: { Service: service },
      Action: "s3:PutObject",
      Resource: `${bucket}/*`,
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  it("also lets the regional ELB account write this account's logs when building a load balancer log bucket in an older region", () => {
    const elb = "arn:aws:iam::156460612806:root";
    expect(logBucketPolicy(bucket, "loadBalancer", account, elb).Statement[2]).toEqual({
      Sid: "ElbAccountWrites",
      Effect: "Allow",
      Principal: { AWS: elb },
      Action: "s3:PutObject",
      Resource: `${bucket}/*/AWSLogs/123456789012/*`,
    });
    expect(logBucketPolicy(bucket, "s3AccessLogs", account, elb).Statement).toHaveLength(2);
  });
});

describe("executionRolePolicy", () => {
  const logGroupArn = "arn:aws:logs:eu-west-1:123456789012:log-group:/shop/api";

  it("allows writing its own log group and nothing else when the service has no secrets and a public image", () => {
    expect(executionRolePolicy({ logGroupArn, secretArns: [], secretKeyArns: [], account }).Statement).toEqual([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
    ]);
  });

  it("reads exactly the referenced secrets and decrypts only through Secrets Manager when the service has secrets", () => {
    const secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-dev/stripe-key-AbCdEf";
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1";
    const statements = executionRolePolicy({ logGroupArn, secretArns: [secret], secretKeyArns: [key], account }).Statement;
    expect(statements.slice(1)).toEqual([
      { Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [secret] },
      { Sid: "DecryptSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: [key], Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
    ]);
  });

  it("pulls only from the image's repository when the image is in ECR", () => {
    const repository = "arn:aws:ecr:eu-west-1:123456789012:repository/shop/api";
    const statements = executionRolePolicy({ logGroupArn, secretArns: [], secretKeyArns: [], ecrRepositoryArn: repository, account }).Statement;
    expect(statements.find((s) => s.Sid === "EcrPull")!.Resource).toBe(repository);
  });
});

describe("alarmTopicPolicy", () => {
  it("denies publishing without TLS and lets this account's alarms publish when building a topic policy", () => {
    const [tls, alarms] = alarmTopicPolicy("arn:aws:sns:eu-west-1:123456789012:t", account).Statement;
    expect(tls).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });
    expect(alarms).toMatchObject({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish" });
  });

  it("lets this account's EventBridge rules, and not AWS Backup itself, publish when building a topic policy", () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:t";
    const statements = alarmTopicPolicy(topic, account).Statement;
    const events = statements.find((s) => s.Sid === "EventBridgePublish");
    expect(events).toEqual({ Sid: "EventBridgePublish", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topic, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/*" } } });
    expect(statements).not.toContainEqual(expect.objectContaining({ Principal: { Service: "backup.amazonaws.com" } }));
  });
});

describe("bucketAccessPolicy", () => {
  it("grants reads, or reads and writes, on exactly the named buckets and their keys through S3 when given grants", () => {
    const document = bucketAccessPolicy(
      [
        { name: "assets", bucketArn: bucket, access: "read" },
        { name: "user-uploads", bucketArn: "arn:aws:s3:::shop-uploads", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k", access: "readwrite" },
      ],
      "eu-west-1",
    );
    expect(document.Statement).toEqual([
      { Sid: "ListAssets", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
      { Sid: "ReadAssetsObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucket}/*` },
      { Sid: "ListUserUploads", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::shop-uploads" },
      {
        Sid: "ReadWriteUserUploadsObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: "arn:aws:s3:::shop-uploads/*",
      },
      {
        Sid: "UseUserUploadsKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "arn:aws:kms:eu-west-1:123456789012:key/k",
        Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
      },
    ]);
  });
});

describe("ecrRepositoryArn", () => {
  it.each([
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.0", "arn:aws:ecr:eu-west-1:123456789012:repository/shop/api"],
    ["210987654321.dkr.ecr.us-east-2.amazonaws.com/api@sha256:abc", "arn:aws:ecr:us-east-2:210987654321:repository/api"],
    ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/api"],
    ["ghcr.io/acme/shop-api:1.4.2", undefined],
    ["public.ecr.aws/nginx/nginx:1.27", undefined],
  ])("names the repository of %s", (image, arn) => {
    expect(ecrRepositoryArn(image)).toBe(arn);
  });
});
