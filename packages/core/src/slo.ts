/**
 * SLO math: error budgets and the alerts derived from a spec's `slo` block, following the Google
 * SRE workbook, chapter "Alerting on SLOs" (multi-window, multi-burn-rate alerts).
 *
 * Output is plain data with the math spelled out, so every backend (CloudWatch, Prometheus,
 * Azure Monitor, Cloud Monitoring) turns the same list into its own alerts. Every threshold
 * means "alert when the measured value is at or above it".
 */

/** The spec's `slo` block. */
export interface SloTargets {
  /** Availability target in percent, e.g. `99.9`. */
  availability: number;
  /** 95th percentile latency target in milliseconds. */
  latencyP95Ms: number;
  /** Highest acceptable error rate in percent, e.g. `0.1`. */
  errorRatePercent: number;
  /** Recovery time objective in minutes (for backups and failover, not alerts). */
  recoveryTimeMinutes?: number;
  /** Recovery point objective in minutes (for backups, not alerts). */
  recoveryPointMinutes?: number;
}

/** Alert severities, matching the spec's `monitoring.alerts` routes. SLO alerts use critical and warning. */
export type SloAlertSeverity = "critical" | "warning" | "info";

/** The error budget of an availability target over a window. */
export interface ErrorBudget {
  /** The fraction of requests allowed to fail, e.g. `0.001` for 99.9%. */
  fraction: number;
  /** The same budget as full downtime, e.g. `43.2` for 99.9% over 30 days. */
  allowedDowntimeMinutes: number;
  windowDays: number;
}

interface AlertBase {
  /** A stable, kebab-case identifier for the alert within the list, e.g. `fast-burn`. */
  name: string;
  severity: SloAlertSeverity;
  /** One line for a notification title. */
  summary: string;
  /** The math behind the threshold, for the alert body and runbooks. */
  description: string;
}

/**
 * A multi-window burn-rate alert: fire when the ratio of bad requests is at or above the threshold over
 * both windows. Bad means failed for the availability SLI, slower than the target for the latency SLI.
 */
export interface BurnRateAlert extends AlertBase {
  kind: "burn-rate";
  /** What burns the budget: errors (availability SLO) or requests slower than `latencyThresholdMs` (latency SLO). */
  sli: "availability" | "latency";
  /** For the latency SLI: the request duration above which a request counts against the budget. */
  latencyThresholdMs?: number;
  severity: "critical" | "warning";
  /** How many times faster than "exactly spend the budget over the window" errors arrive. */
  burnRate: number;
  longWindowMinutes: number;
  /** A window 1/12 of the long one: it stops the alert soon after the burn ends. */
  shortWindowMinutes: number;
  /** The share of the window's error budget spent when the long window fires, e.g. `2`. */
  budgetConsumedPercent: number;
  /**
   * The bad-request ratio (0 to 1) that fires the alert: burn rate × budget fraction, at most 1. For the
   * availability SLI the error ratio; for the latency SLI the share of requests slower than the target.
   */
  errorRateThreshold: number;
}

/** A static p95 latency alert: fire when p95 latency is at or above `thresholdMs` over the window. */
export interface LatencyAlert extends AlertBase {
  kind: "latency";
  severity: "critical" | "warning";
  percentile: 95;
  thresholdMs: number;
  windowMinutes: number;
}

/** A static error-rate alert: fire when the error ratio is at or above the threshold over the window. */
export interface ErrorRateAlert extends AlertBase {
  kind: "error-rate";
  severity: "warning";
  /** The error ratio (0 to 1), the spec's `errorRatePercent` / 100. */
  errorRateThreshold: number;
  windowMinutes: number;
}

/** Every alert derived from an SLO; switch on `kind`. */
export type SloAlert = BurnRateAlert | LatencyAlert | ErrorRateAlert;

/**
 * The workbook's recommended burn-rate alerts for a 30-day window (table "Recommended initial
 * parameters"): page at 2% of the budget in 1 hour and 5% in 6 hours, ticket at 10% in 3 days.
 * Burn rate = budget consumed × window / long window, e.g. 0.02 × 720h / 1h = 14.4.
 */
export const BURN_RATE_POLICY = [
  { name: "fast-burn", severity: "critical", budgetConsumedPercent: 2, longWindowMinutes: 60, shortWindowMinutes: 5 },
  { name: "medium-burn", severity: "critical", budgetConsumedPercent: 5, longWindowMinutes: 360, shortWindowMinutes: 30 },
  { name: "slow-burn", severity: "warning", budgetConsumedPercent: 10, longWindowMinutes: 4320, shortWindowMinutes: 360 },
] as const satisfies readonly {
  name: string;
  severity: BurnRateAlert["severity"];
  budgetConsumedPercent: number;
  longWindowMinutes: number;
  shortWindowMinutes: number;
}[];

/** The SLO window the workbook's parameters are written for. */
export const REFERENCE_WINDOW_DAYS = 30;

/**
 * The p95 latency alerts: a warning when p95 reaches the target for 15 minutes (a sustained
 * breach, not a blip), and critical when it reaches twice the target for 5 minutes (users clearly
 * suffer, so react fast). 5 and 15 minutes are window sizes every backend supports, Azure
 * Monitor's metric alerts included.
 */
