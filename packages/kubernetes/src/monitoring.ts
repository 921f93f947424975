import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  PolycloudError,
  sloAlerts,
  transformed,
  type AlertRoute,
  type Problem,
  type EscalationPolicy,
  type MonitoringArgs as CoreMonitoringArgs,
  type MonitoringOutputs,
  type Severity,
  type Transform,
  SEVERITIES,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import type { Cache } from "./cache";
import { dashboardModel } from "./dashboard";
import type { Database } from "./database";
import { commonOf, dnsLabelProblems } from "./labels";
import type { NamespaceRef } from "./network";
import { sloAlertingRules, withEscalations, type AlertingRule, type RequestMetrics } from "./promql";
import type { WebService } from "./web-service";

/**
 * The label kube-prometheus-stack's Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules
 * by: with its `*SelectorNilUsesHelmValues: true` defaults, `release: <Helm release name>`; the release
 * is usually named after the chart.
 */
export const KUBE_PROMETHEUS_STACK_SELECTOR: Readonly<Record<string, string>> = { release: "kube-prometheus-stack" };

/** Pod labels the ServiceMonitors copy onto every series (`rollouts-pod-template-hash` becomes `rollouts_pod_template_hash`). */
export const POD_TARGET_LABELS = ["rollouts-pod-template-hash"] as const;

/**
 * How Alertmanager sends the email routes: the operator refuses an AlertmanagerConfig email receiver
 * without `smarthost` and `from` unless the Alertmanager has global SMTP settings, which
 * kube-prometheus-stack does not set, and then generates no configuration at all.
 */
export interface SmtpSettings {
  /** SMTP server as `host:port`, e.g. `smtp.example.com:587`. */
  readonly smarthost: string;
  /** Sender address, e.g. `alerts@example.com` or `Shop alerts <alerts@example.com>`. */
  readonly from: string;
  /** User for SMTP authentication. @default - no authentication */
  readonly authUsername?: string | undefined;
  /**
   * The key of a Secret in the application's namespace (the AlertmanagerConfig's) holding the SMTP
   * password; the operator reads it there. Needs `authUsername`.
   * @default - no password
   */
  readonly authPasswordSecret?: { readonly name: string; readonly key: string } | undefined;
  /** Require STARTTLS. @default true */
  readonly requireTLS?: boolean | undefined;
}

/** `host:port` with a port from 1 to 65535, as Alertmanager's smarthost (Go's net.SplitHostPort). */
const SMARTHOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):(\d{1,5})$/;
/** An address, bare or with a display name (`Name <user@host>`). */
const FROM = /^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

/** Problems with the args: email routes need SMTP settings, and the settings must be usable. */
export function monitoringProblems(args: Pick<MonitoringArgs, "monitoring" | "smtp">): Problem[] {
  const problems: Problem[] = [];
  const smtp = args.smtp;
  if (smtp === undefined) {
    for (const severity of SEVERITIES) {
      args.monitoring.alerts[severity].forEach((route, i) => {
        if (!("email" in route)) return;
        problems.push({
          path: `monitoring.alerts.${severity}[${i}].email`,
          message: `"${route.email}" cannot be sent: email needs an SMTP server, and the Alertmanager of kube-prometheus-stack has none (the operator would generate no configuration for it at all)`,
          fix: "set smtp (the backend: providers.kubernetes.smtp, or stack config polycloud:kubernetes.smtp) to { smarthost, from }, or route these alerts to a webhook or Slack",
        });
      });
    }
    return problems;
  }
  const port = SMARTHOST.exec(smtp.smarthost)?.[3];
  if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
    problems.push({ path: "smtp.smarthost", message: `"${smtp.smarthost}" is not host:port; allowed: a host name or [IPv6] address, a colon and a port from 1 to 65535`, fix: "e.g. smtp.example.com:587" });
  }
  if (!FROM.test(smtp.from)) {
    problems.push({ path: "smtp.from", message: `"${smtp.from}" is not an email address`, fix: "e.g. alerts@example.com or Shop alerts <alerts@example.com>" });
  }
  if (smtp.authPasswordSecret !== undefined) {
    problems.push(...dnsLabelProblems("smtp.authPasswordSecret.name", smtp.authPasswordSecret.name));
    if (smtp.authUsername === undefined) {
      problems.push({ path: "smtp.authPasswordSecret", message: "is set without authUsername", fix: "set smtp.authUsername, or remove authPasswordSecret" });
    }
  }
  return problems;
}

