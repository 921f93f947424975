import { burnRateAlerts } from "@polycloud/core";
import { alarmWindow, cacheAlarms, databaseAlarms, errorRatioQueries, escalationAlarms, serviceAlarms } from "./alarms";

const slo = { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 };
const service = { name: "api", loadBalancer: "app/shop-api/1", cluster: "shop-dev-api", ecsService: "shop-dev-api" };

describe("alarmWindow", () => {
  it.each([
    [5, { period: 300, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [60, { period: 3600, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [1440, { period: 86_400, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [4320, { period: 86_400, evaluationPeriods: 3, datapointsToAlarm: 3 }],
  ])("maps a %i-minute window to %j", (minutes, window) => {
    expect(alarmWindow(minutes)).toEqual(window);
  });
});

describe("errorRatioQueries", () => {
  it("divides target and load balancer 5xx by requests, 0 without traffic, when given a load balancer", () => {
    const queries = errorRatioQueries("app/shop-api/1", 300);
    expect(queries.filter((q) => q.returnData)).toEqual([
      { id: "errorRatio", label: "Error ratio over 5m", expression: "IF(requests > 0, (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)", returnData: true },
    ]);
    expect(queries.map((q) => (q.metric as { metricName?: string } | undefined)?.metricName).filter(Boolean)).toEqual([
      "HTTPCode_Target_5XX_Count",
      "HTTPCode_ELB_5XX_Count",
      "RequestCount",
    ]);
  });
});

describe("serviceAlarms", () => {
  const set = serviceAlarms(service, slo);

  it("pairs a long and a short window per burn rate and joins them in a composite when given an SLO", () => {
    const burns = burnRateAlerts(slo);
    expect(set.composites.map((c) => [c.id, c.severity, c.memberIds])).toEqual(
      burns.map((b) => [`service-api-${b.name}`, b.severity, [`service-api-${b.name}-long`, `service-api-${b.name}-short`]]),
    );
    const fast = set.alarms.find((a) => a.id === "service-api-fast-burn-long")!;
    expect(fast).toMatchObject({ threshold: 0.0144, window: { period: 3600 }, routed: false });
    expect(set.alarms.find((a) => a.id === "service-api-fast-burn-short")!.window.period).toBe(300);
  });

  it("alarms on p95 target response time in seconds when given a latency target", () => {
    expect(set.alarms.filter((a) => a.metric?.metricName === "TargetResponseTime").map((a) => [a.severity, a.threshold, a.metric?.extendedStatistic])).toEqual([
      ["critical", 0.4, "p95"],
      ["warning", 0.2, "p95"],
    ]);
  });

  it("routes every alarm that is not a composite member when given an SLO", () => {
    expect(set.alarms.filter((a) => a.routed).map((a) => a.id)).toEqual([
      "service-api-latency-p95-critical",
      "service-api-latency-p95-warning",
      "service-api-error-rate",
      "service-api-cpu",
      "service-api-memory",
    ]);
  });
});

describe("databaseAlarms", () => {
  it("alarms at 10% free storage, 80% CPU and 80% of max_connections when given a small 50 GiB database", () => {
    const { alarms } = databaseAlarms({ name: "db", identifier: "shop-dev-db", size: "small", storageGb: 50 });
    expect(alarms.map((a) => [a.id, a.severity, a.comparisonOperator, a.threshold])).toEqual([
      ["database-db-cpu", "warning", "GreaterThanOrEqualToThreshold", 80],
      ["database-db-free-storage", "critical", "LessThanOrEqualToThreshold", 5_368_709_120],
      ["database-db-connections", "warning", "GreaterThanOrEqualToThreshold", 180],
    ]);
  });
});

describe("cacheAlarms", () => {
  it("alarms on memory and engine CPU per node when given two nodes", () => {
    const { alarms } = cacheAlarms({ name: "cache", nodeIds: ["c-001", "c-002"] });
    expect(alarms.map((a) => [a.id, a.metric?.dimensions])).toEqual([
      ["cache-c-001-memory", { CacheClusterId: "c-001" }],
      ["cache-c-001-engine-cpu", { CacheClusterId: "c-001" }],
      ["cache-c-002-memory", { CacheClusterId: "c-002" }],
      ["cache-c-002-engine-cpu", { CacheClusterId: "c-002" }],
    ]);
  });
});

describe("escalationAlarms", () => {
  const { alarms } = serviceAlarms(service, slo);

  it("escalates each routed warning to critical on the same metric over its window plus the delay when given 15 minutes", () => {
    const escalated = escalationAlarms(alarms, 15);
    expect(escalated.map((a) => [a.id, a.severity, a.window])).toEqual([
      ["service-api-latency-p95-warning-escalated", "critical", { period: 900, evaluationPeriods: 2, datapointsToAlarm: 2 }],
      ["service-api-error-rate-escalated", "critical", { period: 900, evaluationPeriods: 2, datapointsToAlarm: 2 }],
      ["service-api-cpu-escalated", "critical", { period: 300, evaluationPeriods: 6, datapointsToAlarm: 6 }],
      ["service-api-memory-escalated", "critical", { period: 300, evaluationPeriods: 6, datapointsToAlarm: 6 }],
    ]);
    const original = alarms.find((a) => a.id === "service-api-cpu")!;
    expect(escalated[2]).toMatchObject({ metric: original.metric, threshold: original.threshold, comparisonOperator: original.comparisonOperator, routed: true });
  });

  it.each([
    [20, 900, 3],
    [16, 300, 3 + 4],
    [1440, 300, 288],
  ])("covers at least %i minutes within CloudWatch's one-day range for %i-second periods", (minutes, period, periods) => {
    const warning = escalationAlarms(alarms, minutes).find((a) => a.window.period === period)!;
    expect(warning.window.evaluationPeriods).toBe(periods);
  });

  it("leaves critical alarms and burn-rate windows alone when escalating", () => {
    const ids = escalationAlarms(alarms, 15).map((a) => a.id);
    expect(ids.some((id) => id.includes("burn") || id.includes("critical"))).toBe(false);
  });
});
