import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  physicalName,
  PRESETS,
  transform,
  type AlertRoute,
  type MonitoringArgs as CoreMonitoringArgs,
  type MonitoringOutputs,
  type Severity,
  type Transform,
} from "@polycloud/core";
import { cacheAlarms, databaseAlarms, escalationAlarms, serviceAlarms, type AlarmSet, type AlarmSpec } from "./alarms";
import type { Cache } from "./cache";
import type { Database } from "./database";
import { accountContext, childOptions, createKey, physicalNameOf, scopeOf, type KeyTransforms, type Scope } from "./helpers";
import { createSlackForwarder, type SlackForwarderTransforms } from "./slack-forwarder";
import { alarmTopicPolicy } from "./policies";

export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

/** What monitoring reads from a service: a {@link WebService}, or anything with the same metric dimensions. */
export interface MonitoredService {
  readonly serviceName: string;
  readonly loadBalancer: Pick<aws.lb.LoadBalancer, "arnSuffix">;
  readonly cluster: { readonly name: pulumi.Input<string> };
  readonly service: Pick<aws.ecs.Service, "name">;
  /** The alarm that rolls the service's deployments back (a {@link WebService}'s): routed as a warning. */
  readonly deploymentAlarm?: Pick<aws.cloudwatch.MetricAlarm, "name">;
}

/** What monitoring reads from a database: a {@link Database}, or its spec and instance identifier. */
export interface MonitoredDatabase {
  readonly spec: Database["spec"];
  readonly instance: Pick<aws.rds.Instance, "identifier">;
}

export interface MonitoringArgs extends CoreMonitoringArgs<MonitoredService, MonitoredDatabase, Pick<Cache, "nodeIds">> {
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    SlackForwarderTransforms & {
    topic?: Transform<aws.sns.TopicArgs>;
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    compositeAlarm?: Transform<aws.cloudwatch.CompositeAlarmArgs>;
    dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
  };
}

/**
 * Alerting and a dashboard for a whole application: one KMS-encrypted, TLS-only SNS topic per
 * severity (critical, warning, info) subscribed to the spec's routes, to which this account's alarms
 * and EventBridge rules (a `BackupPlan`'s failed jobs, through `notificationTopicArn`) may publish; CloudWatch alarms derived from
 * the SLO (multi-window burn-rate alarms on the load balancers' error ratio and on the share of slow
 * requests, p95 latency, error rate)
 * and from capacity (ECS CPU and memory, RDS CPU, storage and connections, Redis memory and CPU),
 * each notifying its severity's topic on ALARM and OK; and a CloudWatch dashboard.
 *
 * `monitoring.escalateAfterMinutes`: every warning alarm that notifies by itself gets a critical twin on
 * the same metric that fires when the breach has lasted that much longer (see `escalationAlarms`), so a
 * warning nobody fixed pages through the critical topic.
 *
 * Email routes are email subscriptions and webhook routes HTTPS subscriptions (each receiver confirms
 * its subscription once). Slack incoming webhooks cannot confirm one, so Slack routes go through a
 * small Lambda function that posts each notification to the webhooks (created only when there are
 * Slack routes; its environment, which holds the webhook URLs, is encrypted with the topics' key).
 *
 * @example
 * new Monitoring("monitoring", { app: "shop", slo: spec.slo, monitoring: spec.monitoring, services: [api], database: db });
 */
export class Monitoring extends pulumi.ComponentResource implements MonitoringOutputs {
  readonly topics: Readonly<Record<Severity, aws.sns.Topic>>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly compositeAlarms: aws.cloudwatch.CompositeAlarm[];
  readonly alertCount: number;
  /** The function that posts to Slack, when there are Slack routes. */
  readonly slackForwarder?: aws.lambda.Function;
  readonly dashboardUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("polycloud:aws:Monitoring", name, {}, opts);
    const scope = scopeOf(this, "monitoring", name, args);
    const t = args.transform ?? {};
    const account = accountContext(this);

