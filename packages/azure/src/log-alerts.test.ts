import fc from "fast-check";
import { escalationOf, sloAlerts } from "@polycloud/core";
import { alertSchedules, isoMinutes, LOG_ALERT_FREQUENCIES, MAX_EVALUATION_PERIODS, metricQuery, sloQuery } from "./log-alerts";
import { isoToMinutes } from "./conformance";

const policy = (afterMinutes: number) => ({ from: "warning", to: "critical", afterMinutes }) as const;

describe("alertSchedules", () => {
  it.each([
    [5, { frequencyMinutes: 5, periods: 1 }, { frequencyMinutes: 5, periods: 2 }],
    [15, { frequencyMinutes: 5, periods: 1 }, { frequencyMinutes: 5, periods: 4 }],
    [30, { frequencyMinutes: 10, periods: 1 }, { frequencyMinutes: 10, periods: 4 }],
    [1440, { frequencyMinutes: 300, periods: 1 }, { frequencyMinutes: 300, periods: 6 }],
  ])("escalates after %i minutes with %j and %j", (after, alert, escalation) => {
    expect(alertSchedules(policy(after))).toEqual({ alert, escalation });
  });

  it("keeps any escalation delay within Azure's frequencies and six periods, as the policy says", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1440 }), (after) => {
        const { alert, escalation } = alertSchedules(policy(after));
        expect(LOG_ALERT_FREQUENCIES).toContain(alert.frequencyMinutes);
        expect(escalation.periods).toBeLessThanOrEqual(MAX_EVALUATION_PERIODS);
        const expected = escalationOf({ severity: "warning", pendingMinutes: alert.frequencyMinutes * alert.periods, periodMinutes: alert.frequencyMinutes }, policy(after))!;
        expect(escalation.frequencyMinutes * escalation.periods).toBe(expected.pendingMinutes);
        expect(escalation.frequencyMinutes * (escalation.periods - 1)).toBeGreaterThanOrEqual(after);
      }),
    );
  });
});

describe("isoMinutes", () => {
  it.each([
    [5, "PT5M"],
    [60, "PT1H"],
    [90, "PT90M"],
    [1440, "P1D"],
    [2880, "P2D"],
  ])("writes %i minutes as %s, which reads back", (minutes, iso) => {
    expect(isoMinutes(minutes)).toBe(iso);
    expect(isoToMinutes(iso)).toBe(minutes);
  });
});

describe("sloQuery", () => {
  const slo = { availability: 99.9, latencyP95Ms: 300, errorRatePercent: 0.5 };
  const [fast] = sloAlerts(slo);

  it("checks the error ratio over both burn-rate windows of the service's requests", () => {
    const { query, minutes } = sloQuery(fast!, "web");
    expect(minutes).toBe(60);
    expect(query).toContain('AppRequests | where AppRoleName == "web" | where TimeGenerated > ago(60m)');
    expect(query).toContain("ago(5m)");
    expect(query).toContain("where longRatio >= 0.0144 and shortRatio >= 0.0144");
  });

  it("caps the slow burn's three-day window at the two days a log alert may read", () => {
    const slow = sloAlerts(slo).find((a) => a.name === "slow-burn")!;
    expect(sloQuery(slow, "web").minutes).toBe(2880);
  });

  it("counts slow requests for the latency burn rate", () => {
    const latency = sloAlerts(slo).find((a) => a.name === "latency-fast-burn")!;
    expect(sloQuery(latency, "web").query).toContain("countif(DurationMs > 300)");
  });

  it("escapes quotes in names", () => {
    expect(metricQuery('a"b', "cpu_percent", 85, 15).query).toContain('Resource =~ "a\\"b"');
  });
});
