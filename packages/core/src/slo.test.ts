import fc from "fast-check";
import {
  BURN_RATE_POLICY,
  burnRateAlerts,
  latencyBurnRateAlerts,
  errorBudget,
  errorRateAlert,
  formatWindow,
  latencyAlerts,
  sloAlerts,
  type SloTargets,
} from "./slo";

const slo = (availability: number): SloTargets => ({ availability, latencyP95Ms: 200, errorRatePercent: 0.1 });
const shop = slo(99.9);

/** Availability as the spec allows it: 90 to 99.999, in steps of 0.001. */
const specAvailability = fc.integer({ min: 90_000, max: 99_999 }).map((n) => n / 1000);

describe("errorBudget", () => {
  // Worked numbers from the SRE workbook and the usual availability tables.
  it.each([
    [99.9, 30, 0.001, 43.2],
    [99.99, 30, 0.0001, 4.32],
    [99.95, 30, 0.0005, 21.6],
    [99.5, 30, 0.005, 216],
    [99, 30, 0.01, 432],
    [90, 30, 0.1, 4320],
    [99.999, 30, 0.00001, 0.432],
    [99.9, 28, 0.001, 40.32],
    [99.9, 7, 0.001, 10.08],
  ])("gives %p%% over %i days a budget of %p (%p minutes of downtime)", (availability, days, fraction, minutes) => {
    expect(errorBudget(availability, days)).toEqual({ fraction, allowedDowntimeMinutes: minutes, windowDays: days });
  });

  it("defaults to a 30-day window", () => {
    expect(errorBudget(99.9).windowDays).toBe(30);
  });

  it.each([
    [100, 30, "slo.availability must be a percentage above 0 and below 100, got 100"],
    [0, 30, "got 0"],
    [Number.NaN, 30, "got NaN"],
    [99.9, 0, "windowDays must be a positive number, got 0"],
    [99.9, Number.POSITIVE_INFINITY, "windowDays must be a positive number, got Infinity"],
  ])("rejects availability %p over %p days", (availability, days, message) => {
    expect(() => errorBudget(availability, days)).toThrow(RangeError);
    expect(() => errorBudget(availability, days)).toThrow(message);
  });
});

