// The PrometheusRule of a planned spec, judged by Prometheus itself: `promtool check rules` parses
// it, and `promtool test rules` replays series through it. Unit tests are generated from the SLO: a
// series whose bad-request ratio burns just above each burn-rate alert's threshold fires that alert
// after its `for` (and, for a warning, its escalation after `for` + the escalation minutes), while a
// series within budget fires nothing. promtool is Debian's `prometheus` package; CI installs it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { sloAlerts, type AppModel, type SloAlert } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { backend } from "./backend";
import { burnRateHoldMinutes, durationMinutes, ERROR_RATE_HOLD_MINUTES, formatNumber, type AlertingRule } from "./promql";
import { model } from "./__tests__/fixtures";

const PROMTOOL = process.env["PROMTOOL"] ?? "promtool";
const available = spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" }).status === 0;

/** The full spec's model (production, 99.9% availability, p95 200 ms), with the SMTP settings its email routes need. */
const full: AppModel<"kubernetes"> = model();
const NAMESPACE = "shop-prd";
const SERVICE = "api";
/** Requests a minute in every generated series. */
const TRAFFIC = 1000;
/** Evaluation and scrape interval of the unit tests, in minutes. */
const STEP = 1;

interface Group {
  readonly name: string;
  readonly rules: readonly AlertingRule[];
}

