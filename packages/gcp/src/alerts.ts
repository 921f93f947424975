/**
 * Cloud Monitoring alert definitions as plain data: the SLOs of a Cloud Run service (request-based, on
 * Cloud Run's request metrics), burn-rate conditions on them with `select_slo_burn_rate` over the SRE
 * workbook's window pairs (core's SLO math), and resource health conditions. The Monitoring component
 * turns them into `monitoring.Slo` and `monitoring.AlertPolicy` resources.
 */
import { burnRateAlerts, errorBudget, escalationOf, latencyBurnRateAlerts, type BurnRateAlert, type EscalationPolicy, type Severity, type SloSpec } from "@polycloud/core";

/** A Monitoring filter on one Cloud Run service's metric. */
export function cloudRunFilter(metric: string, runName: string, extra = ""): string {
  return `metric.type="run.googleapis.com/${metric}" AND resource.type="cloud_run_revision" AND resource.labels.service_name="${runName}"${extra}`;
}

/** The availability SLI: 5xx responses against all responses. */
export function availabilitySli(runName: string): { totalServiceFilter: string; badServiceFilter: string } {
  return { totalServiceFilter: cloudRunFilter("request_count", runName), badServiceFilter: cloudRunFilter("request_count", runName, ' AND metric.labels.response_code_class="5xx"') };
}

/**
 * One revision's 5xx responses and all its responses (Cloud Run's `request_count` on the revision's
 * `revision_name` label): the numerator and denominator of the ratio a rollout watches.
 */
export function revisionErrorRatio(runName: string, revision: string): { filter: string; denominatorFilter: string } {
  const only = ` AND resource.labels.revision_name="${revision}"`;
  return { filter: cloudRunFilter("request_count", runName, `${only} AND metric.labels.response_code_class="5xx"`), denominatorFilter: cloudRunFilter("request_count", runName, only) };
}

/** The latency SLI: requests answered within the p95 target are good (Cloud Run's request_latencies are in milliseconds). */
export function latencySli(runName: string, latencyP95Ms: number): { distributionFilter: string; range: { min: number; max: number } } {
  return { distributionFilter: cloudRunFilter("request_latencies", runName), range: { min: 0, max: latencyP95Ms } };
}

/** `select_slo_burn_rate` over a lookback, the documented selector for SLO burn-rate alerts. */
export function burnRateFilter(sloName: string, lookbackMinutes: number): string {
  return `select_slo_burn_rate("${sloName}", "${lookbackMinutes}m")`;
}

/** The SLOs of a service: availability (the spec's target) and latency (95% of requests within the p95 target). */
export function serviceSlos(slo: SloSpec): readonly { readonly sli: "availability" | "latency"; readonly goal: number; readonly alerts: readonly BurnRateAlert[] }[] {
  return [
    // 1 - the error budget: 0.999 for 99.9, where 99.9 / 100 would be 0.9990000000000001.
    { sli: "availability", goal: 1 - errorBudget(slo.availability).fraction, alerts: burnRateAlerts(slo) },
    { sli: "latency", goal: 0.95, alerts: latencyBurnRateAlerts(slo) },
  ];
}

/** A threshold condition over a metric, aligned per series. */
export interface MetricCondition {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly filter: string;
  readonly aligner: string;
  readonly comparison: "COMPARISON_GT" | "COMPARISON_LT";
  readonly threshold: number;
  /** Minutes the condition must hold. */
  readonly minutes: number;
}

/** CPU and memory of a service near their limits: warnings after 10 minutes. */
export function serviceResourceConditions(id: string, runName: string, cpuPercent: number, memoryPercent: number): MetricCondition[] {
  return [
    { id: `${id}-cpu`, title: `${id}: CPU above ${cpuPercent}%`, severity: "warning", filter: cloudRunFilter("container/cpu/utilizations", runName), aligner: "ALIGN_PERCENTILE_99", comparison: "COMPARISON_GT", threshold: cpuPercent / 100, minutes: 10 },
    { id: `${id}-memory`, title: `${id}: memory above ${memoryPercent}%`, severity: "warning", filter: cloudRunFilter("container/memory/utilizations", runName), aligner: "ALIGN_PERCENTILE_99", comparison: "COMPARISON_GT", threshold: memoryPercent / 100, minutes: 10 },
  ];
}

/** Cloud SQL health: down is critical; CPU and disk filling up are warnings. */
export function databaseConditions(instanceName: string): MetricCondition[] {
  const filter = (metric: string) => `metric.type="cloudsql.googleapis.com/database/${metric}" AND resource.type="cloudsql_database" AND resource.labels.database_id=ends_with(":${instanceName}")`;
  return [
    { id: "database-down", title: "database: instance down", severity: "critical", filter: filter("up"), aligner: "ALIGN_MIN", comparison: "COMPARISON_LT", threshold: 1, minutes: 5 },
    { id: "database-cpu", title: "database: CPU above 80%", severity: "warning", filter: filter("cpu/utilization"), aligner: "ALIGN_MEAN", comparison: "COMPARISON_GT", threshold: 0.8, minutes: 15 },
    { id: "database-disk", title: "database: disk above 85%", severity: "warning", filter: filter("disk/utilization"), aligner: "ALIGN_MAX", comparison: "COMPARISON_GT", threshold: 0.85, minutes: 5 },
  ];
}

/** Memorystore health: memory near full is a warning (evictions follow). */
export function cacheConditions(instanceName: string): MetricCondition[] {
  return [
    {
      id: "cache-memory",
      title: "cache: memory above 85%",
      severity: "warning",
      filter: `metric.type="redis.googleapis.com/stats/memory/usage_ratio" AND resource.type="redis_instance" AND resource.labels.instance_id=ends_with("/instances/${instanceName}")`,
      aligner: "ALIGN_MAX",
      comparison: "COMPARISON_GT",
      threshold: 0.85,
      minutes: 5,
    },
  ];
}

/** An uptime check failing from more than one location: the documented check_passed condition. */
export function uptimeFilter(checkId: string): string {
  return `metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.labels.check_id="${checkId}"`;
}

/**
 * The escalation of a condition held for `minutes`: the application model's policy (core's
 * `escalationOf`), or none. Cloud Monitoring evaluates continuously, so the period is a minute.
 */
export function escalationMinutes(severity: Severity, minutes: number, policy: EscalationPolicy): number | undefined {
  return escalationOf({ severity, pendingMinutes: minutes }, policy)?.pendingMinutes;
}