export const LATENCY_ALERT_POLICY = [
  { severity: "critical", multiplier: 2, windowMinutes: 5 },
  { severity: "warning", multiplier: 1, windowMinutes: 15 },
] as const;

/** The window of the static error-rate warning: 15 minutes, long enough to ignore a single bad scrape. */
export const ERROR_RATE_WINDOW_MINUTES = 15;

const MINUTES_PER_DAY = 24 * 60;

/**
 * The error budget of an availability target: `(100 - availability) / 100` of requests, or that
 * share of the window as full downtime.
 *
 * @example errorBudget(99.9) // { fraction: 0.001, allowedDowntimeMinutes: 43.2, windowDays: 30 }
 * @default windowDays 30
 * @throws RangeError unless 0 < availability < 100 and windowDays > 0.
 */
export function errorBudget(availabilityPercent: number, windowDays = REFERENCE_WINDOW_DAYS): ErrorBudget {
  assertAvailability(availabilityPercent);
  assertPositive("windowDays", windowDays, "e.g. 30 for a rolling month");
  const fraction = round((100 - availabilityPercent) / 100);
  return { fraction, allowedDowntimeMinutes: round(fraction * windowDays * MINUTES_PER_DAY), windowDays };
}

/**
 * The workbook's multi-window, multi-burn-rate alerts for an SLO, most urgent first. For a
 * window other than 30 days the windows scale with it (rounded to whole minutes) while the
 * budget consumed stays 2%, 5% and 10%, so the burn rates stay 14.4, 6 and 1.
 *
 * A threshold never exceeds 1: at a 90% SLO, 14.4× the 10% budget would be an error ratio of
 * 1.44, which cannot happen, so it is capped at 1 and the alert fires only at a total outage
 * (the description says so).
 *
 * @default windowDays 30
 */
export function burnRateAlerts(slo: SloTargets, windowDays = REFERENCE_WINDOW_DAYS): BurnRateAlert[] {
  assertSlo(slo);
  const budget = errorBudget(slo.availability, windowDays);
  return burnRatePolicy(budget.fraction, windowDays).map((b) => ({
    ...b.alert,
    sli: "availability",
    name: b.name,
    summary: `Error budget burning ${b.burnRate}x too fast: ${b.budgetConsumedPercent}% of the ${windowDays}-day budget in ${b.long}`,
    description:
      `Error ratio at or above ${percent(b.threshold)} (${b.burnRate} x the ${percent(budget.fraction)} error budget of a ` +
      `${slo.availability}% SLO) over both the last ${b.long} and the last ${b.short}: ${b.budgetConsumedPercent}% of the ` +
      `${windowDays}-day error budget burned in ${b.long}; at this rate the whole budget lasts ${b.exhaustion}.${b.cap}`,
  }));
}

/**
 * The latency SLO as burn-rate alerts: a p95 target of `latencyP95Ms` means 5% of requests may be slower,
 * so that 5% is the budget, burned at the workbook's rates (page at 2% of it in 1h or 5% in 6h, ticket at
 * 10% in 3d). Backends count slow requests from a latency histogram (Prometheus `le` buckets) or a
 * percentile rank (CloudWatch `PR`).
 */
export function latencyBurnRateAlerts(slo: SloTargets, windowDays = REFERENCE_WINDOW_DAYS): BurnRateAlert[] {
  assertSlo(slo);
  return burnRatePolicy(LATENCY_BUDGET_FRACTION, windowDays).map((b) => ({
    ...b.alert,
    sli: "latency",
    latencyThresholdMs: slo.latencyP95Ms,
    name: `latency-${b.name}`,
    summary: `Latency budget burning ${b.burnRate}x too fast: ${b.budgetConsumedPercent}% of the ${windowDays}-day budget in ${b.long}`,
    description:
      `Requests slower than ${slo.latencyP95Ms} ms at or above ${percent(b.threshold)} of all (${b.burnRate} x the 5% a p95 ` +
      `target allows) over both the last ${b.long} and the last ${b.short}: ${b.budgetConsumedPercent}% of the ${windowDays}-day ` +
      `latency budget burned in ${b.long}; at this rate the whole budget lasts ${b.exhaustion}.${b.cap}`,
  }));
}

/** A p95 latency target lets 5% of requests be slower than it. */
const LATENCY_BUDGET_FRACTION = 0.05;

