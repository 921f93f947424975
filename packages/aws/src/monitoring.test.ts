import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Monitoring, type MonitoringArgs, type MonitoredService } from "./monitoring";

const api: MonitoredService = {
  serviceName: "api",
  loadBalancer: { arnSuffix: pulumi.output("app/shop-dev-api/0123456789abcdef") },
  cluster: { name: pulumi.output("shop-dev-api") },
  service: { name: pulumi.output("shop-dev-api") },
};
const monitoring = (overrides: Partial<MonitoringSpec> = {}): MonitoringSpec => ({
  alerts: { critical: [{ email: "oncall@example.com" }, { webhook: "https://hooks.example.com/page" }], warning: [{ slack: "https://hooks.slack.com/services/T/B/X" }], info: [] },
  escalateAfterMinutes: 15,
  dashboard: true,
  ...overrides,
});

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

const run = (extra: Partial<MonitoringArgs> = {}, spec = monitoring()) =>
  runProgram(() => {
    const m = new Monitoring("monitoring", { app: "shop", slo: { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 }, monitoring: spec, services: [api], ...extra });
    return { alertCount: m.alertCount, dashboardUrl: m.dashboardUrl };
  }, { provider: "aws" });

describe("Monitoring", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run();
  }, 60_000);

  it("creates encrypted TLS-only topics per severity, SLO alarms routed by severity and a dashboard when defaults are used", () => {
    const plan = defaults;
    const key = plan.find(aws.kms.Key);
    const topics = plan.resources(aws.sns.Topic);
    expect(topics.map((t) => t.name)).toEqual(["monitoring-critical", "monitoring-warning", "monitoring-info"]);
    for (const topic of topics) expect(topic.inputs.kmsMasterKeyId).toBe(key.id);
    const keyStatements = JSON.parse(key.inputs.policy as string).Statement as { Sid: string; Condition?: unknown }[];
    expect(keyStatements.map((s) => s.Sid)).toEqual(expect.arrayContaining(["CloudWatchAlarmsPublish", "EventBridgePublish"]));
    // The key admits EventBridge without a source condition (unsupported there for encrypted topics)...
    expect(keyStatements.find((s) => s.Sid === "EventBridgePublish")!.Condition).toBeUndefined();
    for (const policy of plan.resources(TOPIC_POLICY)) {
      const statements = JSON.parse(policy.inputs.policy as string).Statement;
      expect(statements[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });
      // ...and each topic lets EventBridge rules of this account (a BackupPlan's failed jobs, through notificationTopicArn) publish.
      expect(statements).toContainEqual(
        expect.objectContaining({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/*" } } }),
      );
    }
    const forwarder = plan.find(aws.lambda.Function);
    expect(plan.resources(SUBSCRIPTION).map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([
      ["email", "oncall@example.com"],
      ["https", "https://hooks.example.com/page"],
      ["lambda", forwarder.outputs.arn],
    ]);

    // 6 burn-rate composites (3 availability, 3 latency) over 12 window alarms, 2 p95, 1 error rate, ECS CPU and
    // memory; the escalations of the 4 warning alarms, and of the 2 slow-burn composites (over their 4 windows' twins).
    plan.resourceCountIs(COMPOSITE, 6 + 2);
    plan.resourceCountIs(ALARM, 17 + 4 + 4);
    expect(plan.outputs.alertCount).toBe(11 + 4 + 2);
    const arnOf = Object.fromEntries(topics.map((t) => [t.name.replace("monitoring-", ""), t.outputs.arn]));
    const fast = plan.find(COMPOSITE, "monitoring-service-api-fast-burn");
    expect(fast.inputs.alarmActions).toEqual([arnOf["critical"]]);
    expect(fast.inputs.alarmRule).toBe(
      `ALARM("${plan.find(ALARM, "monitoring-service-api-fast-burn-long").outputs.name}") AND ALARM("${plan.find(ALARM, "monitoring-service-api-fast-burn-short").outputs.name}")`,
    );
    expect(plan.find(COMPOSITE, "monitoring-service-api-slow-burn").inputs.alarmActions).toEqual([arnOf["warning"]]);
    // A warning that still holds after escalateAfterMinutes pages: its twin notifies the critical topic and names it.
    const slowTwin = plan.find(COMPOSITE, "monitoring-service-api-slow-burn-escalated");
    expect(slowTwin.inputs).toMatchObject({ alarmActions: [arnOf["critical"]], tags: { "polycloud:escalates": "shop-dev-service-api-slow-burn" } });
    expect(slowTwin.inputs.alarmRule).toBe(
      `ALARM("${plan.find(ALARM, "monitoring-service-api-slow-burn-long-escalated").outputs.name}") AND ALARM("${plan.find(ALARM, "monitoring-service-api-slow-burn-short-escalated").outputs.name}")`,
    );
    expect(plan.find(ALARM, "monitoring-service-api-slow-burn-short-escalated").inputs.alarmActions).toBeUndefined();
    expect(plan.find(ALARM, "monitoring-service-api-cpu-escalated").inputs).toMatchObject({
      alarmActions: [arnOf["critical"]],
      evaluationPeriods: 6,
      tags: { severity: "critical", "polycloud:escalates": "shop-dev-service-api-cpu" },
    });
    // The latency SLO burns when too few requests are answered within 200 ms (72% slower: at most 28% within).
    expect(plan.find(COMPOSITE, "monitoring-service-api-latency-fast-burn").inputs.alarmActions).toEqual([arnOf["critical"]]);
    expect(plan.find(ALARM, "monitoring-service-api-latency-fast-burn-short").inputs).toMatchObject({
      metricName: "TargetResponseTime",
      extendedStatistic: "PR(0:0.2)",
      comparisonOperator: "LessThanOrEqualToThreshold",
      threshold: 28,
      period: 300,
      treatMissingData: "notBreaching",
    });
    expect(plan.find(ALARM, "monitoring-service-api-latency-fast-burn-short").inputs.statistic).toBeUndefined();
    const latency = plan.find(ALARM, "monitoring-service-api-latency-p95-critical").inputs;
    expect(latency).toMatchObject({ metricName: "TargetResponseTime", extendedStatistic: "p95", threshold: 0.4, period: 300, alarmActions: [arnOf["critical"]], okActions: [arnOf["critical"]] });
    const cpu = { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: "shop-dev-api", ServiceName: "shop-dev-api" }, threshold: 85 };
    expect(plan.find(ALARM, "monitoring-service-api-cpu").inputs).toMatchObject({ ...cpu, evaluationPeriods: 3, alarmActions: [arnOf["warning"]] });
    // A warning still breaching escalateAfterMinutes (15) later pages through the critical topic.
    expect(plan.find(ALARM, "monitoring-service-api-cpu-escalated").inputs).toMatchObject({ ...cpu, evaluationPeriods: 6, datapointsToAlarm: 6, alarmActions: [arnOf["critical"]], okActions: [arnOf["critical"]] });

    const dashboard = plan.find(DASHBOARD);
    const widgets = JSON.parse(dashboard.inputs.dashboardBody as string).widgets.map((w: { properties: { title: string } }) => w.properties.title);
    expect(widgets).toEqual(["api: requests and 5xx", "api: p95 latency (s)", "api: CPU and memory (%)"]);
    expect(plan.outputs.dashboardUrl).toBe(`https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=${dashboard.inputs.dashboardName}`);
  });

  it("posts Slack routes through a forwarder whose encrypted environment holds the webhooks when Slack routes are given", () => {
    const plan = defaults;
    const forwarder = plan.find("aws:lambda/function:Function");
    const key = plan.find(aws.kms.Key);
    const warning = plan.find(aws.sns.Topic, "monitoring-warning");
    expect(forwarder.inputs).toMatchObject({ runtime: "nodejs20.x", handler: "index.handler", kmsKeyArn: key.outputs.arn });
    expect(forwarder.secretInputs).toContain("environment.variables.SLACK_WEBHOOKS");
    expect(JSON.parse(forwarder.inputs.environment.variables.SLACK_WEBHOOKS)).toEqual({ [warning.outputs.arn!]: ["https://hooks.slack.com/services/T/B/X"] });
    plan.hasResource("aws:lambda/permission:Permission", { principal: "sns.amazonaws.com", sourceArn: warning.outputs.arn, action: "lambda:InvokeFunction" });
    expect(plan.find(aws.cloudwatch.LogGroup).inputs.kmsKeyId).toBe(key.outputs.arn);
    expect(JSON.parse(key.inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid)).toContain("CloudWatchLogsEncrypts");
  });

  it("creates no forwarder when no Slack route is given", async () => {
    const plan = await run({}, monitoring({ alerts: { critical: [{ email: "oncall@example.com" }], warning: [], info: [] } }));
    plan.resourceCountIs(aws.lambda.Function, 0);
  });

  it("routes every alarm to a topic or through a composite that does when built", () => {
    const plan = defaults;
    const topicArns = new Set(plan.resources(aws.sns.Topic).map((t) => t.outputs.arn));
    const members = new Set(plan.resources(COMPOSITE).flatMap((c) => [...(c.inputs.alarmRule as string).matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1])));
    for (const alarm of [...plan.resources(ALARM), ...plan.resources(COMPOSITE)]) {
      const actions = (alarm.inputs.alarmActions ?? []) as string[];
      const routed = actions.length > 0 && actions.every((a) => topicArns.has(a));
      expect(routed || members.has(alarm.outputs.name)).toBe(true);
    }
  });

  it("adds database and cache alarms and widgets, apart from a service of the same name, when a database and cache are given", async () => {
    // The database is named like the service: their alarms must not collide.
    const database = {
      spec: { engine: "postgres", version: "16", majorVersion: 16, size: "small", storageGb: 50, name: "api", highAvailability: false, deletionProtection: false, backup: { retentionDays: 7, window: "03:00-04:00" } },
      instance: { identifier: pulumi.output("shop-dev-database") },
    } as const;
    const plan = await run({ database, cache: { nodeIds: ["shop-dev-cache-001", "shop-dev-cache-002"] } }, monitoring({ escalateAfterMinutes: 30 }));
    plan.hasResource(ALARM, { namespace: "AWS/RDS", metricName: "FreeStorageSpace", comparisonOperator: "LessThanOrEqualToThreshold", threshold: 2_684_354_560, dimensions: { DBInstanceIdentifier: "shop-dev-database" } });
    // Service, database and cache alarms, and escalations of their warnings (4 + CPU, free storage and connections + 2 per node).
    plan.resourceCountIs(ALARM, 17 + 3 + 4 + (4 + 3 + 4) + 4);
    expect(plan.find(ALARM, "monitoring-service-api-cpu").inputs.namespace).toBe("AWS/ECS");
    expect(plan.find(ALARM, "monitoring-database-api-cpu-escalated").inputs).toMatchObject({ metricName: "CPUUtilization", evaluationPeriods: 3 + 6 });
    expect(plan.resources(ALARM).filter((a) => a.inputs.namespace === "AWS/ElastiCache" && !a.name.endsWith("-escalated")).map((a) => a.inputs.dimensions.CacheClusterId)).toEqual([
      "shop-dev-cache-001",
      "shop-dev-cache-001",
      "shop-dev-cache-002",
      "shop-dev-cache-002",
    ]);
    expect(JSON.parse(plan.find(DASHBOARD).inputs.dashboardBody as string).widgets).toHaveLength(6);
  });

  it("routes a service's deployment alarm to the warning topic, and escalates it, when the service has one", async () => {
    const plan = await run({ services: [{ ...api, deploymentAlarm: { name: pulumi.output("shop-dev-api-deployment") } }] });
    const warning = plan.find(aws.sns.Topic, "monitoring-warning").outputs.arn;
    expect(plan.find(COMPOSITE, "monitoring-service-api-deployment-rollback").inputs).toMatchObject({
      alarmRule: 'ALARM("shop-dev-api-deployment")',
      alarmActions: [warning],
      okActions: [warning],
    });
    // The same condition (error ratio at or above the SLO) held 15 minutes longer pages.
    expect(plan.find(ALARM, "monitoring-service-api-deployment-rollback-escalated").inputs).toMatchObject({
      threshold: 0.001,
      evaluationPeriods: 4,
      datapointsToAlarm: 4,
      alarmActions: [plan.find(aws.sns.Topic, "monitoring-critical").outputs.arn],
      tags: { "polycloud:escalates": "shop-dev-service-api-deployment-rollback" },
    });
  });

  it("creates no dashboard and no subscriptions when the dashboard is off and no routes are given", async () => {
    const plan = await run({}, monitoring({ dashboard: false, alerts: { critical: [], warning: [], info: [] } }));
    plan.resourceCountIs(DASHBOARD, 0);
    plan.resourceCountIs(SUBSCRIPTION, 0);
    plan.resourceCountIs(aws.sns.Topic, 3);
    expect(plan.outputs.dashboardUrl).toBeUndefined();
  });
});
