import { sloAlerts } from "@polycloud/core";
import { burnRateExpr, burnRateHoldMinutes, durationMinutes, errorRatio, formatDuration, formatNumber, latencyQuantile, requestRate, sloAlertingRules, withEscalations } from "./promql";

const api = { namespace: "shop-prd", service: "api" };

describe("errorRatio", () => {
  it.each([
    [{}, 'sum by (namespace, service) (rate(http_requests_total{namespace="shop-prd",service="api",code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total{namespace="shop-prd",service="api"}[5m]))'],
    [{ requests: "requests_total", statusLabel: "status" }, 'sum by (namespace, service) (rate(requests_total{namespace="shop-prd",service="api",status=~"5.."}[5m])) / sum by (namespace, service) (rate(requests_total{namespace="shop-prd",service="api"}[5m]))'],
  ])("queries the 5xx share with metrics %j", (metrics, expected) => {
    expect(errorRatio(api, "5m", metrics)).toBe(expected);
  });
});

describe("latencyQuantile", () => {
  it("queries the histogram quantile by le", () => {
    expect(latencyQuantile(api, "5m", 0.95)).toBe(
      'histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{namespace="shop-prd",service="api"}[5m])))',
    );
  });
  it.each([0, 1, 1.5])("throws when the quantile is %p", (q) => {
    expect(() => latencyQuantile(api, "5m", q)).toThrow(RangeError);
  });
});

describe("requestRate", () => {
  it("sums the request rate", () => {
    expect(requestRate(api, "1m")).toBe('sum by (namespace, service) (rate(http_requests_total{namespace="shop-prd",service="api"}[1m]))');
  });
});

describe("formatNumber", () => {
  it.each([
    [0.1 * 14.4, "1.44"],
    [0.001 * 14.4, "0.0144"],
    [0.2, "0.2"],
    [1, "1"],
  ])("prints %p as %s", (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });
});

describe("burnRateExpr", () => {
  it("requires both windows to reach the threshold", () => {
    const expr = burnRateExpr(api, "1h", "5m", 0.0144);
    expect(expr).toBe(`(${errorRatio(api, "1h")}) >= 0.0144\nand\n(${errorRatio(api, "5m")}) >= 0.0144`);
  });
});

describe("sloAlertingRules", () => {
  const rules = sloAlertingRules(api, sloAlerts({ availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 }));

  it("names, labels, thresholds and holds each rule from core's SLO alerts: every rule has a for", () => {
    // Burn rates hold half their short window (5m, 30m, 6h); the error rate 5 minutes of its 15-minute ratio.
    expect(rules.map((r) => [r.alert, r.labels.severity, r.labels.slo, r.for])).toEqual([
      ["ApiFastBurn", "critical", "burn-rate", "2m"],
      ["ApiMediumBurn", "critical", "burn-rate", "15m"],
      ["ApiSlowBurn", "warning", "burn-rate", "3h"],
      ["ApiLatencyP95Critical", "critical", "latency", "5m"],
      ["ApiLatencyP95Warning", "warning", "latency", "15m"],
      ["ApiErrorRate", "warning", "error-rate", "5m"],
      ["ApiLatencyFastBurn", "critical", "burn-rate", "2m"],
      ["ApiLatencyMediumBurn", "critical", "burn-rate", "15m"],
      ["ApiLatencySlowBurn", "warning", "burn-rate", "3h"],
    ]);
  });

  it.each([
    [5, 2],
    [30, 15],
    [360, 180],
    [1, 1],
  ])("holds a burn rate with a %i-minute short window for %i minutes", (shortWindowMinutes, minutes) => {
    expect(burnRateHoldMinutes({ shortWindowMinutes })).toBe(minutes);
  });

  it("narrows a query to one ReplicaSet's pods by the rollout hash label", () => {
    expect(errorRatio({ ...api, podTemplateHash: "abc123" }, "2m")).toContain('{namespace="shop-prd",service="api",rollouts_pod_template_hash="abc123",code=~"5.."}');
  });

  it.each([
    [0, "[1h]", "[5m]", ">= 0.0144"],
    [1, "[6h]", "[30m]", ">= 0.006"],
    [2, "[3d]", "[6h]", ">= 0.001"],
  ])("builds burn-rate rule %i over the long and short windows", (i, long, short, threshold) => {
    const expr = rules[i]!.expr;
    expect(expr).toContain(long);
    expect(expr).toContain(short);
    expect(expr).toContain(threshold);
  });

  it("compares p95 latency in seconds and the error ratio as a fraction", () => {
    expect(rules[3]!.expr).toMatch(/histogram_quantile\(0.95, .*\) >= 0.4$/);
    expect(rules[4]!.expr).toMatch(/>= 0.2$/);
    expect(rules[5]!.expr).toMatch(/\[15m\]\)\) >= 0.001$/);
    expect(rules[0]!.annotations.summary).toMatch(/^api: Error budget burning 14.4x too fast/);
  });
});

describe("durationMinutes", () => {
  it.each([
    [undefined, 0],
    ["", 0],
    ["5m", 5],
    ["1h30m", 90],
    ["90s", 1.5],
    ["3d", 4320],
  ])("reads %p as %p minutes", (duration, minutes) => {
    expect(durationMinutes(duration)).toBe(minutes);
  });
  it.each(["5", "5 m", "m5", "1h30"])("throws for %p", (duration) => {
    expect(() => durationMinutes(duration)).toThrow(RangeError);
  });
});

describe("formatDuration", () => {
  it.each([
    [30, "30m"],
    [60, "1h"],
    [75, "75m"],
    [1.5, "90s"],
  ])("prints %p minutes as %p", (minutes, duration) => {
    expect(formatDuration(minutes)).toBe(duration);
  });
});

describe("withEscalations", () => {
  const policy = { from: "warning", to: "critical", afterMinutes: 15 } as const;
  const rule = (alert: string, severity: string, holdFor?: string) => ({ alert, expr: `${alert}_expr > 1`, ...(holdFor === undefined ? {} : { for: holdFor }), labels: { severity, service: "api" }, annotations: { summary: alert, description: "d" } });

  it("adds an escalation after each warning and none after critical or info rules", () => {
    const rules = withEscalations([rule("A", "critical"), rule("B", "warning", "10m"), rule("C", "info")], policy);
    expect(rules.map((r) => `${r.alert}:${r.labels["severity"]}:${r.for ?? "-"}`)).toEqual(["A:critical:-", "B:warning:10m", "BEscalated:critical:25m", "C:info:-"]);
    expect(rules[2]).toMatchObject({ expr: "B_expr > 1", labels: { service: "api", escalates: "B" } });
  });

  it.each([
    [undefined, "15m"],
    ["45m", "1h"],
    ["1h", "75m"],
  ])("holds the escalation of a warning with for %p for %p (the warning's own plus afterMinutes)", (holdFor, expected) => {
    expect(withEscalations([rule("W", "warning", holdFor)], policy)[1]!.for).toBe(expected);
  });
});