    const key = createKey(scope, "key", { description: `Alert topics of ${scope.app} (${scope.environment})`, account, users: ["cloudwatchAlarms", "events", "logs"], transforms: t });
    const topics = {} as Record<Severity, aws.sns.Topic>;
    for (const severity of SEVERITIES) {
      const topicName = `${name}-${severity}`;
      const topic = new aws.sns.Topic(
        topicName,
        transform(
          { name: physicalNameOf(scope, "snsTopic", severity), displayName: `${scope.app} ${severity} alerts`, kmsMasterKeyId: key.id, tags: scope.tags },
          topicName,
          t.topic,
        ),
        childOptions(scope),
      );
      new aws.sns.TopicPolicy(`${topicName}-policy`, transform({ arn: topic.arn, policy: pulumi.jsonStringify(alarmTopicPolicy(topic.arn, account)) }, `${topicName}-policy`, t.topicPolicy), childOptions(scope));
      args.monitoring.alerts[severity].forEach((route, i) => {
        if (!("slack" in route)) subscribe(scope, `${topicName}-${i + 1}`, topic, route, t.subscription);
      });
      topics[severity] = topic;
    }
    this.topics = topics;
    const webhooks = Object.fromEntries(SEVERITIES.map((s) => [s, args.monitoring.alerts[s].flatMap((route) => ("slack" in route ? [route.slack] : []))]));
    if (Object.values(webhooks).some((urls) => urls.length > 0)) {
      this.slackForwarder = createSlackForwarder(scope, {
        webhooks,
        topics,
        key,
        account,
        retentionDays: args.logRetentionDays ?? PRESETS[scope.environment].logRetentionDays,
        transforms: t,
      });
    }

    const sets: AlarmSet[] = [
      ...args.services.map((s) =>
        serviceAlarms({ name: s.serviceName, loadBalancer: s.loadBalancer.arnSuffix, cluster: s.cluster.name, ecsService: s.service.name }, args.slo),
      ),
      ...(args.database === undefined
        ? []
        : [databaseAlarms({ name: args.database.spec.name, identifier: args.database.instance.identifier, size: args.database.spec.size, storageGb: args.database.spec.storageGb })]),
      ...(args.cache === undefined ? [] : [cacheAlarms({ name: "cache", nodeIds: args.cache.nodeIds })]),
    ];
    const notify = (severity: Severity) => [topics[severity].arn];
    const base = sets.flatMap((set) => set.alarms);
    const specs = [...base, ...escalationAlarms(base, args.monitoring.escalateAfterMinutes)];
    this.alarms = specs.map((spec) => createAlarm(scope, spec, notify, t.alarm));
    const byId = new Map(specs.map((spec, i) => [spec.id, this.alarms[i]!]));
    this.compositeAlarms = sets.flatMap((set) =>
      set.composites.map((spec) => {
        const alarmName = `${name}-${spec.id}`;
        return new aws.cloudwatch.CompositeAlarm(
          alarmName,
          transform(
            {
              alarmName: cloudWatchName(scope, spec.id),
              alarmDescription: spec.description,
              alarmRule: pulumi.interpolate`${pulumi.all(spec.memberIds.map((id) => byId.get(id)!.name)).apply((names) => names.map((n) => `ALARM("${n}")`).join(" AND "))}`,
              alarmActions: notify(spec.severity),
              okActions: notify(spec.severity),
              tags: scope.tags,
            },
            alarmName,
            t.compositeAlarm,
          ),
          childOptions(scope),
        );
      }),
    );
    // A deployment alarm belongs to its service, which exists before the topics: a composite alarm on it
    // notifies, so a rolled-back deployment reaches people too.
    for (const service of args.services) {
      if (service.deploymentAlarm === undefined) continue;
      const id = `service-${service.serviceName}-deployment-rollback`;
      const alarmName = `${name}-${id}`;
      this.compositeAlarms.push(
        new aws.cloudwatch.CompositeAlarm(
          alarmName,
          transform(
            {
              alarmName: cloudWatchName(scope, id),
              alarmDescription: `${service.serviceName}: error ratio above the SLO during 5 minutes; a deployment in progress rolls back`,
              alarmRule: pulumi.interpolate`ALARM("${service.deploymentAlarm.name}")`,
              alarmActions: notify("warning"),
              okActions: notify("warning"),
              tags: scope.tags,
            },
            alarmName,
            t.compositeAlarm,
          ),
          childOptions(scope),
        ),
      );
    }
    this.alertCount = specs.filter((a) => a.routed).length + this.compositeAlarms.length;

