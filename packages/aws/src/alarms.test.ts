import { burnRateAlerts, latencyBurnRateAlerts } from "@polycloud/core";
import { escalationOf, type EscalationPolicy } from "@polycloud/core";
import {
  alarmWindow,
  cacheAlarms,
  databaseAlarms,
  deploymentAlarmSpec,
  deploymentHealthAlarmSpec,
  deploymentMinimumRequests,
  errorRatioQueries,
  escalations,
  fastRequestsStatistic,
  maxEvaluationSeconds,
  pendingMinutes,
  serviceAlarms,
  type AlarmSpec,
} from "./alarms";
import { alarmFires, inPeriods, type PeriodSums } from "./__tests__/metric-math";

const slo = { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 };
const service = { name: "api", loadBalancer: "app/shop-api/1", cluster: "shop-dev-api", ecsService: "shop-dev-api" };

describe("alarmWindow", () => {
  it.each([
    [5, { period: 300, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [60, { period: 3600, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [1440, { period: 86_400, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    // The 3-day slow burn: one 3-day period, the error ratio over all of it (not three days that must each breach).
    [4320, { period: 259_200, evaluationPeriods: 1, datapointsToAlarm: 1 }],
    [10_080, { period: 604_800, evaluationPeriods: 1, datapointsToAlarm: 1 }],
  ])("maps a %i-minute window to %j", (minutes, window) => {
    expect(alarmWindow(minutes)).toEqual(window);
  });

  it.each([0, 2.5, 10_081])("refuses a %p-minute window, which is not one CloudWatch period within its 7-day evaluation range", (minutes) => {
    expect(() => alarmWindow(minutes)).toThrow(RangeError);
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
    const burns = [...burnRateAlerts(slo), ...latencyBurnRateAlerts(slo)];
    expect(set.composites.map((c) => [c.id, c.severity, c.memberIds])).toEqual(
      burns.map((b) => [`service-api-${b.name}`, b.severity, [`service-api-${b.name}-long`, `service-api-${b.name}-short`]]),
    );
    const fast = set.alarms.find((a) => a.id === "service-api-fast-burn-long")!;
    expect(fast).toMatchObject({ threshold: 0.0144, window: { period: 3600 }, routed: false });
    expect(set.alarms.find((a) => a.id === "service-api-fast-burn-short")!.window.period).toBe(300);
  });

  it("alarms on p95 target response time in seconds when given a latency target", () => {
    const p95 = set.alarms.filter((a) => a.metric?.metricName === "TargetResponseTime" && a.metric.extendedStatistic === "p95");
    expect(p95.map((a) => [a.id, a.severity, a.comparisonOperator, a.threshold])).toEqual([
      ["service-api-latency-p95-critical", "critical", "GreaterThanOrEqualToThreshold", 0.4],
      ["service-api-latency-p95-warning", "warning", "GreaterThanOrEqualToThreshold", 0.2],
    ]);
  });

  it("burns the latency budget on the share of requests answered within the target when given a latency target", () => {
    const windows = set.alarms.filter((a) => a.id.includes("latency-") && a.id.includes("-burn-"));
    expect(windows.map((a) => [a.id, a.severity, a.comparisonOperator, a.threshold, a.window.period, a.window.evaluationPeriods])).toEqual([
      // 72%, 30% and 5% of requests slower than 200 ms: at most 28%, 70% and 95% within it.
      ["service-api-latency-fast-burn-long", "critical", "LessThanOrEqualToThreshold", 28, 3600, 1],
      ["service-api-latency-fast-burn-short", "critical", "LessThanOrEqualToThreshold", 28, 300, 1],
      ["service-api-latency-medium-burn-long", "critical", "LessThanOrEqualToThreshold", 70, 21_600, 1],
      ["service-api-latency-medium-burn-short", "critical", "LessThanOrEqualToThreshold", 70, 1800, 1],
      ["service-api-latency-slow-burn-long", "warning", "LessThanOrEqualToThreshold", 95, 259_200, 1],
      ["service-api-latency-slow-burn-short", "warning", "LessThanOrEqualToThreshold", 95, 21_600, 1],
    ]);
    for (const alarm of windows) {
      expect(alarm).toMatchObject({
        metric: { namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: { LoadBalancer: "app/shop-api/1" }, extendedStatistic: "PR(0:0.2)" },
        treatMissingData: "notBreaching",
        routed: false,
      });
      expect(alarm.metric?.statistic).toBeUndefined();
    }
    expect(set.composites.find((c) => c.id === "service-api-latency-fast-burn")).toMatchObject({
      severity: "critical",
      description: expect.stringContaining("api: Latency budget burning 14.4x too fast"),
    });
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

describe("fastRequestsStatistic", () => {
  it.each([
    [200, "PR(0:0.2)"],
    [1500, "PR(0:1.5)"],
    [30, "PR(0:0.03)"],
    [70, "PR(0:0.07)"],
  ])("counts requests answered within %i ms as a percentile rank in seconds", (ms, statistic) => {
    expect(fastRequestsStatistic(ms)).toBe(statistic);
  });
});

describe("databaseAlarms", () => {
  it("warns at 5% free storage (below autoscaling's 10% trigger), 80% CPU and 80% of max_connections when given a small 50 GiB database", () => {
    const { alarms } = databaseAlarms({ name: "db", identifier: "shop-dev-db", size: "small", storageGb: 50 });
    expect(alarms.map((a) => [a.id, a.severity, a.comparisonOperator, a.threshold])).toEqual([
      ["database-db-cpu", "warning", "GreaterThanOrEqualToThreshold", 80],
      // 2.5 GiB: autoscaling grows a 50 GiB volume at 5 GiB free already.
      ["database-db-free-storage", "warning", "LessThanOrEqualToThreshold", 2_684_354_560],
      ["database-db-connections", "warning", "GreaterThanOrEqualToThreshold", 180],
    ]);
    expect(alarms[1]!.description).toContain("below the 10% at which storage autoscaling grows it");
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

describe("escalations", () => {
  const set = serviceAlarms(service, slo);
  const policy = (afterMinutes: number): EscalationPolicy => ({ from: "warning", to: "critical", afterMinutes });

  it("escalates each routed warning to critical on the same metric over its window plus the delay when given 15 minutes", () => {
    const escalated = escalations(set, policy(15)).alarms.filter((a) => a.routed);
    expect(escalated.map((a) => [a.id, a.severity, a.window, a.escalates])).toEqual([
      ["service-api-latency-p95-warning-escalated", "critical", { period: 900, evaluationPeriods: 2, datapointsToAlarm: 2 }, "service-api-latency-p95-warning"],
      ["service-api-error-rate-escalated", "critical", { period: 900, evaluationPeriods: 2, datapointsToAlarm: 2 }, "service-api-error-rate"],
      ["service-api-cpu-escalated", "critical", { period: 300, evaluationPeriods: 6, datapointsToAlarm: 6 }, "service-api-cpu"],
      ["service-api-memory-escalated", "critical", { period: 300, evaluationPeriods: 6, datapointsToAlarm: 6 }, "service-api-memory"],
    ]);
    const original = set.alarms.find((a) => a.id === "service-api-cpu")!;
    expect(escalated[2]).toMatchObject({ metric: original.metric, threshold: original.threshold, comparisonOperator: original.comparisonOperator, routed: true });
  });

  it.each([15, 20])("fires an escalation exactly when core's escalationOf says, in whole periods (delay %i minutes)", (minutes) => {
    for (const twin of escalations(set, policy(minutes)).alarms.filter((a) => a.routed)) {
      const original = set.alarms.find((a) => a.id === twin.escalates)!;
      expect({ severity: twin.severity, pendingMinutes: pendingMinutes(twin.window), periodMinutes: twin.window.period / 60 }).toEqual(
        escalationOf({ severity: original.severity, pendingMinutes: pendingMinutes(original.window), periodMinutes: original.window.period / 60 }, policy(minutes)),
      );
    }
  });

  it.each([
    [20, 900, 3],
    [16, 300, 3 + 4],
    [1440, 300, 288],
  ])("covers at least %i minutes within CloudWatch's one-day range for %i-second periods", (minutes, period, periods) => {
    const warning = escalations(set, policy(minutes)).alarms.find((a) => a.routed && a.window.period === period)!;
    expect(warning.window.evaluationPeriods).toBe(periods);
  });

  it("escalates a warning composite through the twins of its windows, which do not notify by themselves", () => {
    const escalated = escalations(set, policy(15));
    expect(escalated.composites.map((c) => [c.id, c.severity, c.memberIds, c.escalates])).toEqual([
      ["service-api-slow-burn-escalated", "critical", ["service-api-slow-burn-long-escalated", "service-api-slow-burn-short-escalated"], "service-api-slow-burn"],
      ["service-api-latency-slow-burn-escalated", "critical", ["service-api-latency-slow-burn-long-escalated", "service-api-latency-slow-burn-short-escalated"], "service-api-latency-slow-burn"],
    ]);
    const windows = escalated.alarms.filter((a) => !a.routed);
    expect(windows.map((a) => a.id)).toEqual([
      "service-api-slow-burn-long-escalated",
      "service-api-slow-burn-short-escalated",
      "service-api-latency-slow-burn-long-escalated",
      "service-api-latency-slow-burn-short-escalated",
    ]);
    // CloudWatch counts whole periods: a window that is one 3-day period escalates one period (3 days) later,
    // still within the 7-day evaluation range.
    expect(windows[0]!.window).toEqual({ period: 259_200, evaluationPeriods: 2, datapointsToAlarm: 2 });
  });

  it("leaves critical alarms and the windows of critical burn rates alone when escalating", () => {
    const { alarms, composites } = escalations(set, policy(15));
    const ids = [...alarms, ...composites].map((a) => a.id);
    expect(ids.filter((id) => /fast-burn|medium-burn|critical/.test(id))).toEqual([]);
  });
});

describe("CloudWatch's limits", () => {
  it("keeps every alarm and escalation to whole minutes within CloudWatch's evaluation range (PutMetricAlarm: 7 days, 1 day under an hour)", () => {
    const set = serviceAlarms(service, slo);
    const escalated = escalations(set, { from: "warning", to: "critical", afterMinutes: 1440 });
    for (const alarm of [...set.alarms, ...escalated.alarms, deploymentAlarmSpec(service, slo)]) {
      const { period, evaluationPeriods, datapointsToAlarm } = alarm.window;
      expect(period % 60).toBe(0);
      expect(period * evaluationPeriods).toBeLessThanOrEqual(maxEvaluationSeconds(period));
      expect(datapointsToAlarm).toBeLessThanOrEqual(evaluationPeriods);
    }
  });
});

describe("what the burn-rate alarms do on a series", () => {
  const long = serviceAlarms(service, slo).alarms.find((a) => a.id === "service-api-slow-burn-long")!;
  /** 72 hours of 1000 requests each, `errors(hour)` of them 5xx answered by targets, oldest first. */
  const hours = (errors: (hour: number) => number): PeriodSums[] =>
    Array.from({ length: 72 }, (_, hour) => ({ RequestCount: 1000, HTTPCode_Target_5XX_Count: errors(hour) }));

  it("fires on a 3-day burn concentrated in one day: the ratio of the whole window reaches the budget's 0.1%", () => {
    // 4 errors an hour on the first day, none after: 96 of 72,000 requests, 0.13% over 3 days.
    const concentrated = hours((hour) => (hour < 24 ? 4 : 0));
    expect(alarmFires(long, inPeriods(long, concentrated))).toBe(true);
    // Three daily periods that must each breach, as before, never see it: days two and three are clean.
    const daily: AlarmSpec = { ...long, window: { period: 86_400, evaluationPeriods: 3, datapointsToAlarm: 3 }, metricQueries: errorRatioQueries(service.loadBalancer, 86_400) };
    expect(alarmFires(daily, inPeriods(daily, concentrated))).toBe(false);
  });

  it("stays silent when the window's ratio stays under the budget, however it is spread", () => {
    // 1 error every other hour: 36 of 72,000 requests, 0.05%.
    expect(alarmFires(long, inPeriods(long, hours((hour) => hour % 2)))).toBe(false);
    // All 60 errors in one hour (6%!) are still 0.083% of three days: the fast burn's business, not this one's.
    expect(alarmFires(long, inPeriods(long, hours((hour) => (hour === 70 ? 60 : 0))))).toBe(false);
  });
});

describe("deploymentAlarmSpec", () => {
  const alarm = deploymentAlarmSpec({ name: "shop-api", loadBalancer: "app/shop-api/1" }, slo);
  const fiveMinutes = (requests: number, target5xx: number, elb5xx = 0): PeriodSums[] => [
    { RequestCount: requests, HTTPCode_Target_5XX_Count: target5xx, HTTPCode_ELB_5XX_Count: elb5xx },
  ];

  it("watches the error ratio at or above the SLO over 5 minutes of at least 3000 requests, without notifying by itself", () => {
    expect(alarm).toMatchObject({
      severity: "warning",
      threshold: 0.001,
      window: { period: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
      metricQueries: errorRatioQueries("app/shop-api/1", 300, 3000),
      treatMissingData: "notBreaching",
      routed: false,
    });
  });

  it.each([
    ["one 5xx in 20 requests", false, fiveMinutes(20, 1)],
    ["two 5xx in 20 requests", false, fiveMinutes(20, 2)],
    ["three 5xx in 20 requests", true, fiveMinutes(20, 3)],
    ["every one of 3 requests failing", true, fiveMinutes(3, 3)],
    ["two from targets and one from the load balancer in 500 requests", true, fiveMinutes(500, 2, 1)],
    ["9 5xx in 10,000 requests (0.09%)", false, fiveMinutes(10_000, 9)],
    ["10 5xx in 10,000 requests (0.1%)", true, fiveMinutes(10_000, 10)],
    ["no traffic at all", false, [{}]],
  ])("on %s, rolls back: %p", (_, fires, series) => {
    expect(alarmFires(alarm, series)).toBe(fires);
  });

  it.each([
    [0.1, 3000],
    [0.3, 1000],
    [1, 300],
    [5, 60],
  ])("needs 3 errors below the minimum request count, exactly, when the SLO allows %p%% errors (N = %i)", (errorRatePercent, minimum) => {
    expect(deploymentMinimumRequests({ errorRatePercent })).toBe(minimum);
    const spec = deploymentAlarmSpec({ name: "api", loadBalancer: "lb" }, { errorRatePercent });
    expect(alarmFires(spec, fiveMinutes(minimum - 1, 2))).toBe(false);
    expect(alarmFires(spec, fiveMinutes(minimum - 1, 3))).toBe(true);
  });
});

describe("deploymentHealthAlarmSpec", () => {
  // 60 s grace and 15 s checks: a task is healthy within 90 s, so 3 minutes of unhealthy targets out of 6 are a failure.
  const alarm = deploymentHealthAlarmSpec({ name: "api", loadBalancer: "app/lb/1", targetGroups: ["targetgroup/blue/1", "targetgroup/green/2"] }, { intervalSeconds: 15, gracePeriodSeconds: 60 });
  const minutes = (green: readonly number[]): PeriodSums[] => green.map((unhealthy) => ({ unhealthy0: 0, unhealthy1: unhealthy }));

  it("counts unhealthy targets of both target groups per minute, by target group and load balancer", () => {
    expect(alarm.window).toEqual({ period: 60, evaluationPeriods: 6, datapointsToAlarm: 3 });
    expect(alarm.metricQueries!.map((q) => (q.metric as { dimensions?: unknown } | undefined)?.dimensions ?? q.expression)).toEqual([
      { TargetGroup: "targetgroup/blue/1", LoadBalancer: "app/lb/1" },
      { TargetGroup: "targetgroup/green/2", LoadBalancer: "app/lb/1" },
      "FILL(unhealthy0, 0) + FILL(unhealthy1, 0)",
    ]);
  });

  it.each([
    ["new tasks failing their checks", true, [0, 2, 2, 2, 2, 2]],
    ["failing tasks replaced again and again (gaps while they restart)", true, [2, 0, 2, 2, 0, 2]],
    ["slow starters unhealthy for 2 minutes, then healthy", false, [0, 2, 2, 0, 0, 0]],
    ["a healthy deployment, or none (the idle target group has no targets)", false, [0, 0, 0, 0, 0, 0]],
  ])("on %s, rolls back: %p", (_, fires, green) => {
    expect(alarmFires(alarm, minutes(green))).toBe(fires);
  });
});
