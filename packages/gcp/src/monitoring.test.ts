import * as cloudfunctionsv2 from "@pulumi/gcp/cloudfunctionsv2";
import * as logging from "@pulumi/gcp/logging";
import * as monitoring from "@pulumi/gcp/monitoring";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import { parseSpec } from "@polycloud/core";
import { FORWARDER_SOURCE } from "./slack-forwarder";
import type { Plan } from "@polycloud/testing";
import { gcpModel, planModel } from "./__tests__/fixtures";

const spec = (monitoringSpec: Record<string, unknown> = {}) => ({
  name: "shop",
  environment: "staging" as const,
  network: { loadBalancer: { domain: "shop.example.com" } },
  services: { api: { image: "ghcr.io/acme/api:1.0.0", public: true } },
  database: {},
  monitoring: {
    alerts: { critical: [{ email: "oncall@example.com" }, { webhook: "https://hooks.example.com/page" }], warning: [{ slack: "https://hooks.slack.com/services/T000/B000/XXX" }], info: [{ email: "team@example.com" }] },
    escalateAfterMinutes: 20,
    ...monitoringSpec,
  },
});

describe("Monitoring", () => {
  // One plan of the spec serves every test that reads it (plans are costly).
  let plan: Plan;
  beforeAll(async () => {
    plan = await planModel(gcpModel(spec()));
  });

  it("creates native SLOs per service: availability at the spec's target and latency at 95% within the p95 target, over 30 rolling days", async () => {
    expect(plan.find(monitoring.GenericService).inputs.serviceId).toBe("shop-stg-api");
    expect(plan.findAll(monitoring.Slo).map((s) => [s.inputs.sloId, s.inputs.goal, s.inputs.rollingPeriodDays])).toEqual([
      ["availability", 0.995, 30],
      ["latency", 0.95, 30],
    ]);
  });

  it("alerts on both windows of each burn rate (AND), on the SLO's own name, with the severity's channels", async () => {
    const slo = plan.find(monitoring.Slo, "shop-monitoring-api-availability");
    const fast = plan.find(monitoring.AlertPolicy, "shop-monitoring-api-fast-burn");
    expect(fast.inputs).toMatchObject({ combiner: "AND", severity: "CRITICAL", userLabels: { severity: "critical", alert: "api-fast-burn" } });
    expect(fast.inputs.conditions.map((c) => c.conditionThreshold)).toEqual([
      { filter: `select_slo_burn_rate("${slo.outputs.name}", "60m")`, comparison: "COMPARISON_GT", thresholdValue: 14.4, duration: "0s" },
      { filter: `select_slo_burn_rate("${slo.outputs.name}", "5m")`, comparison: "COMPARISON_GT", thresholdValue: 14.4, duration: "0s" },
    ]);
    const critical = plan.findAll(monitoring.NotificationChannel, (c) => c.inputs.userLabels?.severity === "critical");
    expect(fast.inputs.notificationChannels).toEqual(critical.map((c) => c.id));
  });

  it("escalates each warning with a critical twin whose conditions hold escalateAfterMinutes longer", async () => {
    const warning = plan.find(monitoring.AlertPolicy, "shop-monitoring-api-slow-burn");
    const twin = plan.find(monitoring.AlertPolicy, "shop-monitoring-api-slow-burn-escalated");
    expect(warning.inputs.severity).toBe("WARNING");
    expect(twin.inputs).toMatchObject({ severity: "CRITICAL", userLabels: { severity: "critical", escalates: "api-slow-burn" } });
    expect(twin.inputs.conditions.map((c) => c.conditionThreshold?.duration)).toEqual(["1200s", "1200s"]);
    expect(plan.find(monitoring.AlertPolicy, "shop-monitoring-database-cpu-escalated").inputs.conditions[0]!.conditionThreshold?.duration).toBe(`${(15 + 20) * 60}s`);
    // Critical alerts do not escalate.
    expect(plan.findAll(monitoring.AlertPolicy, (p) => p.name === "shop-monitoring-api-fast-burn-escalated")).toEqual([]);
  });

  it("creates a channel per email and webhook route, keeping webhook URLs secret", async () => {
    const channels = plan.findAll(monitoring.NotificationChannel, (c) => c.inputs.type !== "pubsub");
    expect(channels.map((c) => [c.inputs.userLabels?.severity, c.inputs.type, c.inputs.labels])).toEqual([
      ["critical", "email", { email_address: "oncall@example.com" }],
      ["critical", "webhook_tokenauth", { url: "https://hooks.example.com/page" }],
      ["info", "email", { email_address: "team@example.com" }],
    ]);
    expect(channels[1]!.secretInputs).toContain("labels");
  });

  it("sends Slack routes through a Pub/Sub channel to a forwarder that reads the webhooks from Secret Manager, never from plain environment", async () => {
    expect(plan.find(monitoring.NotificationChannel, (c) => c.inputs.type === "pubsub").inputs.userLabels?.severity).toBe("warning");
    const fn = plan.find(cloudfunctionsv2.Function);
    expect(fn.inputs.serviceConfig?.environmentVariables).toBeUndefined();
    expect(fn.inputs.serviceConfig).toMatchObject({ ingressSettings: "ALLOW_INTERNAL_ONLY", secretEnvironmentVariables: [{ key: "SLACK_WEBHOOKS", version: "latest" }] });
    const version = plan.find(secretmanager.SecretVersion, "shop-monitoring-slack-webhooks-version");
    expect(JSON.parse(version.inputs.secretData!)).toEqual({ warning: ["https://hooks.slack.com/services/T000/B000/XXX"] });
    expect(version.secretInputs).toContain("secretData");
    expect(FORWARDER_SOURCE).toContain('functions.cloudEvent("forward"');
  });

  it("checks each public service's health path (/healthz by default) over HTTPS and pages when it fails", async () => {
    const check = plan.find(monitoring.UptimeCheckConfig);
    expect(check.inputs).toMatchObject({ httpCheck: { path: "/healthz", port: 443, useSsl: true, validateSsl: true }, monitoredResource: { type: "uptime_url", labels: { host: "shop.example.com", project_id: "acme-shop" } } });
    const policy = plan.find(monitoring.AlertPolicy, "shop-monitoring-api-uptime");
    expect(policy.inputs.conditions[0]!.conditionThreshold?.filter).toBe(`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.labels.check_id="${check.outputs.uptimeCheckId}"`);
  });

  it("keeps the services' logs for the log retention in a log bucket of the application", async () => {
    const bucket = plan.find(logging.ProjectBucketConfig, "shop-monitoring-logs");
    expect(bucket.inputs).toMatchObject({ project: "acme-shop", location: "europe-west1", bucketId: "shop-stg-logs", retentionDays: 30 });
    expect(bucket.options.protect).toBe(false);
    expect(plan.find(logging.ProjectSink, "shop-monitoring-logs").inputs).toMatchObject({ destination: `logging.googleapis.com/${bucket.id}`, filter: 'resource.type="cloud_run_revision" AND resource.labels.service_name=("shop-stg-api")' });
  });

  it("builds a dashboard unless the spec turns it off", async () => {
    const dashboard = JSON.parse(plan.find(monitoring.Dashboard).inputs.dashboardJson) as { mosaicLayout: { tiles: unknown[] } };
    expect(dashboard.mosaicLayout.tiles).toHaveLength(3);
    expect(plan.outputs["alerts"]).toBe(plan.findAll(monitoring.AlertPolicy).length);
    (await planModel(gcpModel(spec({ dashboard: false })))).resourceCountIs(monitoring.Dashboard, 0);
  });

  it("names every policy's severity in Cloud Monitoring's terms (info as WARNING, labelled info)", async () => {
    const severities = new Set(plan.findAll(monitoring.AlertPolicy).map((p) => `${p.inputs.userLabels?.severity}:${p.inputs.severity}`));
    expect([...severities].sort()).toEqual(["critical:CRITICAL", "warning:WARNING"]);
    expect(parseSpec(spec()).monitoring.escalateAfterMinutes).toBe(20);
  });
});