export interface MonitoringArgs extends CoreMonitoringArgs<WebService, Pick<Database, "objectName" | "metrics">, Pick<Cache, "objectName">> {
  readonly network: NamespaceRef;
  /** Ignored on Kubernetes: container logs are kept by the cluster's log pipeline. @default - ignored */
  readonly logRetentionDays?: number;
  /** Path the services serve Prometheus metrics on. @default - each service's (`WebServiceArgs.metricsPath`, "/metrics") */
  readonly metricsPath?: string;
  /** Names of the services' HTTP metrics. @default - Prometheus client conventions */
  readonly metrics?: RequestMetrics;
  /**
   * Labels Prometheus and Alertmanager select monitors, rules and configs by. kube-prometheus-stack's
   * Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules by `release: <Helm release name>`
   * unless its values say otherwise; `{}` for a Prometheus that selects everything.
   * @default { release: "kube-prometheus-stack" } ({@link KUBE_PROMETHEUS_STACK_SELECTOR})
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /**
   * SMTP server and sender of the email routes. Required when any route is an email: the component
   * throws a PolycloudError naming each email route otherwise.
   * @default - no email routes allowed
   */
  readonly smtp?: SmtpSettings;
  /** Label that Grafana's dashboard sidecar watches. @default { grafana_dashboard: "1" } */
  readonly dashboardLabels?: Readonly<Record<string, string>>;
  /**
   * Namespace of the dashboard ConfigMap: where Grafana's dashboard sidecar looks. kube-prometheus-stack's
   * sidecar searches every namespace (`grafana.sidecar.dashboards.searchNamespace: ALL`, since chart
   * 45.12.0), a standalone Grafana chart's sidecar only Grafana's own namespace: Grafana's namespace
   * works for both. The ConfigMap is named `<namespace>-dashboard`, after the application's namespace,
   * so several applications and environments share Grafana's namespace.
   * @default "monitoring" (kube-prometheus-stack's usual namespace, where its Grafana runs)
   */
  readonly dashboardNamespace?: string;
  /** Grafana's base URL, for `dashboardUrl`. @default - no URL */
  readonly grafanaUrl?: string;
  /** Adjust any child's args. @default {} */
  readonly transform?: {
    readonly serviceMonitor?: Transform<k8s.apiextensions.CustomResourceArgs>;
    /** The PodMonitor of CloudNativePG instances. */
    readonly podMonitor?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly prometheusRule?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly alertmanagerConfig?: Transform<k8s.apiextensions.CustomResourceArgs>;
    readonly receiversSecret?: Transform<k8s.core.v1.SecretArgs>;
    readonly dashboard?: Transform<k8s.core.v1.ConfigMapArgs>;
  };
}

/**
 * Observability on the Prometheus operator (kube-prometheus-stack): a ServiceMonitor per service
 * (and a PodMonitor for CloudNativePG instances); a PrometheusRule with core's multi-window
 * burn-rate alerts on availability and latency, static p95 latency and error-rate alerts per service plus
 * availability and disk alerts for the database and cache, every rule with a `for`; an AlertmanagerConfig
 * routing critical, warning and info to the spec's receivers (webhook and Slack URLs kept in a Secret,
 * email through `smtp`); and a Grafana dashboard ConfigMap with the golden signals in Grafana's namespace.
 * Monitors and rules carry `selectorLabels` (kube-prometheus-stack's `release` label by default), or
 * Prometheus ignores them.
 *
 * Escalation (`monitoring.escalateAfterMinutes`) means what it means on every backend: each warning
 * rule has an escalation rule, `<Alert>Escalated`, on the same expression with severity `critical`,
 * `for` the warning's own `for` plus `escalateAfterMinutes`, and the label `escalates: <Alert>`. A
 * warning whose condition still holds that long after it fired pages the critical receivers; one that
 * clears sooner never does.
 */
export class Monitoring extends PolycloudComponent implements MonitoringOutputs {
  readonly dashboardUrl: pulumi.Output<string | undefined>;
  readonly alertCount: number;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    PolycloudError.throwIfAny([...monitoringProblems(args), ...(args.dashboardNamespace === undefined ? [] : dnsLabelProblems("dashboardNamespace", args.dashboardNamespace))]);
    super("kubernetes", "Monitoring", name, args, opts);
    const common = commonOf(this.defaults);
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const ns = args.network.namespaceName;
    const labels = { ...common.labels, ...(args.selectorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR), "app.kubernetes.io/component": "monitoring" };

