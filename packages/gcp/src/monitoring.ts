/**
 * Monitoring: notification channels per alert route and severity (email, webhook, and Slack through a
 * forwarder), a Cloud Monitoring custom service per web service with native SLOs (availability and
 * latency) and burn-rate alert policies on them (`select_slo_burn_rate`, the SRE workbook's window
 * pairs from core's SLO math), CPU and memory alerts per service, Cloud SQL and Memorystore health
 * alerts, an uptime check (and its alert) on each public service, and a dashboard.
 *
 * Severity is a policy's user label and its Cloud Monitoring severity; a policy notifies the channels of
 * its severity. Escalation is the application model's: every warning has a critical twin on the same
 * conditions that must hold `escalateAfterMinutes` longer (labelled `escalates: <warning>`).
 */
import type * as kms from "@pulumi/gcp/kms";
import * as logging from "@pulumi/gcp/logging";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as organizations from "@pulumi/gcp/organizations";
import type * as input from "@pulumi/gcp/types/input";
import * as pulumi from "@pulumi/pulumi";
import { SEVERITIES, transformed, type EscalationPolicy, type MonitoringArgs as CoreMonitoringArgs, type MonitoringOutputs, type Severity, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { availabilitySli, burnRateFilter, cacheConditions, databaseConditions, escalationMinutes, latencySli, serviceResourceConditions, serviceSlos, uptimeFilter, type MetricCondition } from "./alerts";
import type { Cache } from "./cache";
import { labelsOf, nameOf, regionOf } from "./common";
import type { Database } from "./database";
import { createKey } from "./keys";
import { createSlackForwarder, type SlackForwarder } from "./slack-forwarder";
import type { WebService } from "./web-service";

/** Cloud Monitoring's severity of each spec severity (it has no info level: info alerts are WARNING, labelled info). */
export const POLICY_SEVERITY: Readonly<Record<Severity, string>> = { critical: "CRITICAL", warning: "WARNING", info: "WARNING" };

export interface MonitoringArgs extends CoreMonitoringArgs<WebService, Database, Cache> {
  /** Key ring of the key that encrypts the Slack forwarder's topic, secret and source. */
  readonly keyRing: pulumi.Input<string>;
  /** Region of the Slack forwarder. @default stack config gcp:region */
  readonly region?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly alertPolicy?: Transform<monitoring.AlertPolicyArgs>;
    readonly slo?: Transform<monitoring.SloArgs>;
    readonly channel?: Transform<monitoring.NotificationChannelArgs>;
    readonly dashboard?: Transform<monitoring.DashboardArgs>;
    readonly key?: Transform<kms.CryptoKeyArgs>;
    readonly logBucket?: Transform<logging.ProjectBucketConfigArgs>;
    readonly logSink?: Transform<logging.ProjectSinkArgs>;
  };
}

/** One condition of a policy, as Cloud Monitoring takes it. */
type Condition = input.monitoring.AlertPolicyCondition;