describe("burnRateAlerts", () => {
  const pick = (alerts: ReturnType<typeof burnRateAlerts>) =>
    alerts.map((a) => [a.name, a.severity, a.burnRate, a.longWindowMinutes, a.shortWindowMinutes, a.budgetConsumedPercent, a.errorRateThreshold]);

  it.each([
    [
      99.9,
      30,
      [
        ["fast-burn", "critical", 14.4, 60, 5, 2, 0.0144],
        ["medium-burn", "critical", 6, 360, 30, 5, 0.006],
        ["slow-burn", "warning", 1, 4320, 360, 10, 0.001],
      ],
    ],
    [
      99.99,
      30,
      [
        ["fast-burn", "critical", 14.4, 60, 5, 2, 0.00144],
        ["medium-burn", "critical", 6, 360, 30, 5, 0.0006],
        ["slow-burn", "warning", 1, 4320, 360, 10, 0.0001],
      ],
    ],
    [
      99.9,
      28,
      [
        ["fast-burn", "critical", 14.4, 56, 5, 2, 0.0144],
        ["medium-burn", "critical", 6, 336, 28, 5, 0.006],
        ["slow-burn", "warning", 1, 4032, 336, 10, 0.001],
      ],
    ],
    [
      // 14.4 x 10% would be 1.44: capped at 1.
      90,
      30,
      [
        ["fast-burn", "critical", 14.4, 60, 5, 2, 1],
        ["medium-burn", "critical", 6, 360, 30, 5, 0.6],
        ["slow-burn", "warning", 1, 4320, 360, 10, 0.1],
      ],
    ],
  ])("follows the workbook for %p%% over %i days", (availability, days, expected) => {
    expect(pick(burnRateAlerts(slo(availability), days))).toEqual(expected);
  });

  it("names the windows 1h/5m, 6h/30m and 3d/6h for a 30-day SLO", () => {
    expect(burnRateAlerts(shop).map((a) => `${formatWindow(a.longWindowMinutes)}/${formatWindow(a.shortWindowMinutes)}`)).toEqual([
      "1h/5m",
      "6h/30m",
      "3d/6h",
    ]);
  });

  it("explains the math in the summary and description", () => {
    const [fast] = burnRateAlerts(shop);
    expect(fast!.summary).toBe("Error budget burning 14.4x too fast: 2% of the 30-day budget in 1h");
    expect(fast!.description).toBe(
      "Error ratio at or above 1.44% (14.4 x the 0.1% error budget of a 99.9% SLO) over both the last 1h and the last 5m: " +
        "2% of the 30-day error budget burned in 1h; at this rate the whole budget lasts 50h.",
    );
  });

  it("says when a threshold is capped at 100%", () => {
    const [fast, medium] = burnRateAlerts(slo(90));
    expect(fast!.description).toContain(
      "14.4x would be a ratio of 144%, which is impossible, so the threshold is capped at 100%: this alert fires only at a total outage.",
    );
    expect(medium!.description).not.toContain("capped");
  });

  it("keeps the workbook's budget shares and 1/12 short windows for any whole-day window", () => {
    fc.assert(
      fc.property(specAvailability, fc.integer({ min: 1, max: 365 }), (availability, days) => {
        burnRateAlerts(slo(availability), days).forEach((alert, i) => {
          const policy = BURN_RATE_POLICY[i]!;
          expect(alert.budgetConsumedPercent).toBe(policy.budgetConsumedPercent);
          expect(alert.burnRate).toBe([14.4, 6, 1][i]);
          expect(alert.longWindowMinutes).toBe((policy.longWindowMinutes * days) / 30);
          expect(alert.shortWindowMinutes).toBe(Math.max(1, Math.round(alert.longWindowMinutes / 12)));
          // Burning at this rate for the long window consumes exactly the stated budget share.
          expect(((alert.burnRate * alert.longWindowMinutes) / (days * 1440)) * 100).toBeCloseTo(policy.budgetConsumedPercent, 9);
          const fraction = errorBudget(availability, days).fraction;
          expect(alert.errorRateThreshold).toBeCloseTo(Math.min(1, alert.burnRate * fraction), 12);
        });
      }),
    );
  });

  it("orders thresholds from critical to warning, strictly decreasing, all in (0, 1]", () => {
    fc.assert(
      fc.property(specAvailability, (availability) => {
        const thresholds = burnRateAlerts(slo(availability)).map((a) => a.errorRateThreshold);
        for (const t of thresholds) {
          expect(t).toBeGreaterThan(0);
          expect(t).toBeLessThanOrEqual(1);
        }
        expect(thresholds[0]!).toBeGreaterThan(thresholds[1]!);
        expect(thresholds[1]!).toBeGreaterThan(thresholds[2]!);
      }),
    );
  });

  it("never raises a threshold as severity lowers, for any availability", () => {
    const rank = { critical: 0, warning: 1 };
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 99.999, noNaN: true }), (availability) => {
        const alerts = burnRateAlerts(slo(availability));
        expect(alerts.map((a) => rank[a.severity])).toEqual([0, 0, 1]);
        for (let i = 1; i < alerts.length; i++) {
          expect(alerts[i]!.errorRateThreshold).toBeLessThanOrEqual(alerts[i - 1]!.errorRateThreshold);
          expect(alerts[i]!.errorRateThreshold).toBeGreaterThan(0);
        }
        expect(alerts[0]!.errorRateThreshold).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("latencyAlerts", () => {
  it("alerts critical at 2x the target over 5m and warning at the target over 15m", () => {
    expect(latencyAlerts(shop)).toEqual([
      {
        kind: "latency",
        name: "latency-p95-critical",
        severity: "critical",
        percentile: 95,
        thresholdMs: 400,
        windowMinutes: 5,
        summary: "p95 latency at or above 400 ms for 5m",
        description:
          "The 95th percentile response time has been at or above 400 ms (2 x the 200 ms target) over the last 5m. Users see at least double the promised latency.",
      },
      {
        kind: "latency",
        name: "latency-p95-warning",
        severity: "warning",
        percentile: 95,
        thresholdMs: 200,
        windowMinutes: 15,
        summary: "p95 latency at or above 200 ms for 15m",
        description:
          "The 95th percentile response time has been at or above 200 ms (the SLO target) over the last 15m. A sustained breach of the latency SLO.",
      },
    ]);
  });

  it.each([0, -5, Number.NaN])("rejects latencyP95Ms %p", (latencyP95Ms) => {
    expect(() => latencyAlerts({ ...shop, latencyP95Ms })).toThrow(`slo.latencyP95Ms must be a positive number, got ${latencyP95Ms}; e.g. 200.`);
  });
});

describe("errorRateAlert", () => {
  it.each([
    [0.1, 0.001, "0.1%"],
    [1, 0.01, "1%"],
    [0.05, 0.0005, "0.05%"],
  ])("turns errorRatePercent %p into a warning at an error ratio of %p", (errorRatePercent, threshold, shown) => {
    expect(errorRateAlert({ ...shop, errorRatePercent })).toEqual({
      kind: "error-rate",
      name: "error-rate",
      severity: "warning",
      errorRateThreshold: threshold,
      windowMinutes: 15,
      summary: `Error rate at or above ${shown} for 15m`,
      description: `The share of failed requests has been at or above ${shown} (the spec's errorRatePercent) over the last 15m.`,
    });
  });

  it.each([
    [0, "slo.errorRatePercent must be a positive number, got 0"],
    [101, "slo.errorRatePercent is a percentage, at most 100, got 101; e.g. 0.1 for 0.1%."],
  ])("rejects errorRatePercent %p", (errorRatePercent, message) => {
    expect(() => errorRateAlert({ ...shop, errorRatePercent })).toThrow(message);
  });
});

describe("sloAlerts", () => {
  it("combines availability burn-rate, latency, error-rate and latency burn-rate alerts in that order", () => {
    expect(sloAlerts(shop).map((a) => `${a.kind}:${a.kind === "burn-rate" ? `${a.sli}:` : ""}${a.name}:${a.severity}`)).toEqual([
      "burn-rate:availability:fast-burn:critical",
      "burn-rate:availability:medium-burn:critical",
      "burn-rate:availability:slow-burn:warning",
      "latency:latency-p95-critical:critical",
      "latency:latency-p95-warning:warning",
      "error-rate:error-rate:warning",
      "burn-rate:latency:latency-fast-burn:critical",
      "burn-rate:latency:latency-medium-burn:critical",
      "burn-rate:latency:latency-slow-burn:warning",
    ]);
  });

  it("includes exactly latencyBurnRateAlerts as its latency burn-rate alerts", () => {
    expect(sloAlerts(shop, 28).filter((a) => a.kind === "burn-rate" && a.sli === "latency")).toEqual(latencyBurnRateAlerts(shop, 28));
  });

  it("passes the window to both kinds of burn-rate alerts", () => {
    const burns = sloAlerts(shop, 28).flatMap((a) => (a.kind === "burn-rate" ? [a.longWindowMinutes] : []));
    expect(burns).toEqual([56, 336, 4032, 56, 336, 4032]);
  });

  it("gives every alert a unique name, a summary and a description, for any valid SLO", () => {
    const targets = fc.record({
      availability: specAvailability,
      latencyP95Ms: fc.integer({ min: 1, max: 60_000 }),
      errorRatePercent: fc.double({ min: 0.001, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(targets, (targets) => {
        const alerts = sloAlerts(targets);
        expect(new Set(alerts.map((a) => a.name)).size).toBe(alerts.length);
        for (const alert of alerts) {
          expect(alert.summary).not.toBe("");
          expect(alert.description.length).toBeGreaterThan(alert.summary.length);
          if (alert.kind !== "latency") expect(alert.errorRateThreshold).toBeGreaterThan(0);
          if (alert.kind !== "latency") expect(alert.errorRateThreshold).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe("formatWindow", () => {
  it.each([
    [5, "5m"],
    [30, "30m"],
    [60, "1h"],
    [90, "90m"],
    [360, "6h"],
    [1440, "1d"],
    [4320, "3d"],
    [4032, "4032m"],
    [2880, "2d"],
  ])("formats %i minutes as %j", (minutes, expected) => {
    expect(formatWindow(minutes)).toBe(expected);
  });

  it.each([0, -1, 1.5])("rejects %p minutes", (minutes) => {
    expect(() => formatWindow(minutes)).toThrow(`A window must be a positive whole number of minutes, got ${minutes}.`);
  });
});

describe("latencyBurnRateAlerts", () => {
  const target = { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 };

  it("burns the 5% of requests a p95 target allows at the workbook's rates", () => {
    expect(
      latencyBurnRateAlerts(target).map((a) => [a.name, a.severity, a.errorRateThreshold, a.longWindowMinutes, a.shortWindowMinutes]),
    ).toEqual([
      ["latency-fast-burn", "critical", 0.72, 60, 5],
      ["latency-medium-burn", "critical", 0.3, 360, 30],
      ["latency-slow-burn", "warning", 0.05, 4320, 360],
    ]);
  });

  it("marks the alerts as latency SLI with the target as the slow-request threshold", () => {
    for (const alert of latencyBurnRateAlerts(target)) {
      expect(alert).toMatchObject({ kind: "burn-rate", sli: "latency", latencyThresholdMs: 200 });
      expect(alert.description).toContain("Requests slower than 200 ms");
    }
  });

  it("marks availability burn-rate alerts as availability SLI", () => {
    expect(burnRateAlerts(target).map((a) => a.sli)).toEqual(["availability", "availability", "availability"]);
  });
});
