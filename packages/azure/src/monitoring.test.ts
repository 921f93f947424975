import { runProgram, type Plan } from "@polycloud/testing";
import { RG, WORKSPACE } from "./__tests__/fixtures";
import { Monitoring, type MonitoringArgs } from "./monitoring";

const T = { group: "azure-native:monitor:ActionGroup", rule: "azure-native:monitor:ScheduledQueryRule", workbook: "azure-native:applicationinsights:Workbook" };
const slo = { availability: 99.9, latencyP95Ms: 300, errorRatePercent: 0.5 };
const alerts = { critical: [{ email: "oncall@example.com" }, { webhook: "https://hooks.example.com/page" }], warning: [{ slack: "https://hooks.slack.com/services/T/B/X" }], info: [] };

const run = (extra: Partial<MonitoringArgs> = {}) =>
  runProgram(() => {
    new Monitoring("shop-monitoring", {
      app: "shop",
      resourceGroupName: RG,
      workspaceId: WORKSPACE,
      slo,
      monitoring: { alerts, escalateAfterMinutes: 15, dashboard: true },
      services: [{ serviceName: "web", appName: "shop-dev-web-abc123" }],
      database: { serverName: "shop-dev-database-abc123" },
      ...extra,
    });
  }, { provider: "azure" });

describe("Monitoring", () => {
  // The default monitoring, planned once for every test of the defaults (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run();
  }, 60_000);

  it("defaults to one action group per severity with the spec's routes", () => {
    const plan = defaults;
    const groups = Object.fromEntries(plan.resources(T.group).map((g) => [(g.inputs["tags"] as Record<string, string>)["polycloud-severity"], g.inputs]));
    expect(groups["critical"]).toMatchObject({ location: "global", enabled: true, groupShortName: "sho-critical", emailReceivers: [{ emailAddress: "oncall@example.com", useCommonAlertSchema: true }], webhookReceivers: [{ serviceUri: "https://hooks.example.com/page", useCommonAlertSchema: true }] });
    expect(groups["warning"]).toMatchObject({ emailReceivers: [], webhookReceivers: [{ serviceUri: "https://hooks.slack.com/services/T/B/X", useCommonAlertSchema: false }] });
    expect(groups["info"]).toMatchObject({ emailReceivers: [], webhookReceivers: [] });
  });

  it("defaults to log alerts from the SLO math for each service over its requests, notifying the group of their severity", () => {
    const plan = defaults;
    const fast = plan.find(T.rule, "shop-monitoring-web-fast-burn");
    const critical = plan.find(T.group, (g) => (g.inputs["tags"] as Record<string, string>)["polycloud-severity"] === "critical");
    expect(fast.inputs).toMatchObject({
      kind: "LogAlert",
      severity: 0,
      scopes: [WORKSPACE],
      evaluationFrequency: "PT5M",
      windowSize: "PT5M",
      overrideQueryTimeRange: "PT1H",
      autoMitigate: true,
      actions: { actionGroups: [critical.id] },
      criteria: { allOf: [{ timeAggregation: "Count", operator: "GreaterThan", threshold: 0, failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 } }] },
    });
    expect(((fast.inputs["criteria"] as { allOf: { query: string }[] }).allOf[0]!.query)).toContain('AppRoleName == "web"');
    const names = plan.resources(T.rule).map((r) => r.name.replace("shop-monitoring-", ""));
    expect(names).toEqual(
      expect.arrayContaining(["web-fast-burn", "web-medium-burn", "web-slow-burn", "web-latency-p95-critical", "web-latency-p95-warning", "web-error-rate", "web-latency-fast-burn", "web-cpu", "web-memory", "database-down", "database-cpu", "database-storage"]),
    );
  });

  it("escalates every warning, and nothing else, to critical after the policy's delay", () => {
    const plan = defaults;
    const rules = plan.resources(T.rule);
    const warnings = rules.filter((r) => r.inputs["severity"] === 2);
    const escalations = rules.filter((r) => (r.inputs["tags"] as Record<string, string>)["polycloud-escalates"] !== undefined);
    expect(escalations.map((e) => (e.inputs["tags"] as Record<string, string>)["polycloud-escalates"]).sort()).toEqual(warnings.map((w) => w.name).sort());
    for (const escalation of escalations) {
      const warning = rules.find((r) => r.name === (escalation.inputs["tags"] as Record<string, string>)["polycloud-escalates"])!;
      expect(escalation.inputs).toMatchObject({ severity: 0, evaluationFrequency: "PT5M", criteria: { allOf: [{ query: (warning.inputs["criteria"] as { allOf: { query: string }[] }).allOf[0]!.query, failingPeriods: { numberOfEvaluationPeriods: 4, minFailingPeriodsToAlert: 4 } }] } });
    }
  });

  it("watches the cache's CPU and memory when a cache is given", async () => {
    const plan = await run({ cache: { clusterName: "shop-dev-cache-abc123" } });
    expect(plan.resources(T.rule).map((r) => r.name)).toEqual(expect.arrayContaining(["shop-monitoring-cache-cpu", "shop-monitoring-cache-memory"]));
  });

  it("defaults to a workbook of the services' requests, errors and latency", () => {
    const plan = defaults;
    const workbook = plan.find(T.workbook);
    expect(workbook.inputs).toMatchObject({ kind: "shared", category: "workbook", sourceId: WORKSPACE, resourceName: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) });
    expect(JSON.parse(workbook.inputs["serializedData"] as string).items.map((i: { content: { title: string } }) => i.content.title)).toEqual(["Requests", "Error ratio", "p95 latency (ms)"]);
  });

  it("creates no workbook when the dashboard is off", async () => {
    const plan = await run({ monitoring: { alerts, escalateAfterMinutes: 15, dashboard: false } });
    expect(plan.resources(T.workbook)).toHaveLength(0);
  });

  it("raises resource warnings at the given threshold when resourceThresholdPercent is set", async () => {
    const plan = await run({ resourceThresholdPercent: 70 });
    expect((plan.find(T.rule, "shop-monitoring-web-cpu").inputs["criteria"] as { allOf: { query: string }[] }).allOf[0]!.query).toContain("where value >= 70");
  });
});