export class Monitoring extends PolycloudComponent implements MonitoringOutputs {
  readonly channels: Readonly<Record<Severity, readonly monitoring.NotificationChannel[]>>;
  readonly slos: readonly monitoring.Slo[];
  readonly policies: readonly monitoring.AlertPolicy[];
  readonly uptimeChecks: readonly monitoring.UptimeCheckConfig[];
  readonly slack?: SlackForwarder;
  readonly dashboard?: monitoring.Dashboard;
  /** The application's log bucket (the services' logs, kept for the log retention) and the sink that fills it. */
  readonly logBucket?: logging.ProjectBucketConfig;
  readonly logSink?: logging.ProjectSink;
  readonly dashboardUrl: pulumi.Output<string | undefined>;
  readonly alertCount: number;
  private readonly componentName: string;
  private readonly policyList: monitoring.AlertPolicy[] = [];
  private readonly labels: Record<string, string>;
  private readonly escalation: EscalationPolicy;
  private readonly policyTransform: Transform<monitoring.AlertPolicyArgs> | undefined;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "Monitoring", name, args, opts);
    this.componentName = name;
    const t = args.transform ?? {};
    this.policyTransform = t.alertPolicy;
    this.labels = labelsOf(this.defaults);
    this.escalation = { from: "warning", to: "critical", afterMinutes: args.monitoring.escalateAfterMinutes };
    const child = this.childOptions();

    // ---- channels
    const channels: Record<Severity, monitoring.NotificationChannel[]> = { critical: [], warning: [], info: [] };
    const webhooks: Partial<Record<Severity, string[]>> = {};
    for (const severity of SEVERITIES) {
      args.monitoring.alerts[severity].forEach((route, i) => {
        const channelName = `${name}-${severity}-${i}`;
        const common = { displayName: `${this.defaults.app} ${severity} alerts (${i + 1})`, userLabels: { ...this.labels, severity } };
        if ("email" in route) {
          channels[severity].push(new monitoring.NotificationChannel(...transformed(channelName, { ...common, type: "email", labels: { email_address: route.email } }, child, t.channel)));
        } else if ("webhook" in route) {
          // A webhook URL may carry a token in its path: kept secret in state.
          channels[severity].push(new monitoring.NotificationChannel(...transformed(channelName, { ...common, type: "webhook_tokenauth", labels: pulumi.secret({ url: route.webhook }) }, child, t.channel)));
        } else {
          (webhooks[severity] ??= []).push(route.slack);
        }
      });
    }
    if (Object.keys(webhooks).length > 0) {
      const { key, grants } = createKey(name, { keyRing: args.keyRing, labels: this.labels, agents: ["secretManager", "pubsub", "storage"], ...(t.key === undefined ? {} : { transform: { key: t.key } }) }, this.childOptions({ stateful: true }));
      this.slack = createSlackForwarder(name, { defaults: this.defaults, region: regionOf(args.region, `Monitoring ${name}`), key, keyGrants: grants, webhooks }, this);
      for (const severity of SEVERITIES) {
        const channel = this.slack.channels[severity];
        if (channel !== undefined) channels[severity].push(channel);
      }
    }
    this.channels = channels;
    const channelIds = (severity: Severity) => channels[severity].map((c) => c.id);

    // ---- SLOs and burn-rate alerts, per service
    const slos: monitoring.Slo[] = [];
    for (const service of args.services) {
      const id = service.serviceName;
      const custom = new monitoring.GenericService(`${name}-${id}-service`, { serviceId: service.runName, displayName: `${this.defaults.app} ${id}`, userLabels: this.labels }, child);
      for (const objective of serviceSlos(args.slo)) {
        const slo = new monitoring.Slo(
          ...transformed(
            `${name}-${id}-${objective.sli}`,
            {
              service: custom.serviceId,
              sloId: objective.sli,
              displayName: `${id} ${objective.sli}: ${objective.sli === "availability" ? `${args.slo.availability}% of requests succeed` : `95% of requests within ${args.slo.latencyP95Ms} ms`} over 30 days`,
              goal: objective.goal,
              rollingPeriodDays: 30,
              requestBasedSli: objective.sli === "availability" ? { goodTotalRatio: availabilitySli(service.runName) } : { distributionCut: latencySli(service.runName, args.slo.latencyP95Ms) },
              userLabels: this.labels,
            },
            child,
            t.slo,
          ),
        );
        slos.push(slo);
        for (const alert of objective.alerts) {
          const window = (minutes: number, which: string): Condition => ({
            displayName: `${which} window: burn rate above ${alert.burnRate} over ${minutes} minutes`,
            conditionThreshold: { filter: pulumi.interpolate`${slo.name.apply((n) => burnRateFilter(n, minutes))}`, comparison: "COMPARISON_GT", thresholdValue: alert.burnRate, duration: "0s" },
          });
          this.policy({
            id: `${id}-${alert.name}`,
            title: `${this.defaults.app} ${id}: ${alert.summary}`,
            severity: alert.severity,
            description: alert.description,
            minutes: 0,
            conditions: (after) => [window(alert.longWindowMinutes, "long"), window(alert.shortWindowMinutes, "short")].map((c) => withDuration(c, after)),
            channels: channelIds,
          });
        }
      }
      for (const condition of serviceResourceConditions(id, service.runName, service.autoscaling.cpuPercent, service.autoscaling.memoryPercent)) this.metricPolicy(condition, channelIds);
    }
    this.slos = slos;

    // ---- stores
    if (args.database !== undefined) for (const condition of databaseConditions(args.database.instanceName)) this.metricPolicy(condition, channelIds);
    if (args.cache !== undefined) for (const condition of cacheConditions(args.cache.instanceName)) this.metricPolicy(condition, channelIds);

    // ---- uptime checks on public services
    const project = organizations.getProjectOutput({}, { parent: this }).apply((p) => p.projectId ?? "");
    const uptimeChecks: monitoring.UptimeCheckConfig[] = [];
    for (const service of args.services.filter((s) => s.exposure.public && s.loadBalancer !== undefined)) {
      const id = service.serviceName;
      const host = service.host ?? service.loadBalancer!.address.address;
      const check = new monitoring.UptimeCheckConfig(
        `${name}-${id}-uptime`,
        {
          displayName: `${this.defaults.app} ${id} uptime`,
          timeout: "10s",
          period: "60s",
          httpCheck: { path: service.exposure.healthPath, port: service.exposure.tls ? 443 : 80, useSsl: service.exposure.tls, validateSsl: service.exposure.tls, requestMethod: "GET", acceptedResponseStatusCodes: [{ statusClass: "STATUS_CLASS_2XX" }] },
          monitoredResource: { type: "uptime_url", labels: { host, project_id: project } },
          userLabels: this.labels,
        },
        child,
      );
      uptimeChecks.push(check);
      this.policy({
        id: `${id}-uptime`,
        title: `${this.defaults.app} ${id}: uptime check failing`,
        severity: "critical",
        description: `The uptime check of ${id} (${service.exposure.healthPath}) fails from more than one location.`,
        minutes: 1,
        conditions: () => [
          {
            displayName: `${id} uptime check failing`,
            conditionThreshold: {
              filter: check.uptimeCheckId.apply(uptimeFilter),
              aggregations: [{ alignmentPeriod: "1200s", perSeriesAligner: "ALIGN_NEXT_OLDER", crossSeriesReducer: "REDUCE_COUNT_FALSE", groupByFields: ["resource.label.*"] }],
              comparison: "COMPARISON_GT",
              thresholdValue: 1,
              duration: "60s",
            },
          },
        ],
        channels: channelIds,
      });
    }
    this.uptimeChecks = uptimeChecks;
    this.policies = this.policyList;
    this.alertCount = this.policyList.length;

    // ---- the services' logs, kept for the log retention
    if (args.services.length > 0) {
      const stateful = this.childOptions({ stateful: true });
      this.logBucket = new logging.ProjectBucketConfig(
        ...transformed(
          `${name}-logs`,
          { project, location: regionOf(args.region, `Monitoring ${name}`), bucketId: nameOf(this.defaults, "resource", "logs"), retentionDays: this.defaults.logRetentionDays, description: `Logs of ${this.defaults.app}'s services` },
          stateful,
          t.logBucket,
        ),
      );
      this.logSink = new logging.ProjectSink(
        ...transformed(
          `${name}-logs`,
          { name: nameOf(this.defaults, "resource", "logs"), project, destination: this.logBucket.id.apply((id) => `logging.googleapis.com/${id}`), filter: serviceLogFilter(args.services.map((s) => s.runName)), uniqueWriterIdentity: true },
          child,
          t.logSink,
        ),
      );
    }

    // ---- dashboard
    if (args.monitoring.dashboard) {
      this.dashboard = new monitoring.Dashboard(...transformed(`${name}-dashboard`, { dashboardJson: JSON.stringify(dashboardOf(this.defaults.app, args.services.map((s) => s.runName))) }, child, t.dashboard));
      this.dashboardUrl = pulumi.interpolate`https://console.cloud.google.com/monitoring/dashboards/builder/${this.dashboard.id.apply((id) => id.split("/").pop() ?? id)}?project=${project}`;
    } else {
      this.dashboardUrl = pulumi.output(undefined);
    }
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, alertCount: this.alertCount });
  }

  /** A policy on one metric condition, with its escalation when it is a warning. */
  private metricPolicy(condition: MetricCondition, channels: (s: Severity) => pulumi.Output<string>[]): void {
    this.policy({
      id: condition.id,
      title: `${this.defaults.app} ${condition.title}`,
      severity: condition.severity,
      description: `${condition.title} for ${condition.minutes} minutes.`,
      minutes: condition.minutes,
      conditions: (after) => [
        {
          displayName: condition.title,
          conditionThreshold: {
            filter: condition.filter,
            aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: condition.aligner }],
            comparison: condition.comparison,
            thresholdValue: condition.threshold,
            duration: `${(after ?? condition.minutes) * 60}s`,
          },
        },
      ],
      channels,
    });
  }

  /**
   * An alert policy, and its escalation when the policy is a warning: the same conditions, critical,
   * holding `escalateAfterMinutes` longer.
   * @param p.conditions the conditions, given the minutes they must hold (undefined: as the alert itself).
   */
  private policy(p: { id: string; title: string; severity: Severity; description: string; minutes: number; conditions: (minutes?: number) => Condition[]; channels: (s: Severity) => pulumi.Output<string>[] }): void {
    const create = (id: string, severity: Severity, title: string, conditions: Condition[], extra: Record<string, string>) =>
      this.policyList.push(
        new monitoring.AlertPolicy(
          ...transformed(
            `${this.componentName}-${id}`,
            {
              displayName: title,
              combiner: "AND",
              conditions,
              severity: POLICY_SEVERITY[severity],
              notificationChannels: p.channels(severity),
              documentation: { subject: title.slice(0, 255), content: p.description, mimeType: "text/markdown" },
              alertStrategy: { autoClose: "604800s" },
              userLabels: { ...this.labels, alert: id, severity, ...extra },
            },
            this.childOptions(),
            this.policyTransform,
          ),
        ),
      );
    create(p.id, p.severity, p.title, p.conditions(), {});
    const escalated = escalationMinutes(p.severity, p.minutes, this.escalation);
    if (escalated !== undefined) create(`${p.id}-escalated`, "critical", `${p.title} (still firing after ${this.escalation.afterMinutes} minutes)`, p.conditions(escalated), { escalates: p.id });
  }
}

