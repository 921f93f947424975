import * as k8s from "@pulumi/kubernetes";
import { PolycloudError } from "@polycloud/core";
import { Match, runProgram } from "@polycloud/testing";
import { Monitoring, type MonitoringArgs } from "./monitoring";
import { WebService } from "./web-service";
import { FULL_SPEC, namespace, spec } from "./__tests__/fixtures";

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const ROUTING = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";

const s = spec({ monitoring: FULL_SPEC.monitoring!, database: {}, cache: {} });
const SMTP = { smarthost: "smtp.example.com:587", from: "Shop alerts <alerts@example.com>" };

function program(extra: Partial<MonitoringArgs> = {}) {
  return () => {
    const network = namespace();
    const api = new WebService("api", { app: "shop", service: s.services[0]!, network, loadBalancer: s.network.loadBalancer, slo: s.slo });
    const m = new Monitoring("monitoring", {
      app: "shop",
      network,
      slo: s.slo,
      monitoring: s.monitoring,
      services: [api],
      database: { objectName: "postgres" },
      cache: { objectName: "redis" },
      smtp: SMTP,
      ...extra,
    });
    return { alertCount: m.alertCount, dashboardUrl: m.dashboardUrl };
  };
}

describe("Monitoring", () => {
  it("scrapes each service through a ServiceMonitor on its http port, with the pods' rollout hash on every series", async () => {
    const plan = await runProgram(program());
    expect(plan.find(MONITOR).inputs.spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": "api" } },
      namespaceSelector: { matchNames: ["shop-dev"] },
      podTargetLabels: ["rollouts-pod-template-hash"],
      endpoints: [{ port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }],
    });
  });

  it("labels monitors, rules and routing with kube-prometheus-stack's release selector by default, and with the selector labels given", async () => {
    const byDefault = await runProgram(program());
    for (const type of [MONITOR, RULE, ROUTING]) expect(byDefault.find(type).inputs.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
    const custom = await runProgram(program({ selectorLabels: { prometheus: "platform" } }));
    expect(custom.find(RULE).inputs.metadata.labels).toMatchObject({ prometheus: "platform" });
    expect(custom.find(RULE).inputs.metadata.labels.release).toBeUndefined();
    // A Prometheus that selects everything: no selector label at all.
    expect((await runProgram(program({ selectorLabels: {} }))).find(RULE).inputs.metadata.labels.release).toBeUndefined();
  });

  it("gives every alerting rule a for, so one bad evaluation never fires", async () => {
    const plan = await runProgram(program());
    type Rule = { alert: string; for?: string };
    const rules = (plan.find(RULE).inputs.spec.groups as { rules: Rule[] }[]).flatMap((g) => g.rules);
    expect(rules.filter((r) => r.for === undefined).map((r) => r.alert)).toEqual([]);
    const holds = Object.fromEntries(rules.map((r) => [r.alert, r.for]));
    expect(holds).toMatchObject({ ApiErrorRate: "5m", ApiFastBurn: "2m", ApiMediumBurn: "15m", ApiSlowBurn: "3h", ApiLatencyFastBurn: "2m" });
  });

  it("creates burn-rate, latency, error-rate and store alerts labelled by severity, each warning with its escalation", async () => {
    const plan = await runProgram(program());
    const groups = plan.find(RULE).inputs.spec.groups as { name: string; rules: { alert: string; labels: { severity: string } }[] }[];
    expect(groups.map((g) => g.name)).toEqual(["api-slo", "stores"]);
    expect(groups[0]!.rules.map((r) => `${r.alert}:${r.labels.severity}`)).toEqual([
      "ApiFastBurn:critical",
      "ApiMediumBurn:critical",
      "ApiSlowBurn:warning",
      "ApiSlowBurnEscalated:critical",
      "ApiLatencyP95Critical:critical",
      "ApiLatencyP95Warning:warning",
      "ApiLatencyP95WarningEscalated:critical",
      "ApiErrorRate:warning",
      "ApiErrorRateEscalated:critical",
      "ApiLatencyFastBurn:critical",
      "ApiLatencyMediumBurn:critical",
      "ApiLatencySlowBurn:warning",
      "ApiLatencySlowBurnEscalated:critical",
    ]);
    // Per store: unavailable (critical), disk filling (warning) and its escalation.
    expect(groups[1]!.rules.map((r) => `${r.alert}:${r.labels.severity}`)).toEqual([
      "StoreUnavailable:critical",
      "StoreDiskFilling:warning",
      "StoreDiskFillingEscalated:critical",
      "StoreUnavailable:critical",
      "StoreDiskFilling:warning",
      "StoreDiskFillingEscalated:critical",
    ]);
    expect(plan.outputs.alertCount).toBe(19);
  });

  it("escalates a warning that still holds escalateAfterMinutes after it fired: same expression, critical, for the warning's for plus the minutes", async () => {
    const plan = await runProgram(program({ monitoring: { ...s.monitoring, escalateAfterMinutes: 30 } }));
    type Rule = { alert: string; expr: string; for?: string; labels: Record<string, string> };
    const rules = (plan.find(RULE).inputs.spec.groups as { rules: Rule[] }[]).flatMap((g) => g.rules);
    const rule = (alert: string, store?: string) => rules.find((r) => r.alert === alert && r.labels["store"] === store)!;
    // The p95 warning holds 15 minutes before it fires; its escalation 15 + 30.
    expect(rule("ApiLatencyP95Warning").for).toBe("15m");
    expect(rule("ApiLatencyP95WarningEscalated")).toMatchObject({ expr: rule("ApiLatencyP95Warning").expr, for: "45m", labels: { severity: "critical", escalates: "ApiLatencyP95Warning", service: "api" } });
    // The slow burn holds half its 6h short window: 3 hours; its escalation 3 hours and 30 minutes.
    expect(rule("ApiSlowBurn").for).toBe("3h");
    expect(rule("ApiSlowBurnEscalated")).toMatchObject({ expr: rule("ApiSlowBurn").expr, for: "210m", labels: { severity: "critical", escalates: "ApiSlowBurn" } });
    expect(rule("ApiErrorRateEscalated")).toMatchObject({ for: "35m", labels: { severity: "critical", escalates: "ApiErrorRate" } });
    expect(rule("StoreDiskFillingEscalated", "redis")).toMatchObject({ for: "45m", labels: { severity: "critical", escalates: "StoreDiskFilling", store: "redis" } });
    // Critical alerts are not escalated.
    expect(rules.filter((r) => r.labels["escalates"] !== undefined).every((r) => rules.find((w) => w.alert === r.labels["escalates"])!.labels["severity"] === "warning")).toBe(true);
    expect(rules.filter((r) => r.alert.endsWith("Escalated"))).toHaveLength(6);
  });

  it("burns the latency budget with the share of requests slower than the target, from the histogram bucket at the target", async () => {
    const plan = await runProgram(program());
    const rules = (plan.find(RULE).inputs.spec.groups as { rules: { alert: string; expr: string; labels: Record<string, string> }[] }[])[0]!.rules;
    const fast = rules.find((r) => r.alert === "ApiLatencyFastBurn")!;
    expect(fast.labels).toMatchObject({ severity: "critical", slo: "burn-rate", sli: "latency" });
    // A p95 target (500 ms here) lets 5% be slower; 14.4 x 5% = 0.72 over 1h and 5m.
    expect(fast.expr).toContain('1 - sum by (namespace, service) (rate(http_request_duration_seconds_bucket{namespace="shop-dev",service="api",le="0.5"}[1h]))');
    expect(fast.expr).toContain("[5m]))) >= 0.72");
    // The static p95 alerts stay.
    expect(rules.find((r) => r.alert === "ApiLatencyP95Warning")!.expr).toContain("histogram_quantile(0.95");
  });

  it("scrapes CloudNativePG instances with a PodMonitor and alerts when their metrics are missing", async () => {
    const plan = await runProgram(program({ database: { objectName: "postgres", metrics: { podSelector: { "cnpg.io/cluster": "postgres" }, port: "metrics" } } }));
    expect(plan.find("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs.spec).toEqual({
      selector: { matchLabels: { "cnpg.io/cluster": "postgres" } },
      namespaceSelector: { matchNames: ["shop-dev"] },
      podMetricsEndpoints: [{ port: "metrics", interval: "30s", scrapeTimeout: "10s" }],
    });
    const stores = (plan.find(RULE).inputs.spec.groups as { name: string; rules: { alert: string; expr: string; labels: { store: string } }[] }[]).find((g) => g.name === "stores")!.rules;
    const unavailable = (store: string) => stores.find((r) => r.alert === "StoreUnavailable" && r.labels.store === store)!.expr;
    expect(unavailable("postgres")).toBe('absent(cnpg_collector_up{namespace="shop-dev",cluster="postgres"}) or sum by (namespace) (cnpg_collector_up{namespace="shop-dev",cluster="postgres"}) < 1');
    expect(unavailable("redis")).toMatch(/^absent\(kube_statefulset_status_replicas_ready\{namespace="shop-dev",statefulset="redis"\}\) or /);
  });

  it("creates no PodMonitor for a plain StatefulSet database", async () => {
    const plan = await runProgram(program());
    plan.resourceCountIs("kubernetes:monitoring.coreos.com/v1:PodMonitor", 0);
  });

  it("routes each severity to the spec's receivers and keeps webhook URLs in a Secret", async () => {
    const plan = await runProgram(program());
    const spec = plan.find(ROUTING).inputs.spec;
    expect(spec.route.routes).toEqual([
      // A normal repeat: escalation is the PrometheusRule's escalation rules, not a faster repeat.
      { receiver: "critical", matchers: [{ name: "severity", value: "critical", matchType: "=" }], repeatInterval: "1h" },
      { receiver: "warning", matchers: [{ name: "severity", value: "warning", matchType: "=" }], repeatInterval: "4h" },
      { receiver: "info", matchers: [{ name: "severity", value: "info", matchType: "=" }] },
    ]);
    const email = (to: string) => ({ to, from: SMTP.from, smarthost: SMTP.smarthost, requireTLS: true, sendResolved: true });
    expect(spec.receivers).toEqual([
      {
        name: "critical",
        emailConfigs: [email("oncall@example.com")],
        webhookConfigs: [{ urlSecret: { name: "shop-alert-receivers", key: "critical-1" }, sendResolved: true }],
      },
      { name: "warning", slackConfigs: [{ apiURL: { name: "shop-alert-receivers", key: "warning-0" }, sendResolved: true }] },
      { name: "info", emailConfigs: [email("team@example.com")] },
    ]);
    const secret = plan.find(k8s.core.v1.Secret, { metadata: { name: "shop-alert-receivers" } });
    expect(secret.inputs.stringData).toEqual({ "critical-1": "https://hooks.example.com/page", "warning-0": "https://hooks.slack.com/services/T000/B000/XXX" });
    expect(secret.secretInputs).toContain("stringData");
    expect(JSON.stringify(spec)).not.toContain("hooks.");
  });

  it("sends email with the SMTP settings, authenticating with a password from a Secret of the namespace", async () => {
    const smtp = { ...SMTP, authUsername: "alerts", authPasswordSecret: { name: "smtp", key: "password" }, requireTLS: false };
    const plan = await runProgram(program({ smtp }));
    const receivers = plan.find(ROUTING).inputs.spec.receivers as { name: string; emailConfigs?: unknown[] }[];
    expect(receivers.find((r) => r.name === "critical")!.emailConfigs).toEqual([
      { to: "oncall@example.com", from: SMTP.from, smarthost: "smtp.example.com:587", authUsername: "alerts", authPassword: { name: "smtp", key: "password" }, requireTLS: false, sendResolved: true },
    ]);
  });

  it("refuses email routes without SMTP settings, naming each route and the option, before creating anything", async () => {
    const build = () => new Monitoring("monitoring", { app: "shop", network: namespace(), slo: s.slo, monitoring: s.monitoring, services: [] });
    expect(build).toThrow(PolycloudError);
    expect(build).toThrow(/monitoring\.alerts\.critical\[0\]\.email: "oncall@example\.com" cannot be sent: email needs an SMTP server/);
    expect(build).toThrow(/monitoring\.alerts\.info\[0\]\.email/);
    expect(build).toThrow(/providers\.kubernetes\.smtp/);
    // Webhook and Slack routes need no SMTP.
    const hooks = { ...s.monitoring, alerts: { critical: [{ webhook: "https://hooks.example.com/page" }], warning: [], info: [] } };
    const plan = await runProgram(() => {
      new Monitoring("hooks", { app: "shop", network: namespace(), slo: s.slo, monitoring: hooks, services: [] });
    });
    plan.resourceCountIs(ROUTING, 1);
  });

  it.each([
    [{ smarthost: "smtp.example.com", from: "alerts@example.com" }, /smtp\.smarthost: "smtp\.example\.com" is not host:port/],
    [{ smarthost: "smtp.example.com:99999", from: "alerts@example.com" }, /smtp\.smarthost/],
    [{ smarthost: "smtp.example.com:587", from: "alerts" }, /smtp\.from: "alerts" is not an email address/],
    [{ smarthost: "smtp.example.com:587", from: "alerts@example.com", authPasswordSecret: { name: "smtp", key: "password" } }, /smtp\.authPasswordSecret: is set without authUsername/],
  ])("refuses SMTP settings the operator would reject: %j", (smtp, message) => {
    expect(() => new Monitoring("monitoring", { app: "shop", network: namespace(), slo: s.slo, monitoring: s.monitoring, services: [], smtp })).toThrow(message);
  });

  it("publishes a golden-signals dashboard in Grafana's namespace for the sidecar, and its URL when grafanaUrl is given", async () => {
    const plan = await runProgram(program({ grafanaUrl: "https://grafana.example.com/" }));
    const dashboard = plan.find(k8s.core.v1.ConfigMap).inputs;
    // kube-prometheus-stack's Grafana runs in the monitoring namespace; named after the application's namespace, so environments never collide there.
    expect(dashboard.metadata).toMatchObject({ name: "shop-dev-dashboard", namespace: "monitoring" });
    expect(dashboard.metadata!.labels).toMatchObject({ grafana_dashboard: "1", release: "kube-prometheus-stack" });
    expect(Object.keys(dashboard.data!)).toEqual(["shop-dev.json"]);
    expect((await runProgram(program({ dashboardNamespace: "grafana" }))).find(k8s.core.v1.ConfigMap).inputs.metadata!.namespace).toBe("grafana");
    const model = JSON.parse(dashboard.data!["shop-dev.json"]!) as { panels: { title: string }[] };
    expect(model.panels.map((p) => p.title)).toEqual(["api: traffic", "api: error ratio", "api: p95 latency", "api: CPU", "api: memory"]);
    expect(plan.outputs.dashboardUrl).toBe("https://grafana.example.com/d/shop-dev-golden-signals");
    plan.hasResource(RULE, { metadata: { labels: Match.objectLike({ release: "kube-prometheus-stack" }) } });
  });

  it("creates no dashboard when the spec turns it off", async () => {
    const plan = await runProgram(program({ monitoring: { ...s.monitoring, dashboard: false } }));
    plan.resourceCountIs(k8s.core.v1.ConfigMap, 0);
    expect(plan.outputs.dashboardUrl).toBeUndefined();
  });
});