    for (const service of args.services) {
      const child = `${name}-${service.serviceName}-monitor`;
      new k8s.apiextensions.CustomResource(
        ...transformed(
          child,
          {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: service.serviceName, namespace, labels },
            spec: {
              selector: { matchLabels: { ...service.selector } },
              namespaceSelector: { matchNames: [ns] },
              // Argo Rollouts' pod-template hash on every series, so a rollout's analysis can tell the canary's pods from the stable ones.
              podTargetLabels: [...POD_TARGET_LABELS],
              endpoints: [{ port: service.metricsEndpoint.port, path: args.metricsPath ?? service.metricsEndpoint.path, interval: "30s", scrapeTimeout: "10s" }],
            },
          },
          this.childOptions(),
          t.serviceMonitor,
        ),
      );
    }

    const database = args.database;
    if (database?.metrics !== undefined) {
      const child = `${name}-${database.objectName}-monitor`;
      new k8s.apiextensions.CustomResource(
        ...transformed(
          child,
          {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: database.objectName, namespace, labels },
            spec: {
              selector: { matchLabels: { ...database.metrics.podSelector } },
              namespaceSelector: { matchNames: [ns] },
              podMetricsEndpoints: [{ port: database.metrics.port, interval: "30s", scrapeTimeout: "10s" }],
            },
          },
          this.childOptions(),
          t.podMonitor,
        ),
      );
    }

    const alerts = sloAlerts(args.slo);
    const stores: Store[] = [
      ...(database === undefined ? [] : [{ name: database.objectName, operator: database.metrics !== undefined }]),
      ...(args.cache === undefined ? [] : [{ name: args.cache.objectName, operator: false }]),
    ];
    const escalation: EscalationPolicy = { from: "warning", to: "critical", afterMinutes: args.monitoring.escalateAfterMinutes };
    const groups = [
      ...args.services.map((s) => ({ name: `${s.serviceName}-slo`, rules: sloAlertingRules({ namespace: ns, service: s.serviceName }, alerts, args.metrics) })),
      ...storeGroup(ns, stores),
    ].map((group) => ({ ...group, rules: withEscalations(group.rules, escalation) }));
    this.alertCount = groups.reduce((n, g) => n + g.rules.length, 0);
    new k8s.apiextensions.CustomResource(
      ...transformed(
        `${name}-rules`,
        { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: `${common.app}-slo`, namespace, labels }, spec: { groups } },
        this.childOptions(),
        t.prometheusRule,
      ),
    );

    this.createAlertRouting(name, args, namespace, labels);

    let dashboardUrl: string | undefined;
    if (args.monitoring.dashboard) {
      const uid = `${ns}-golden-signals`.slice(0, 40);
      const model = dashboardModel({
        uid,
        title: `${common.app} (${ns}): golden signals`,
        services: args.services.map((s) => ({ namespace: ns, service: s.serviceName })),
        targets: args.slo,
        ...(args.metrics === undefined ? {} : { metrics: args.metrics }),
      });
      // The sidecar writes every key of every dashboard ConfigMap into one folder: the key is unique per namespace too.
      new k8s.core.v1.ConfigMap(
        ...transformed(
          `${name}-dashboard`,
          {
            metadata: { name: `${ns}-dashboard`, namespace: args.dashboardNamespace ?? "monitoring", labels: { ...labels, ...(args.dashboardLabels ?? { grafana_dashboard: "1" }) } },
            data: { [`${ns}.json`]: JSON.stringify(model) },
          },
          this.childOptions(),
          t.dashboard,
        ),
      );
      if (args.grafanaUrl !== undefined) dashboardUrl = `${args.grafanaUrl.replace(/\/+$/, "")}/d/${uid}`;
    }
    this.dashboardUrl = pulumi.output(dashboardUrl);
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, alertCount: this.alertCount });
  }

  /** AlertmanagerConfig with one receiver per severity; URLs (which carry tokens) go into a Secret. */
  private createAlertRouting(name: string, args: MonitoringArgs, namespace: pulumi.Output<string>, labels: Record<string, string>): void {
    const t = args.transform ?? {};
    const secretName = `${args.app}-alert-receivers`;
    const urls: Record<string, string> = {};
    const receivers = SEVERITIES.map((severity) => {
      const routes = args.monitoring.alerts[severity];
      const keyed = (route: AlertRoute, i: number) => {
        const key = `${severity}-${i}`;
        urls[key] = "webhook" in route ? route.webhook : "slack" in route ? route.slack : "";
        return { name: secretName, key };
      };
      const smtp = args.smtp;
      // monitoringProblems refused email routes without SMTP settings.
      const emails = smtp === undefined ? [] : routes.flatMap((r) => ("email" in r ? [{ to: r.email, ...emailSettings(smtp), sendResolved: true }] : []));
      const webhooks = routes.flatMap((r, i) => ("webhook" in r ? [{ urlSecret: keyed(r, i), sendResolved: true }] : []));
      const slacks = routes.flatMap((r, i) => ("slack" in r ? [{ apiURL: keyed(r, i), sendResolved: true }] : []));
      return {
        name: severity,
        ...(emails.length === 0 ? {} : { emailConfigs: emails }),
        ...(webhooks.length === 0 ? {} : { webhookConfigs: webhooks }),
        ...(slacks.length === 0 ? {} : { slackConfigs: slacks }),
      };
    });
    const hasUrls = Object.keys(urls).length > 0;
    const secret = hasUrls
      ? new k8s.core.v1.Secret(
          ...transformed(
            `${name}-receivers`,
            { metadata: { name: secretName, namespace, labels }, type: "Opaque", stringData: pulumi.secret(urls) },
            this.childOptions(),
            t.receiversSecret,
          ),
        )
      : undefined;
    const match = (severity: Severity) => [{ name: "severity", value: severity, matchType: "=" }];
    new k8s.apiextensions.CustomResource(
      ...transformed(
        `${name}-alert-routing`,
        {
          apiVersion: "monitoring.coreos.com/v1alpha1",
          kind: "AlertmanagerConfig",
          metadata: { name: `${args.app}-alerts`, namespace, labels },
          spec: {
            route: {
              receiver: "info",
              groupBy: ["alertname", "service"],
              groupWait: "30s",
              groupInterval: "5m",
              repeatInterval: "12h",
              routes: [
                // A page that is still firing is repeated hourly. Escalation is not a repeat: it is the
                // `<Alert>Escalated` rules of the PrometheusRule, which reach this route as critical alerts.
                { receiver: "critical", matchers: match("critical"), repeatInterval: "1h" },
                { receiver: "warning", matchers: match("warning"), repeatInterval: "4h" },
                { receiver: "info", matchers: match("info") },
              ],
            },
            receivers,
          },
        },
        this.childOptions(secret === undefined ? {} : { dependsOn: [secret] }),
        t.alertmanagerConfig,
      ),
    );
  }
}

