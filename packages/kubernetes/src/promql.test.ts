import { sloAlerts } from "@polycloud/core";
import { burnRateExpr, errorRatio, formatNumber, latencyQuantile, requestRate, sloAlertingRules } from "./promql";

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

  it("names, labels and thresholds each rule from core's SLO alerts", () => {
    expect(rules.map((r) => [r.alert, r.labels.severity, r.labels.slo, r.for])).toEqual([
      ["ApiFastBurn", "critical", "burn-rate", undefined],
      ["ApiMediumBurn", "critical", "burn-rate", undefined],
      ["ApiSlowBurn", "warning", "burn-rate", undefined],
      ["ApiLatencyP95Critical", "critical", "latency", "5m"],
      ["ApiLatencyP95Warning", "warning", "latency", "15m"],
      ["ApiErrorRate", "warning", "error-rate", undefined],
      ["ApiLatencyFastBurn", "critical", "burn-rate", undefined],
      ["ApiLatencyMediumBurn", "critical", "burn-rate", undefined],
      ["ApiLatencySlowBurn", "warning", "burn-rate", undefined],
    ]);
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
