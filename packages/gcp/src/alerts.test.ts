import { availabilitySli, burnRateFilter, cacheConditions, databaseConditions, escalationMinutes, latencySli, serviceSlos, uptimeFilter } from "./alerts";

describe("alert definitions", () => {
  it("selects an SLO's burn rate with select_slo_burn_rate(name, lookback) as Cloud Monitoring documents it", () => {
    expect(burnRateFilter("projects/123/services/shop-prd-api/serviceLevelObjectives/availability", 60)).toBe('select_slo_burn_rate("projects/123/services/shop-prd-api/serviceLevelObjectives/availability", "60m")');
  });

  it("measures availability as 5xx responses against all of Cloud Run's request_count, for one service", () => {
    expect(availabilitySli("shop-prd-api")).toEqual({
      totalServiceFilter: 'metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.labels.service_name="shop-prd-api"',
      badServiceFilter: 'metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.labels.service_name="shop-prd-api" AND metric.labels.response_code_class="5xx"',
    });
  });

  it("measures latency as requests within the p95 target on Cloud Run's request_latencies (milliseconds)", () => {
    expect(latencySli("shop-prd-api", 200)).toEqual({ distributionFilter: 'metric.type="run.googleapis.com/request_latencies" AND resource.type="cloud_run_revision" AND resource.labels.service_name="shop-prd-api"', range: { min: 0, max: 200 } });
  });

  it("derives each SLO's goal and the workbook's burn-rate windows from core's SLO math", () => {
    const [availability, latency] = serviceSlos({ availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 });
    expect(availability!.goal).toBe(0.999);
    expect(latency!.goal).toBe(0.95);
    expect(availability!.alerts.map((a) => [a.name, a.severity, a.burnRate, a.longWindowMinutes, a.shortWindowMinutes])).toEqual([
      ["fast-burn", "critical", 14.4, 60, 5],
      ["medium-burn", "critical", 6, 360, 30],
      ["slow-burn", "warning", 1, 4320, 360],
    ]);
    expect(latency!.alerts.map((a) => a.name)).toEqual(["latency-fast-burn", "latency-medium-burn", "latency-slow-burn"]);
  });

  it("watches Cloud SQL and Memorystore by instance, on their documented metrics", () => {
    expect(databaseConditions("shop-prd").map((c) => [c.id, c.severity, c.filter])).toEqual([
      ["database-down", "critical", 'metric.type="cloudsql.googleapis.com/database/up" AND resource.type="cloudsql_database" AND resource.labels.database_id=ends_with(":shop-prd")'],
      ["database-cpu", "warning", 'metric.type="cloudsql.googleapis.com/database/cpu/utilization" AND resource.type="cloudsql_database" AND resource.labels.database_id=ends_with(":shop-prd")'],
      ["database-disk", "warning", 'metric.type="cloudsql.googleapis.com/database/disk/utilization" AND resource.type="cloudsql_database" AND resource.labels.database_id=ends_with(":shop-prd")'],
    ]);
    expect(cacheConditions("shop-prd")[0]!.filter).toBe('metric.type="redis.googleapis.com/stats/memory/usage_ratio" AND resource.type="redis_instance" AND resource.labels.instance_id=ends_with("/instances/shop-prd")');
    expect(uptimeFilter("shop-api-1a2b")).toBe('metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.labels.check_id="shop-api-1a2b"');
  });

  it("escalates warnings only, after the model's delay", () => {
    const policy = { from: "warning", to: "critical", afterMinutes: 15 } as const;
    expect(escalationMinutes("warning", 10, policy)).toBe(25);
    expect(escalationMinutes("warning", 0, policy)).toBe(15);
    expect(escalationMinutes("critical", 10, policy)).toBeUndefined();
    expect(escalationMinutes("info", 10, policy)).toBeUndefined();
  });
});