/** The AlertmanagerConfig fields of an email receiver that come from the SMTP settings. */
function emailSettings(smtp: SmtpSettings): Record<string, unknown> {
  return {
    from: smtp.from,
    smarthost: smtp.smarthost,
    ...(smtp.authUsername === undefined ? {} : { authUsername: smtp.authUsername }),
    ...(smtp.authPasswordSecret === undefined ? {} : { authPassword: { name: smtp.authPasswordSecret.name, key: smtp.authPasswordSecret.key } }),
    requireTLS: smtp.requireTLS ?? true,
  };
}

/** An in-cluster store: a StatefulSet, or run by an operator (CloudNativePG) that exports `cnpg_collector_up`. */
interface Store {
  readonly name: string;
  readonly operator: boolean;
}

/**
 * Availability and disk alerts for in-cluster stores, from kube-state-metrics (StatefulSets), the
 * CloudNativePG PodMonitor and kubelet volume stats. A series that is missing altogether (nothing
 * scraped) fires too: silence is not health.
 */
function storeGroup(namespace: string, stores: readonly Store[]): { name: string; rules: AlertingRule[] }[] {
  if (stores.length === 0) return [];
  return [
    {
      name: "stores",
      rules: stores.flatMap(({ name: store, operator }) => [
        {
          alert: "StoreUnavailable",
          expr: operator
            ? availability(`cnpg_collector_up{namespace="${namespace}",cluster="${store}"}`)
            : availability(`kube_statefulset_status_replicas_ready{namespace="${namespace}",statefulset="${store}"}`),
          for: "5m",
          labels: { severity: "critical", store },
          annotations: { summary: `${store} has no ready instance`, description: `No ready pod of ${store} in ${namespace} for 5 minutes: clients cannot connect.` },
        },
        {
          alert: "StoreDiskFilling",
          expr: `max by (namespace) (1 - kubelet_volume_stats_available_bytes{namespace="${namespace}",persistentvolumeclaim=~"(data-)?${store}-.*"} / kubelet_volume_stats_capacity_bytes{namespace="${namespace}",persistentvolumeclaim=~"(data-)?${store}-.*"}) > 0.85`,
          for: "15m",
          labels: { severity: "warning", store },
          annotations: { summary: `${store} volume is over 85% full`, description: `Grow the volume of ${store} in ${namespace} before it fills up and writes fail.` },
        },
      ]),
    },
  ];
}

/** Fires when `series` is missing or sums to less than 1 (no ready instance). */
function availability(series: string): string {
  return `absent(${series}) or sum by (namespace) (${series}) < 1`;
}