/** The PrometheusRule's groups, as the backend plans them for the full spec. */
async function plannedGroups(): Promise<Group[]> {
  const plan = await runProgram(() => {
    backend.build(full, new pulumi.ComponentResource("polycloud:platform:Platform", "shop"));
  });
  return plan.find("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec.groups as Group[];
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A counter that grows by `perMinute` each minute for `length` minutes, in promtool's expanding notation. */
const counter = (perMinute: number, length: number) => `0+${formatNumber(perMinute * STEP)}x${length / STEP}`;

const minutes = (m: number) => `${m}m`;

interface Series {
  readonly series: string;
  readonly values: string;
}

/** Series where a share `bad` of the requests fails (availability) or is slower than the target (latency). */
const requests = (sli: "availability" | "latency", bad: number) => (length: number): Series[] => {
  const labels = `namespace="${NAMESPACE}",service="${SERVICE}"`;
  if (sli === "availability") {
    return [
      { series: `http_requests_total{${labels},code="200"}`, values: counter(TRAFFIC * (1 - bad), length) },
      { series: `http_requests_total{${labels},code="500"}`, values: counter(TRAFFIC * bad, length) },
    ];
  }
  const le = formatNumber(full.slo.latencyP95Ms / 1000);
  return [
    { series: `http_request_duration_seconds_bucket{${labels},le="${le}"}`, values: counter(TRAFFIC * (1 - bad), length) },
    { series: `http_request_duration_seconds_bucket{${labels},le="+Inf"}`, values: counter(TRAFFIC, length) },
    { series: `http_request_duration_seconds_count{${labels}}`, values: counter(TRAFFIC, length) },
  ];
};

interface UnitTest {
  readonly name: string;
  /** The input series, for a test of `length` minutes. */
  readonly input: (length: number) => Series[];
  /** Alert name -> evaluation minute -> the alerts expected firing then (rules, whose labels and annotations they carry). */
  readonly expect: { alertname: string; at: number; firing: readonly AlertingRule[] }[];
}

describe("the PrometheusRule under promtool", () => {
  if (!available) {
    if (process.env["CI"] !== undefined) {
      it("has promtool in CI", () => {
        throw new Error(`promtool is not installed (looked for "${PROMTOOL}"): CI must install Debian's prometheus package (apt-get install -y prometheus)`);
      });
    } else {
      it.skip(`needs promtool on PATH (Debian: apt-get install prometheus), skipped outside CI`, () => undefined);
    }
    return;
  }

  let dir = "";
  let groups: Group[] = [];
  let rules: AlertingRule[] = [];
  const rule = (alert: string) => {
    const found = rules.find((r) => r.alert === alert);
    if (found === undefined) throw new Error(`no rule ${alert} among ${rules.map((r) => r.alert).join(", ")}`);
    return found;
  };
  const escalateAfter = full.alerts.escalation.afterMinutes;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "polycloud-promtool-"));
    groups = await plannedGroups();
    rules = groups.flatMap((g) => g.rules);
    // JSON is YAML: the groups exactly as the PrometheusRule lists them.
    writeFileSync(join(dir, "rules.yaml"), JSON.stringify({ groups }, null, 2));
  }, 60_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one generated unit test file; the output names every failed expectation. */
  function run(test: UnitTest): void {
    const file = join(dir, `${test.name.replace(/[^A-Za-z0-9]+/g, "-")}.test.yaml`);
    const alertRuleTests = test.expect.map(({ alertname, at, firing }) => ({
      eval_time: minutes(at),
      alertname,
      exp_alerts: firing.map((r) => ({ exp_labels: { ...r.labels, namespace: NAMESPACE, service: SERVICE }, exp_annotations: r.annotations })),
    }));
    const length = Math.max(...test.expect.map((e) => e.at)) + 10 * STEP;
    writeFileSync(
      file,
      JSON.stringify({
        rule_files: ["rules.yaml"],
        evaluation_interval: minutes(STEP),
        tests: [{ name: test.name, interval: minutes(STEP), input_series: test.input(length), alert_rule_test: alertRuleTests }],
      }),
    );
    const result = promtool("test", "rules", file);
    if (result.status !== 0) throw new Error(`promtool test rules ${test.name}:\n${result.output}`);
  }

  it("passes promtool check rules", () => {
    const result = promtool("check", "rules", join(dir, "rules.yaml"));
    expect([result.status, result.output]).toEqual([0, expect.stringMatching(/SUCCESS: \d+ rules found/)]);
    expect(rules.length).toBeGreaterThan(10);
  });

  // Each burn-rate alert of the SLO (availability and latency), and the static error rate.
  const alerts = sloAlerts(full.slo).filter((a): a is Extract<SloAlert, { kind: "burn-rate" | "error-rate" }> => a.kind === "burn-rate" || a.kind === "error-rate");
  const alertName = (a: SloAlert) => `Api${a.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;

  it.each(alerts.map((a) => [alertName(a), a] as const))("fires %s for a series just over its threshold after its for, and escalates a warning after for + the escalation minutes", (name, alert) => {
    const warning = rule(name);
    const hold = alert.kind === "burn-rate" ? burnRateHoldMinutes(alert) : ERROR_RATE_HOLD_MINUTES;
    // The plan holds what the SLO math says.
    expect(durationMinutes(warning.for)).toBe(hold);
    const sli = alert.kind === "burn-rate" ? alert.sli : "availability";
    // 20% over the threshold: over this alert's, under the next faster one's (burn rates 1, 6, 14.4).
    const bad = Math.min(1, alert.errorRateThreshold * 1.2);
    // The ratio is defined from the second sample (minute 1): the condition holds from then on.
    const since = STEP;
    const expectations: UnitTest["expect"] = [
      { alertname: name, at: since + hold - STEP, firing: [] },
      { alertname: name, at: since + hold + STEP, firing: [warning] },
    ];
    // The faster burns of the same SLI stay silent: this series does not burn that fast.
    for (const faster of alerts.filter((a) => alert.kind === "burn-rate" && a.kind === "burn-rate" && a.sli === alert.sli && a.errorRateThreshold > bad)) {
      expectations.push({ alertname: alertName(faster), at: since + hold + STEP, firing: [] });
    }
    if (alert.severity === "warning") {
      const escalated = rule(`${name}Escalated`);
      expect(durationMinutes(escalated.for)).toBe(hold + escalateAfter);
      expectations.push(
        { alertname: escalated.alert, at: since + hold + escalateAfter - STEP, firing: [] },
        { alertname: escalated.alert, at: since + hold + escalateAfter + STEP, firing: [escalated] },
      );
    }
    run({ name, input: requests(sli, bad), expect: expectations });
  });

  it.each(["availability", "latency"] as const)("fires nothing of the service for a series within its %s budget", (sli) => {
    // Half the budget: 0.05% errors of a 99.9% SLO, 2.5% slow requests of a p95 target.
    const bad = sli === "availability" ? (100 - full.slo.availability) / 100 / 2 : 0.025;
    const latency = (r: AlertingRule) => r.labels["sli"] === "latency" || r.labels["slo"] === "latency";
    const serviceRules = rules.filter((r) => r.labels["service"] === SERVICE && (sli === "latency") === latency(r));
    expect(serviceRules.length).toBeGreaterThan(3);
    // Past every for, escalations included (the slow burn holds 3 hours).
    const at = Math.max(...serviceRules.map((r) => durationMinutes(r.for))) + 10 * STEP;
    run({ name: `${sli} within budget`, input: requests(sli, bad), expect: serviceRules.map((r) => ({ alertname: r.alert, at, firing: [] })) });
  });

  it("alerts when a store has no ready instance for 5 minutes, and not while it has one", () => {
    const unavailable = rules.filter((r) => r.alert === "StoreUnavailable");
    const postgres = unavailable.find((r) => r.labels["store"] === "postgres")!;
    const ready = (store: string, value: number) => ({ series: `kube_statefulset_status_replicas_ready{namespace="${NAMESPACE}",statefulset="${store}"}`, values: `${value}x20` });
    const file = join(dir, "stores.test.yaml");
    // The store alert's labels are the namespace (from `sum by (namespace)`) and the rule's own.
    writeFileSync(
      file,
      JSON.stringify({
        rule_files: ["rules.yaml"],
        evaluation_interval: minutes(STEP),
        tests: [
          {
            name: "stores",
            interval: minutes(STEP),
            input_series: [ready("postgres", 0), ready("redis", 1)],
            alert_rule_test: [
              { eval_time: "4m", alertname: "StoreUnavailable", exp_alerts: [] },
              { eval_time: "6m", alertname: "StoreUnavailable", exp_alerts: [{ exp_labels: { ...postgres.labels, namespace: NAMESPACE }, exp_annotations: postgres.annotations }] },
            ],
          },
        ],
      }),
    );
    const result = promtool("test", "rules", file);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
  });
});