    if (args.monitoring.dashboard) {
      const dashboardName = physicalNameOf(scope, "snsTopic");
      new aws.cloudwatch.Dashboard(
        `${name}-dashboard`,
        transform({ dashboardName, dashboardBody: pulumi.jsonStringify(dashboardBody(args, account.region)) }, `${name}-dashboard`, t.dashboard),
        childOptions(scope),
      );
      this.dashboardUrl = pulumi.interpolate`https://console.aws.amazon.com/cloudwatch/home?region=${account.region}#dashboards:name=${dashboardName}`;
    } else {
      this.dashboardUrl = pulumi.output(undefined);
    }
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, alertCount: this.alertCount });
  }
}

/** Alarm and dashboard names: CloudWatch allows the characters of SNS topic names (letters, digits, - and _). */
function cloudWatchName(scope: Scope, name: string): string {
  return physicalName("aws", "snsTopic", { app: scope.app, environment: scope.environment, name });
}

/** Email and webhook (HTTPS) subscriptions; each must be confirmed by its receiver. */
function subscribe(scope: Scope, name: string, topic: aws.sns.Topic, route: Exclude<AlertRoute, { slack: string }>, t: Transform<aws.sns.TopicSubscriptionArgs> | undefined): void {
  const [protocol, endpoint] = "email" in route ? ["email", route.email] : ["https", route.webhook];
  new aws.sns.TopicSubscription(name, transform({ topic: topic.arn, protocol, endpoint }, name, t), childOptions(scope));
}

function createAlarm(
  scope: Scope,
  spec: AlarmSpec,
  notify: (severity: Severity) => pulumi.Output<string>[],
  t: Transform<aws.cloudwatch.MetricAlarmArgs> | undefined,
): aws.cloudwatch.MetricAlarm {
  const name = `${scope.name}-${spec.id}`;
  const metric = spec.metric === undefined
    ? { metricQueries: spec.metricQueries! }
    : {
        namespace: spec.metric.namespace,
        metricName: spec.metric.metricName,
        dimensions: spec.metric.dimensions,
        period: spec.window.period,
        ...(spec.metric.extendedStatistic === undefined ? { statistic: spec.metric.statistic! } : { extendedStatistic: spec.metric.extendedStatistic }),
      };
  return new aws.cloudwatch.MetricAlarm(
    name,
    transform(
      {
        name: cloudWatchName(scope, spec.id),
        alarmDescription: spec.description,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        evaluationPeriods: spec.window.evaluationPeriods,
        datapointsToAlarm: spec.window.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
        ...metric,
        ...(spec.routed ? { alarmActions: notify(spec.severity), okActions: notify(spec.severity) } : {}),
        tags: { ...scope.tags, severity: spec.severity },
      },
      name,
      t,
    ),
    childOptions(scope),
  );
}

/** Dashboard widgets: per service traffic, errors, latency and capacity; the database; the cache. */
function dashboardBody(args: MonitoringArgs, region: pulumi.Input<string>): unknown {
  const widget = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: 8,
    height: 6,
    properties: { title, region, metrics, view: "timeSeries", stat: "Sum", period: 300, ...extra },
  });
  const widgets: unknown[] = [];
  for (const s of args.services) {
    const lb = s.loadBalancer.arnSuffix;
    widgets.push(
      widget(`${s.serviceName}: requests and 5xx`, [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", lb],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb],
      ]),
      widget(`${s.serviceName}: p95 latency (s)`, [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", lb]], {
        stat: "p95",
        annotations: { horizontal: [{ label: "SLO", value: args.slo.latencyP95Ms / 1000 }] },
      }),
      widget(`${s.serviceName}: CPU and memory (%)`, [
        ["AWS/ECS", "CPUUtilization", "ClusterName", s.cluster.name, "ServiceName", s.service.name],
        ["AWS/ECS", "MemoryUtilization", "ClusterName", s.cluster.name, "ServiceName", s.service.name],
      ], { stat: "Average" }),
    );
  }
  if (args.database !== undefined) {
    const id = args.database.instance.identifier;
    widgets.push(
      widget("Database: CPU (%) and connections", [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", id],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", id, { yAxis: "right" }],
      ], { stat: "Average" }),
      widget("Database: free storage (bytes)", [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", id]], { stat: "Minimum" }),
    );
  }
  if (args.cache !== undefined) {
    widgets.push(
      widget(
        "Cache: memory and engine CPU (%)",
        args.cache.nodeIds.flatMap((node) => [
          ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node],
          ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", node],
        ]),
        { stat: "Average" },
      ),
    );
  }
  return { widgets };
}
