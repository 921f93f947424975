/**
 * Slack incoming webhooks cannot confirm an SNS subscription, so alerts reach Slack through a small
 * Lambda function subscribed to the topics: it formats CloudWatch alarm notifications as Slack
 * messages and posts them to the webhooks of the topic's routes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type Severity, type Transform } from "@polycloud/core";
import { createLogGroup } from "./logs";
import { policy, type AccountContext } from "./policies";
import { createServiceRole, type RoleTransforms } from "./roles";
import { childOptions, logGroupNameOf, type Scope } from "./scope";

/** The forwarder's code: Node.js 20 (global fetch), no dependencies. */
export const SLACK_FORWARDER_CODE = `exports.handler = async (event) => {
  const hooks = JSON.parse(process.env.SLACK_WEBHOOKS);
  for (const record of event.Records) {
    const { TopicArn, Subject, Message } = record.Sns;
    let text;
    try {
      const alarm = JSON.parse(Message);
      text = \`*\${alarm.NewStateValue}* \${alarm.AlarmName}\\n\${alarm.AlarmDescription ?? ""}\\n\${alarm.NewStateReason}\`;
    } catch {
      text = \`*\${Subject ?? "Notification"}*\\n\${Message}\`;
    }
    for (const url of hooks[TopicArn] ?? []) {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
      if (!response.ok) throw new Error(\`Slack answered \${response.status}\`);
    }
  }
};
`;

export interface SlackForwarderTransforms {
  slackRole?: RoleTransforms;
  slackLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  slackFunction?: Transform<aws.lambda.FunctionArgs>;
  slackPermission?: Transform<aws.lambda.PermissionArgs>;
  subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
}

/**
 * The forwarder function (environment encrypted with `key`, since webhook URLs are credentials), its
 * role and log group, and one subscription per topic that has Slack routes.
 */
export function createSlackForwarder(
  scope: Scope,
  options: {
    webhooks: Partial<Record<Severity, readonly string[]>>;
    topics: Readonly<Record<Severity, aws.sns.Topic>>;
    key: aws.kms.Key;
    account: AccountContext;
    retentionDays: number;
    transforms: SlackForwarderTransforms;
  },
): aws.lambda.Function {
  const t = options.transforms;
  const severities = (Object.keys(options.webhooks) as Severity[]).filter((s) => (options.webhooks[s] ?? []).length > 0);
  const logGroup = createLogGroup(scope, "slack-logs", {
    logGroupName: logGroupNameOf(scope, "slack-forwarder"),
    retentionDays: options.retentionDays,
    kmsKeyArn: options.key.arn,
    ...(t.slackLogGroup === undefined ? {} : { transform: t.slackLogGroup }),
  });
  const role = createServiceRole(scope, "slack-role", {
    service: "lambda.amazonaws.com",
    account: options.account,
    policy: policy(
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
      { Sid: "DecryptEnvironment", Effect: "Allow", Action: "kms:Decrypt", Resource: options.key.arn },
    ),
    ...(t.slackRole === undefined ? {} : { transforms: t.slackRole }),
  });
  const hooksByTopic = pulumi
    .all(severities.map((s) => options.topics[s].arn))
    .apply((arns) => JSON.stringify(Object.fromEntries(arns.map((arn, i) => [arn, options.webhooks[severities[i]!]]))));
  const name = `${scope.name}-slack`;
  const fn = new aws.lambda.Function(
    ...transformed(
      name,
      {
        description: "Posts CloudWatch alarm notifications to Slack",
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(SLACK_FORWARDER_CODE) }),
        role: role.arn,
        timeout: 15,
        memorySize: 128,
        kmsKeyArn: options.key.arn,
        environment: { variables: { SLACK_WEBHOOKS: pulumi.secret(hooksByTopic) } },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags: scope.tags,
      },
      childOptions(scope),
      t.slackFunction,
    ),
  );
  for (const severity of severities) {
    const topic = options.topics[severity];
    const permission = new aws.lambda.Permission(
      ...transformed(
        `${name}-from-${severity}`,
        { function: fn.name, action: "lambda:InvokeFunction", principal: "sns.amazonaws.com", sourceArn: topic.arn },
        childOptions(scope),
        t.slackPermission,
      ),
    );
    new aws.sns.TopicSubscription(
      ...transformed(
        `${name}-${severity}`,
        { topic: topic.arn, protocol: "lambda", endpoint: fn.arn },
        childOptions(scope, { dependsOn: [permission] }),
        t.subscription,
      ),
    );
  }
  return fn;
}
