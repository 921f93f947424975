import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import {
  SEVERITIES,
  shortHash,
  sloAlerts,
  transformed,
  type AlertRoute,
  type MonitoringArgs as CoreMonitoringArgs,
  type MonitoringOutputs,
  type Severity,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { alertSchedules, AZURE_SEVERITY, isoMinutes, metricQuery, sloQuery, type Schedule } from "./log-alerts";
import { childOptions, placed, scopeOf, type Placement, type Scope } from "./scope";

/** What Monitoring watches of a service, a database and a cache: the names their telemetry is recorded under. */
export interface WatchedService {
  readonly serviceName: string;
  readonly appName: string;
}
export interface WatchedDatabase {
  readonly serverName: string;
}
export interface WatchedCache {
  readonly clusterName: string;
}

export interface MonitoringArgs extends CoreMonitoringArgs<WatchedService, WatchedDatabase, WatchedCache>, Placement {
  /** The Log Analytics workspace the alerts query (with Application Insights' tables in it). */
  readonly workspaceId: pulumi.Input<string>;
  /** CPU and memory percentage that raise a warning for services, the database and the cache. @default 85 */
  readonly resourceThresholdPercent?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    actionGroup?: Transform<monitor.ActionGroupArgs>;
    rule?: Transform<monitor.ScheduledQueryRuleArgs>;
    workbook?: Transform<applicationinsights.WorkbookArgs>;
  };
}

/** One alert before it becomes a rule. */
interface AlertDraft {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly query: string;
  readonly minutes: number;
}

/**
 * Monitoring on Azure Monitor: an action group per severity with the spec's routes (email
 * receivers; webhooks and Slack as webhook receivers); log alerts (scheduled query rules) from core's
 * SLO math for every service, over its Application Insights requests (availability and latency burn
 * rates over the SRE workbook's window pairs, p95 latency, error rate), CPU and memory of every
 * service, the database and the cache, and database liveness; each warning escalated to critical as
 * the model's escalation policy says (the same query, firing after more consecutive failing
 * evaluations); and a workbook of the services' traffic, errors and latency.
 */
export class Monitoring extends PolycloudComponent implements MonitoringOutputs {
  readonly actionGroups: Readonly<Record<Severity, monitor.ActionGroup>>;
  readonly rules: readonly monitor.ScheduledQueryRule[];
  readonly alertCount: number;
  readonly dashboardUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "Monitoring", name, args, opts);
    const scope = scopeOf(this, name, args);
    const t = args.transform ?? {};
    this.actionGroups = Object.fromEntries(SEVERITIES.map((severity) => [severity, this.actionGroup(scope, severity, args.monitoring.alerts[severity], t.actionGroup)])) as Record<Severity, monitor.ActionGroup>;

    const policy = { from: "warning", to: "critical", afterMinutes: args.monitoring.escalateAfterMinutes } as const;
    const schedules = alertSchedules(policy);
    const rules: monitor.ScheduledQueryRule[] = [];
    for (const draft of drafts(args)) {
      const rule = this.rule(scope, draft, draft.severity, schedules.alert, args.workspaceId, t.rule);
      rules.push(rule);
      if (draft.severity === policy.from) {
        rules.push(this.rule(scope, { ...draft, id: `${draft.id}-escalation`, summary: `Still firing after ${policy.afterMinutes} minutes: ${draft.summary}` }, policy.to, schedules.escalation, args.workspaceId, t.rule, draft.id));
      }
    }
    this.rules = rules;
    this.alertCount = rules.length;
    this.dashboardUrl = args.monitoring.dashboard ? this.workbook(scope, args, t.workbook) : pulumi.output(undefined);
    this.registerOutputs({ alertCount: this.alertCount, dashboardUrl: this.dashboardUrl });
  }

  private actionGroup(scope: Scope, severity: Severity, routes: readonly AlertRoute[], t: Transform<monitor.ActionGroupArgs> | undefined): monitor.ActionGroup {
    const receiver = (i: number) => `${severity}-${i}`;
    return new monitor.ActionGroup(
      ...transformed(
        `${scope.name}-${severity}`,
        {
          resourceGroupName: scope.resourceGroupName,
          location: "global",
          enabled: true,
          groupShortName: `${scope.app.slice(0, 12 - severity.length - 1)}-${severity}`.slice(0, 12),
          emailReceivers: routes.flatMap((r, i) => ("email" in r ? [{ name: receiver(i), emailAddress: r.email, useCommonAlertSchema: true }] : [])),
          webhookReceivers: routes.flatMap((r, i) =>
            "webhook" in r ? [{ name: receiver(i), serviceUri: r.webhook, useCommonAlertSchema: true }] : "slack" in r ? [{ name: receiver(i), serviceUri: r.slack, useCommonAlertSchema: false }] : [],
          ),
          tags: { ...scope.tags, "polycloud-severity": severity },
        },
        childOptions(scope),
        t,
      ),
    );
  }

  private rule(scope: Scope, draft: AlertDraft, severity: Severity, schedule: Schedule, workspaceId: pulumi.Input<string>, t: Transform<monitor.ScheduledQueryRuleArgs> | undefined, escalates?: string): monitor.ScheduledQueryRule {
    const frequency = isoMinutes(schedule.frequencyMinutes);
    return new monitor.ScheduledQueryRule(
      ...transformed(
        `${scope.name}-${draft.id}`,
        {
          ...placed(scope),
          kind: "LogAlert",
          displayName: `${scope.app} ${draft.id}`,
          description: draft.summary,
          severity: AZURE_SEVERITY[severity],
          enabled: true,
          scopes: [workspaceId],
          evaluationFrequency: frequency,
          windowSize: frequency,
          // The query's own windows decide; the rule's time range only has to cover them.
          overrideQueryTimeRange: isoMinutes(Math.max(draft.minutes, schedule.frequencyMinutes)),
          criteria: {
            allOf: [
              {
                query: draft.query,
                timeAggregation: "Count",
                operator: "GreaterThan",
                threshold: 0,
                failingPeriods: { numberOfEvaluationPeriods: schedule.periods, minFailingPeriodsToAlert: schedule.periods },
              },
            ],
          },
          autoMitigate: true,
          actions: { actionGroups: [this.actionGroups[severity].id] },
          tags: { ...scope.tags, ...(escalates === undefined ? {} : { "polycloud-escalates": `${scope.name}-${escalates}` }) },
        },
        childOptions(scope),
        t,
      ),
    );
  }

  private workbook(scope: Scope, args: MonitoringArgs, t: Transform<applicationinsights.WorkbookArgs> | undefined): pulumi.Output<string> {
    const chart = (title: string, query: string) => ({ type: 3, content: { version: "KqlItem/1.0", title, query, visualization: "timechart", queryType: 0, resourceType: "microsoft.operationalinsights/workspaces" } });
    const roles = args.services.map((s) => `"${s.serviceName}"`).join(", ");
    const requests = `AppRequests | where AppRoleName in (${roles}) | summarize`;
    const serializedData = pulumi.jsonStringify({
      version: "Notebook/1.0",
      items: [
        chart("Requests", `${requests} count() by AppRoleName, bin(TimeGenerated, 5m)`),
        chart("Error ratio", `${requests} errors = todouble(countif(Success == false)) / count() by AppRoleName, bin(TimeGenerated, 5m)`),
        chart("p95 latency (ms)", `${requests} percentile(DurationMs, 95) by AppRoleName, bin(TimeGenerated, 5m)`),
      ],
      fallbackResourceIds: [args.workspaceId],
    });
    const hash = shortHash(`${scope.app}/${scope.environment}/${scope.name}`, 32);
    const workbook = new applicationinsights.Workbook(
      ...transformed(
        `${scope.name}-workbook`,
        {
          ...placed(scope),
          // Workbook names are GUIDs.
          resourceName: `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`,
          kind: "shared",
          category: "workbook",
          displayName: `${scope.app} (${scope.environment})`,
          sourceId: args.workspaceId,
          serializedData,
        },
        childOptions(scope),
        t,
      ),
    );
    return pulumi.interpolate`https://portal.azure.com/#resource${workbook.id}/workbook`;
  }
}