/** A condition that must hold `minutes` (undefined: unchanged). */
function withDuration(condition: Condition, minutes: number | undefined): Condition {
  if (minutes === undefined) return condition;
  return { ...condition, conditionThreshold: { ...(condition.conditionThreshold as input.monitoring.AlertPolicyConditionConditionThreshold), duration: `${minutes * 60}s` } };
}

/** The logs of the application's Cloud Run services. */
export function serviceLogFilter(runNames: readonly string[]): string {
  return `resource.type="cloud_run_revision" AND resource.labels.service_name=(${runNames.map((n) => `"${n}"`).join(" OR ")})`;
}

/** A dashboard: request rate, 5xx rate and p95 latency per service. */
export function dashboardOf(app: string, runNames: readonly string[]): object {
  const chart = (title: string, filter: string, aligner: string, reducer?: string) => ({
    title,
    xyChart: { dataSets: [{ plotType: "LINE", timeSeriesQuery: { timeSeriesFilter: { filter, aggregation: { alignmentPeriod: "60s", perSeriesAligner: aligner, ...(reducer === undefined ? {} : { crossSeriesReducer: reducer, groupByFields: ["resource.label.service_name"] }) } } } }] },
  });
  const tiles = runNames.flatMap((run) => {
    const base = `resource.type="cloud_run_revision" AND resource.labels.service_name="${run}"`;
    return [
      chart(`${run}: requests/s`, `metric.type="run.googleapis.com/request_count" AND ${base}`, "ALIGN_RATE", "REDUCE_SUM"),
      chart(`${run}: 5xx/s`, `metric.type="run.googleapis.com/request_count" AND ${base} AND metric.labels.response_code_class="5xx"`, "ALIGN_RATE", "REDUCE_SUM"),
      chart(`${run}: p95 latency (ms)`, `metric.type="run.googleapis.com/request_latencies" AND ${base}`, "ALIGN_PERCENTILE_95"),
    ];
  });
  return { displayName: `${app}`, mosaicLayout: { columns: 12, tiles: tiles.map((widget, i) => ({ xPos: (i % 3) * 4, yPos: Math.floor(i / 3) * 4, width: 4, height: 4, widget })) } };
}
