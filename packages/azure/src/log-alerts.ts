/**
 * Log alerts (Azure Monitor scheduled query rules) from core's SLO math: their KQL over the
 * workspace-based Application Insights tables and `AzureMetrics`, and their schedule. Plain values in,
 * plain values out; the Monitoring component turns them into rules.
 */
import { escalationOf, type EscalationPolicy, type SloAlert } from "@polycloud/core";

/** Evaluation frequencies Azure Monitor log alerts accept, in minutes (PT5M ... P1D). */
export const LOG_ALERT_FREQUENCIES = [5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440] as const;
/** The most evaluation periods a log alert counts (`failingPeriods.numberOfEvaluationPeriods`). */
export const MAX_EVALUATION_PERIODS = 6;
/** The longest query time range of a log alert (`overrideQueryTimeRange`), in minutes: 2 days. */
export const MAX_QUERY_MINUTES = 2 * 24 * 60;

/** When a rule is evaluated and how many consecutive failing evaluations fire it. */
export interface Schedule {
  readonly frequencyMinutes: number;
  readonly periods: number;
}

/**
 * The schedule of every alert, and of a warning's escalation, under the escalation policy: alerts are
 * evaluated every `p` minutes and fire on one failing evaluation; an escalation fires after
 * `1 + ceil(after / p)` consecutive failing evaluations of the same query, i.e. `after` minutes later
 * rounded up to the period. `p` is the shortest frequency that keeps that within six periods, so the
 * policy holds for any `escalateAfterMinutes` (1 to 1440).
 */
export function alertSchedules(policy: EscalationPolicy): { alert: Schedule; escalation: Schedule } {
  const frequencyMinutes = LOG_ALERT_FREQUENCIES.find((p) => 1 + Math.ceil(policy.afterMinutes / p) <= MAX_EVALUATION_PERIODS) ?? 1440;
  const alert = { frequencyMinutes, periods: 1 };
  const escalated = escalationOf({ severity: "warning", pendingMinutes: frequencyMinutes, periodMinutes: frequencyMinutes }, policy)!;
  return { alert, escalation: { frequencyMinutes, periods: escalated.pendingMinutes / frequencyMinutes } };
}

/** Azure Monitor severities: 0 critical, 2 warning, 3 informational. */
export const AZURE_SEVERITY = { critical: 0, warning: 2, info: 3 } as const;

/** An ISO 8601 duration of whole minutes (`PT5M`, `PT1H`, `P1D`, `P2D`). */
export function isoMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}

const kqlString = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** An SLO alert as KQL over `AppRequests` of one service (its OpenTelemetry service name), and the time range it reads. */
export function sloQuery(alert: SloAlert, role: string): { query: string; minutes: number } {
  const requests = `AppRequests | where AppRoleName == ${kqlString(role)}`;
  switch (alert.kind) {
    case "burn-rate": {
      const bad = alert.sli === "availability" ? "Success == false" : `DurationMs > ${alert.latencyThresholdMs}`;
      const long = Math.min(alert.longWindowMinutes, MAX_QUERY_MINUTES);
      const short = Math.min(alert.shortWindowMinutes, long);
      return {
        minutes: long,
        query: [
          `${requests} | where TimeGenerated > ago(${long}m)`,
          `| summarize longRatio = todouble(countif(${bad})) / count(), shortRatio = todouble(countif(${bad} and TimeGenerated > ago(${short}m))) / max_of(countif(TimeGenerated > ago(${short}m)), 1)`,
          `| where longRatio >= ${alert.errorRateThreshold} and shortRatio >= ${alert.errorRateThreshold}`,
        ].join("\n"),
      };
    }
    case "latency":
      return {
        minutes: alert.windowMinutes,
        query: `${requests} | where TimeGenerated > ago(${alert.windowMinutes}m)\n| summarize p95 = percentile(DurationMs, 95)\n| where p95 >= ${alert.thresholdMs}`,
      };
    case "error-rate":
      return {
        minutes: alert.windowMinutes,
        query: `${requests} | where TimeGenerated > ago(${alert.windowMinutes}m)\n| summarize ratio = todouble(countif(Success == false)) / count()\n| where ratio >= ${alert.errorRateThreshold}`,
      };
  }
}

/** A metric sent to the workspace by a diagnostic setting (`AzureMetrics`) at or above a threshold over a window. */
export function metricQuery(resourceName: string, metric: string, threshold: number, windowMinutes: number, below = false): { query: string; minutes: number } {
  return {
    minutes: windowMinutes,
    query: [
      `AzureMetrics | where TimeGenerated > ago(${windowMinutes}m) and Resource =~ ${kqlString(resourceName)} and MetricName == ${kqlString(metric)}`,
      `| summarize value = avg(${below ? "Minimum" : "Average"})`,
      `| where value ${below ? "<" : ">="} ${threshold}`,
    ].join("\n"),
  };
}