/** Every alert of the application: SLO alerts per service, then resource health. */
function drafts(args: MonitoringArgs): AlertDraft[] {
  const threshold = args.resourceThresholdPercent ?? 85;
  const perService = args.services.flatMap((service) => [
    ...sloAlerts(args.slo).map((alert) => ({ id: `${service.serviceName}-${alert.name}`, severity: alert.severity, summary: `${service.serviceName}: ${alert.summary}`, ...sloQuery(alert, service.serviceName) })),
    { id: `${service.serviceName}-cpu`, severity: "warning" as const, summary: `${service.serviceName}: CPU at or above ${threshold}% for 15 minutes`, ...metricQuery(service.appName, "CpuPercentage", threshold, 15) },
    { id: `${service.serviceName}-memory`, severity: "warning" as const, summary: `${service.serviceName}: memory at or above ${threshold}% for 15 minutes`, ...metricQuery(service.appName, "MemoryPercentage", threshold, 15) },
  ]);
  const database = args.database;
  const cache = args.cache;
  return [
    ...perService,
    ...(database === undefined
      ? []
      : [
          { id: "database-down", severity: "critical" as const, summary: "The database does not answer", ...metricQuery(database.serverName, "is_db_alive", 1, 5, true) },
          { id: "database-cpu", severity: "warning" as const, summary: `Database CPU at or above ${threshold}% for 15 minutes`, ...metricQuery(database.serverName, "cpu_percent", threshold, 15) },
          { id: "database-storage", severity: "warning" as const, summary: `Database storage at or above ${threshold}%`, ...metricQuery(database.serverName, "storage_percent", threshold, 15) },
        ]),
    ...(cache === undefined
      ? []
      : [
          { id: "cache-cpu", severity: "warning" as const, summary: `Cache CPU at or above ${threshold}% for 15 minutes`, ...metricQuery(cache.clusterName, "percentProcessorTime", threshold, 15) },
          { id: "cache-memory", severity: "warning" as const, summary: `Cache memory at or above ${threshold}%`, ...metricQuery(cache.clusterName, "usedmemorypercentage", threshold, 15) },
        ]),
  ];
}