/** The workbook's windows and burn rates for a budget, scaled to `windowDays`. */
function burnRatePolicy(budgetFraction: number, windowDays: number) {
  const windowMinutes = windowDays * MINUTES_PER_DAY;
  return BURN_RATE_POLICY.map((policy) => {
    const longWindowMinutes = Math.max(1, Math.round((policy.longWindowMinutes * windowDays) / REFERENCE_WINDOW_DAYS));
    // The workbook's short window is 1/12 of the long one.
    const shortWindowMinutes = Math.max(1, Math.round(longWindowMinutes / 12));
    // Recomputed from the rounded long window, so the budget consumed stays exact.
    const burnRate = round(((policy.budgetConsumedPercent / 100) * windowMinutes) / longWindowMinutes);
    const uncapped = round(burnRate * budgetFraction);
    const threshold = Math.min(1, uncapped);
    return {
      name: policy.name,
      budgetConsumedPercent: policy.budgetConsumedPercent,
      burnRate,
      threshold,
      /** The fields every burn-rate alert shares, whatever its SLI. */
      alert: {
        kind: "burn-rate" as const,
        severity: policy.severity,
        burnRate,
        longWindowMinutes,
        shortWindowMinutes,
        budgetConsumedPercent: policy.budgetConsumedPercent,
        errorRateThreshold: threshold,
      },
      long: formatWindow(longWindowMinutes),
      short: formatWindow(shortWindowMinutes),
      exhaustion: formatWindow(Math.round(windowMinutes / burnRate)),
      cap:
        uncapped > 1
          ? ` ${burnRate}x would be a ratio of ${percent(uncapped)}, which is impossible, so the threshold is capped at 100%: this alert fires only at a total outage.`
          : "",
    };
  });
}

/**
 * The p95 latency alerts of {@link LATENCY_ALERT_POLICY}: critical at 2× the target over 5
 * minutes, warning at the target over 15 minutes.
 */
export function latencyAlerts(slo: SloTargets): LatencyAlert[] {
  assertSlo(slo);
  return LATENCY_ALERT_POLICY.map(({ severity, multiplier, windowMinutes }) => {
    const thresholdMs = round(slo.latencyP95Ms * multiplier);
    const window = formatWindow(windowMinutes);
    const relation = multiplier === 1 ? "the SLO target" : `${multiplier} x the ${slo.latencyP95Ms} ms target`;
    return {
      kind: "latency",
      name: `latency-p95-${severity}`,
      severity,
      percentile: 95,
      thresholdMs,
      windowMinutes,
      summary: `p95 latency at or above ${thresholdMs} ms for ${window}`,
      description:
        `The 95th percentile response time has been at or above ${thresholdMs} ms (${relation}) over the last ${window}.` +
        (multiplier === 1 ? " A sustained breach of the latency SLO." : " Users see at least double the promised latency."),
    };
  });
}

/** The spec's `errorRatePercent` as a static warning over {@link ERROR_RATE_WINDOW_MINUTES}. */
export function errorRateAlert(slo: SloTargets): ErrorRateAlert {
  assertSlo(slo);
  const errorRateThreshold = round(slo.errorRatePercent / 100);
  const window = formatWindow(ERROR_RATE_WINDOW_MINUTES);
  return {
    kind: "error-rate",
    name: "error-rate",
    severity: "warning",
    errorRateThreshold,
    windowMinutes: ERROR_RATE_WINDOW_MINUTES,
    summary: `Error rate at or above ${percent(errorRateThreshold)} for ${window}`,
    description: `The share of failed requests has been at or above ${percent(errorRateThreshold)} (the spec's errorRatePercent) over the last ${window}.`,
  };
}

/**
 * Every alert for an SLO, in this order: availability burn-rate (fast, medium, slow), latency p95
 * (critical, warning), error rate, latency burn-rate (fast, medium, slow). The latency burn-rate
 * alerts come last so the positions of the others stay as they were before they joined the list.
 * @default windowDays 30
 */
export function sloAlerts(slo: SloTargets, windowDays = REFERENCE_WINDOW_DAYS): SloAlert[] {
  return [...burnRateAlerts(slo, windowDays), ...latencyAlerts(slo), errorRateAlert(slo), ...latencyBurnRateAlerts(slo, windowDays)];
}

/**
 * A window length as a Prometheus-style duration in the largest whole unit: `5m`, `1h`, `3d`
 * (`90m` when no larger unit divides it).
 * @throws RangeError unless `minutes` is a positive whole number.
 */
export function formatWindow(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new RangeError(`A window must be a positive whole number of minutes, got ${minutes}.`);
  }
  if (minutes % MINUTES_PER_DAY === 0) return `${minutes / MINUTES_PER_DAY}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** 12 significant digits: removes binary noise (0.1 + 0.2) so thresholds print as written. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

function percent(fraction: number): string {
  return `${round(fraction * 100)}%`;
}

function assertSlo(slo: SloTargets): void {
  assertAvailability(slo.availability);
  assertPositive("slo.latencyP95Ms", slo.latencyP95Ms, "e.g. 200");
  assertPositive("slo.errorRatePercent", slo.errorRatePercent, "e.g. 0.1");
  if (slo.errorRatePercent > 100) {
    throw new RangeError(`slo.errorRatePercent is a percentage, at most 100, got ${slo.errorRatePercent}; e.g. 0.1 for 0.1%.`);
  }
}

function assertAvailability(availability: number): void {
  if (typeof availability !== "number" || !(availability > 0 && availability < 100)) {
    throw new RangeError(
      `slo.availability must be a percentage above 0 and below 100, got ${availability}; e.g. 99.9 (a 100% target leaves no error budget).`,
    );
  }
}

function assertPositive(name: string, value: number, example: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${value}; ${example}.`);
  }
}
