import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  physicalName,
  transformed,
  type AlertRoute,
  type EscalationPolicy,
  type MonitoringArgs as CoreMonitoringArgs,
  type MonitoringOutputs,
  type Severity,
  type Transform,
  SEVERITIES,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import {
  cacheAlarms,
  databaseAlarms,
  DEPLOYMENT_MIN_ERRORS,
  deploymentAlarmSpec,
  escalationAlarm,
  escalations,
  metricAlarmArgs,
  serviceAlarms,
  type AlarmSet,
  type AlarmSpec,
  type CompositeAlarmSpec,
} from "./alarms";
import type { Cache } from "./cache";
import type { Database } from "./database";
import { createKey, type KeyTransforms } from "./keys";
import { alarmTopicPolicy } from "./policies";
import { accountContext, childOptions, physicalNameOf, scopeOf, type Scope } from "./scope";
import { createSlackForwarder, type SlackForwarderTransforms } from "./slack-forwarder";


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
 * `monitoring.escalateAfterMinutes`, core's escalation policy: every warning that notifies (an alarm,
 * a burn-rate composite, a deployment rollback) gets a critical twin on the same condition that fires
 * when it has held that much longer (see `escalations`; CloudWatch counts in whole periods), so a
 * warning nobody fixed pages through the critical topic. Each twin is tagged `polycloud:escalates` with
 * the name of the alarm it escalates.
 *
 * Email routes are email subscriptions and webhook routes HTTPS subscriptions (each receiver confirms
 * its subscription once). Slack incoming webhooks cannot confirm one, so Slack routes go through a
 * small Lambda function that posts each notification to the webhooks (created only when there are
 * Slack routes; its environment, which holds the webhook URLs, is encrypted with the topics' key).
 *
 * @example
 * new Monitoring("monitoring", { app: "shop", slo: spec.slo, monitoring: spec.monitoring, services: [api], database: db });
 */
export class Monitoring extends PolycloudComponent implements MonitoringOutputs {
  readonly topics: Readonly<Record<Severity, aws.sns.Topic>>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly compositeAlarms: aws.cloudwatch.CompositeAlarm[];
  readonly alertCount: number;
  /** The function that posts to Slack, when there are Slack routes. */
  readonly slackForwarder?: aws.lambda.Function;
  readonly dashboardUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Monitoring", name, args, opts);
    const scope = scopeOf(this, "monitoring", name);
    const t = args.transform ?? {};
    const account = accountContext(this);

    const key = createKey(scope, "key", { description: `Alert topics of ${scope.app} (${scope.environment})`, account, users: ["cloudwatchAlarms", "events", "logs"], transforms: t });
    const topics = {} as Record<Severity, aws.sns.Topic>;
    for (const severity of SEVERITIES) {
      const topicName = `${name}-${severity}`;
      const topic = new aws.sns.Topic(
        ...transformed(
          topicName,
          { name: physicalNameOf(scope, "snsTopic", severity), displayName: `${scope.app} ${severity} alerts`, kmsMasterKeyId: key.id, tags: scope.tags },
          childOptions(scope),
          t.topic,
        ),
      );
      new aws.sns.TopicPolicy(
        ...transformed(
          `${topicName}-policy`,
          { arn: topic.arn, policy: pulumi.jsonStringify(alarmTopicPolicy(topic.arn, account)) },
          childOptions(scope),
          t.topicPolicy,
        ),
      );
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
        retentionDays: scope.logRetentionDays,
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
    const policy: EscalationPolicy = { from: "warning", to: "critical", afterMinutes: args.monitoring.escalateAfterMinutes };
    const base: AlarmSet = { alarms: sets.flatMap((set) => set.alarms), composites: sets.flatMap((set) => set.composites) };
    const escalated = escalations(base, policy);
    const specs = [...base.alarms, ...escalated.alarms];
    this.alarms = specs.map((spec) => createAlarm(scope, spec, notify, t.alarm));
    const byId = new Map(specs.map((spec, i) => [spec.id, this.alarms[i]!]));
    const composite = (spec: CompositeAlarmSpec, alarmRule: pulumi.Input<string>) => {
      const alarmName = `${name}-${spec.id}`;
      return new aws.cloudwatch.CompositeAlarm(
        ...transformed(
          alarmName,
          {
            alarmName: cloudWatchName(scope, spec.id),
            alarmDescription: spec.description,
            alarmRule,
            alarmActions: notify(spec.severity),
            okActions: notify(spec.severity),
            tags: { ...scope.tags, ...escalationTag(scope, spec) },
          },
          childOptions(scope),
          t.compositeAlarm,
        ),
      );
    };
    const allOf = (ids: readonly string[]) => pulumi.all(ids.map((id) => byId.get(id)!.name)).apply((names) => names.map((n) => `ALARM("${n}")`).join(" AND "));
    this.compositeAlarms = [...base.composites, ...escalated.composites].map((spec) => composite(spec, allOf(spec.memberIds)));
    // A deployment alarm belongs to its service, which exists before the topics: a composite alarm on it
    // notifies, so a rolled-back deployment reaches people too; a twin of its condition escalates it.
    const deploymentTwins: AlarmSpec[] = [];
    for (const service of args.services) {
      if (service.deploymentAlarm === undefined) continue;
      const id = `service-${service.serviceName}-deployment-rollback`;
      const description = `${service.serviceName}: error ratio above the SLO during 5 minutes (at least ${DEPLOYMENT_MIN_ERRORS} errors at low traffic); a deployment in progress rolls back`;
      this.compositeAlarms.push(composite({ id, severity: "warning", description, memberIds: [] }, pulumi.interpolate`ALARM("${service.deploymentAlarm.name}")`));
      const condition = deploymentAlarmSpec({ name: service.serviceName, loadBalancer: service.loadBalancer.arnSuffix }, args.slo);
      const twin = escalationAlarm({ ...condition, id, description, routed: true }, policy);
      if (twin !== undefined) deploymentTwins.push(twin);
    }
    this.alarms.push(...deploymentTwins.map((spec) => createAlarm(scope, spec, notify, t.alarm)));
    this.alertCount = [...specs, ...deploymentTwins].filter((a) => a.routed).length + this.compositeAlarms.length;

    if (args.monitoring.dashboard) {
      const dashboardName = physicalNameOf(scope, "snsTopic");
      new aws.cloudwatch.Dashboard(
        ...transformed(
          `${name}-dashboard`,
          { dashboardName, dashboardBody: pulumi.jsonStringify(dashboardBody(args, account.region)) },
          childOptions(scope),
          t.dashboard,
        ),
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
  new aws.sns.TopicSubscription(...transformed(name, { topic: topic.arn, protocol, endpoint }, childOptions(scope), t));
}

/** The tag that names the alarm an escalation escalates, for people and tools reading the alarms. */
function escalationTag(scope: Scope, spec: Pick<AlarmSpec, "escalates">): Record<string, string> {
  return spec.escalates === undefined ? {} : { "polycloud:escalates": cloudWatchName(scope, spec.escalates) };
}

function createAlarm(
  scope: Scope,
  spec: AlarmSpec,
  notify: (severity: Severity) => pulumi.Output<string>[],
  t: Transform<aws.cloudwatch.MetricAlarmArgs> | undefined,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    ...transformed(
      `${scope.name}-${spec.id}`,
      {
        name: cloudWatchName(scope, spec.id),
        ...metricAlarmArgs(spec),
        ...(spec.routed ? { alarmActions: notify(spec.severity), okActions: notify(spec.severity) } : {}),
        tags: { ...scope.tags, severity: spec.severity, ...escalationTag(scope, spec) },
      },
      childOptions(scope),
      t,
    ),
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
