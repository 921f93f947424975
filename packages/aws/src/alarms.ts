/**
 * CloudWatch alarm math: how core's SLO alerts and resource thresholds become metric queries,
 * periods and thresholds. Plain values in, plain alarm specs out; no resources here.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  escalationOf,
  formatWindow,
  postgresMaxConnections,
  sloAlerts,
  type BurnRateAlert,
  type EscalationPolicy,
  type Severity,
  type Size,
  type SloTargets,
} from "@polycloud/core";

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/** How an alert window maps onto CloudWatch: a period and how many of them must breach. */
export interface AlarmWindow {
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/**
 * CloudWatch's longest evaluation range, Period x EvaluationPeriods: 7 days, or 1 day for periods under an
 * hour (PutMetricAlarm, `Period`). Periods are any multiple of 60 seconds, with no shorter cap: wall clock
 * windows even take a whole week as one period (PutMetricAlarm, `EvaluationWindow`).
 */
export function maxEvaluationSeconds(period: number): number {
  return period < 3600 ? 86_400 : 604_800;
}

/**
 * One period spanning the whole window, so the alarm compares the window's aggregate (the error ratio of
 * every request in the window, not of each day or minute) with the threshold. This holds for every window
 * up to CloudWatch's longest evaluation range (7 days; a 3-day slow burn is one 3-day period): a burn
 * concentrated in one day of three counts as much as one spread over all three.
 * @throws RangeError for a window longer than 7 days, which CloudWatch cannot evaluate as one.
 */
export function alarmWindow(minutes: number): AlarmWindow {
  const seconds = minutes * 60;
  if (!Number.isInteger(minutes) || minutes < 1 || seconds > maxEvaluationSeconds(seconds)) {
    throw new RangeError(`A ${minutes}-minute alarm window is not one CloudWatch period: periods are whole minutes, and evaluate at most 7 days (1 day under an hour)`);
  }
  return { period: seconds, evaluationPeriods: 1, datapointsToAlarm: 1 };
}

/** The 5xx answered by targets plus those the load balancer answered itself, as metric math. */
const ERRORS = "(FILL(target5xx, 0) + FILL(elb5xx, 0))";

/**
 * The load balancer's error ratio (0 to 1) over one period: 5xx answered by targets plus 5xx the
 * load balancer answered itself (no healthy target, timeouts), divided by requests; 0 without traffic.
 * With `minimumRequests`, a period with fewer requests counts that many (see {@link deploymentMinimumRequests}).
 */
export function errorRatioQueries(loadBalancer: pulumi.Input<string>, period: number, minimumRequests?: number): MetricQuery[] {
  const metric = (id: string, metricName: string): MetricQuery => ({
    id,
    returnData: false,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: loadBalancer }, period, stat: "Sum" },
  });
  const denominator = minimumRequests === undefined ? "requests" : `IF(requests > ${minimumRequests}, requests, ${minimumRequests})`;
  return [
    metric("target5xx", "HTTPCode_Target_5XX_Count"),
    metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
    metric("requests", "RequestCount"),
    {
      id: "errorRatio",
      label: minimumRequests === undefined ? `Error ratio over ${formatWindow(period / 60)}` : `Error ratio over ${formatWindow(period / 60)}, of at least ${minimumRequests} requests`,
      expression: `IF(requests > 0, ${ERRORS} / ${denominator}, 0)`,
      returnData: true,
    },
  ];
}

/**
 * Errors the deployment alarm needs, at least, before it rolls a deployment back: one or two 5xx in five
 * minutes (a client that hung up, one slow cold start) are no evidence that a new version is worse, three
 * are. If the new version failed no more than the SLO allows, three errors in a window of fewer requests
 * than {@link deploymentMinimumRequests} would be unlikely (fewer than 3 expected).
 */
export const DEPLOYMENT_MIN_ERRORS = 3;

/**
 * The deployment alarm's minimum request count N = {@link DEPLOYMENT_MIN_ERRORS} / the SLO's error ratio
 * (3000 for 0.1%, 300 for 1%): a 5-minute window with fewer requests is read as if it had N, so at low
 * traffic it takes 3 errors to roll back, never one, and at N requests or more the ratio is exact. N is a
 * floor under the denominator rather than a traffic level below which nothing breaches: a low-traffic
 * service whose new version fails every request still rolls back, after 3 failed requests.
 */
export function deploymentMinimumRequests(slo: Pick<SloTargets, "errorRatePercent">): number {
  // Rounded first, so 3 / 0.003 = 1000.0000000000001 is 1000 and 3 errors still reach the ratio.
  return Math.ceil(Number((DEPLOYMENT_MIN_ERRORS / (slo.errorRatePercent / 100)).toPrecision(12)));
}

/**
 * The share of requests (in percent) the load balancer's targets answered within `thresholdMs`, per
 * period: CloudWatch's percentile rank `PR(n:m)`, the percent of data points in (n, m] (the form
 * PutMetricAlarm documents for `ExtendedStatistic`). Its complement is the share slower than the
 * target, which burns the latency budget.
 */
export function fastRequestsStatistic(thresholdMs: number): string {
  return `PR(0:${Number((thresholdMs / 1000).toPrecision(12))})`;
}

/** Resource alarm thresholds: high enough to ignore normal peaks, low enough to act before users notice. */
export const RESOURCE_THRESHOLDS = {
  /** Sustained CPU above this means autoscaling is at max or too slow. */
  ecsCpuPercent: 85,
  ecsMemoryPercent: 90,
  rdsCpuPercent: 80,
  /**
   * Free storage at or below this share of `storageGb`, the allocation storage autoscaling starts from and
   * never goes below. RDS grows storage when free space is at or below 10% of the current allocation, so
   * this level is always below that trigger: reached only when autoscaling did not keep up (it waits at
   * least 6 hours between increases) or stopped at `maxStorageGb`.
   */
  rdsFreeStoragePercent: 5,
  /** Connections above this share of `max_connections`. */
  rdsConnectionsPercent: 80,
  redisMemoryPercent: 80,
  /** Redis is single-threaded: its engine thread saturates before host CPU shows it. */
  redisEngineCpuPercent: 80,
} as const;

/** One CloudWatch metric alarm, as plain data. */
export interface AlarmSpec {
  /**
   * Unique within a Monitoring component, and part of the alarm's logical name: it starts with what the
   * alarm watches (`service-`, `database-`, `cache-`), so a service and a database of the same name never collide.
   */
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanOrEqualToThreshold";
  readonly threshold: number;
  readonly window: AlarmWindow;
  /** A single metric... */
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
    readonly statistic?: "Average" | "Maximum" | "Minimum" | "Sum";
    readonly extendedStatistic?: string;
  };
  /** ...or metric math. */
  readonly metricQueries?: MetricQuery[];
  /** No data means no traffic (fine) for request metrics, but a broken resource for capacity ones. */
  readonly treatMissingData: "notBreaching" | "missing";
  /** Notifies its severity's topic itself; false for the windows of a burn-rate pair, which a composite alarm routes. */
  readonly routed: boolean;
  /** For an escalation: the id of the alarm it escalates. */
  readonly escalates?: string;
}

/** A composite alarm that fires when all of its member alarms are in ALARM. */
export interface CompositeAlarmSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly memberIds: readonly string[];
  /** For an escalation: the id of the composite alarm it escalates. */
  readonly escalates?: string;
}

export interface AlarmSet {
  readonly alarms: AlarmSpec[];
  readonly composites: CompositeAlarmSpec[];
}

/** The CloudWatch dimensions of one web service. */
export interface ServiceMetrics {
  readonly name: string;
  /** The load balancer's ARN suffix (`app/<name>/<id>`). */
  readonly loadBalancer: pulumi.Input<string>;
  readonly cluster: pulumi.Input<string>;
  readonly ecsService: pulumi.Input<string>;
}

/**
 * A service's alarms from its SLO (core's `sloAlerts`): each burn-rate alert is a pair of alarms (long and
 * short window) joined by a composite alarm, as the SRE workbook's multi-window alert requires. The
 * availability pair watches the error ratio; the latency pair the share of requests slower than the target,
 * alarming when the share within it ({@link fastRequestsStatistic}) drops to 100% minus the threshold.
 * The static latency alerts use the load balancer's p95 target response time; the error-rate alert the
 * error ratio; plus CPU and memory of the service's tasks.
 */
export function serviceAlarms(service: ServiceMetrics, slo: SloTargets): AlarmSet {
  const alarms: AlarmSpec[] = [];
  const composites: CompositeAlarmSpec[] = [];
  const ratio = (id: string, severity: Severity, description: string, threshold: number, minutes: number, routed: boolean): AlarmSpec => {
    const window = alarmWindow(minutes);
    return {
      id,
      severity,
      description,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold,
      window,
      metricQueries: errorRatioQueries(service.loadBalancer, window.period),
      treatMissingData: "notBreaching",
      routed,
    };
  };
  const slow = (id: string, severity: Severity, description: string, alert: BurnRateAlert, minutes: number): AlarmSpec => ({
    id,
    severity,
    description,
    // Slow share >= threshold <=> fast share <= 100% - threshold; rounded so 0.72 prints as 28, not 27.999...
    comparisonOperator: "LessThanOrEqualToThreshold",
    threshold: Number((100 - alert.errorRateThreshold * 100).toPrecision(12)),
    window: alarmWindow(minutes),
    metric: {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: { LoadBalancer: service.loadBalancer },
      extendedStatistic: fastRequestsStatistic(alert.latencyThresholdMs ?? slo.latencyP95Ms),
    },
    treatMissingData: "notBreaching",
    routed: false,
  });
  for (const alert of sloAlerts(slo)) {
    const id = `service-${service.name}-${alert.name}`;
    const description = `${service.name}: ${alert.summary}. ${alert.description}`;
    switch (alert.kind) {
      case "burn-rate": {
        const windowAlarm = (label: "long" | "short", minutes: number): AlarmSpec => {
          const args = [`${id}-${label}`, alert.severity, `${description} (${label} window)`] as const;
          return alert.sli === "latency" ? slow(...args, alert, minutes) : ratio(...args, alert.errorRateThreshold, minutes, false);
        };
        const long = windowAlarm("long", alert.longWindowMinutes);
        const short = windowAlarm("short", alert.shortWindowMinutes);
        alarms.push(long, short);
        composites.push({ id, severity: alert.severity, description, memberIds: [long.id, short.id] });
        break;
      }
      case "latency":
        alarms.push({
          id,
          severity: alert.severity,
          description,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: alert.thresholdMs / 1000,
          window: alarmWindow(alert.windowMinutes),
          metric: { namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: { LoadBalancer: service.loadBalancer }, extendedStatistic: `p${alert.percentile}` },
          treatMissingData: "notBreaching",
          routed: true,
        });
        break;
      case "error-rate":
        alarms.push(ratio(id, alert.severity, description, alert.errorRateThreshold, alert.windowMinutes, true));
        break;
    }
  }
  const ecs = (metricName: string, label: string, threshold: number): AlarmSpec => ({
    id: `service-${service.name}-${label}`,
    severity: "warning",
    description: `${service.name}: average task ${label} at or above ${threshold}% for 15 minutes; autoscaling is at its maximum or too slow`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold,
    window: { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
    metric: { namespace: "AWS/ECS", metricName, dimensions: { ClusterName: service.cluster, ServiceName: service.ecsService }, statistic: "Average" },
    treatMissingData: "missing",
    routed: true,
  });
  alarms.push(ecs("CPUUtilization", "cpu", RESOURCE_THRESHOLDS.ecsCpuPercent), ecs("MemoryUtilization", "memory", RESOURCE_THRESHOLDS.ecsMemoryPercent));
  return { alarms, composites };
}

/** Minutes an alarm's condition must hold before it fires: its periods that must breach. */
export function pendingMinutes(window: AlarmWindow): number {
  return (window.period * window.datapointsToAlarm) / 60;
}

/**
 * The escalation of one alarm under core's policy ({@link escalationOf}): a critical alarm on the same
 * metric and threshold whose window is the warning's plus the policy's delay, in whole periods (rounded
 * up, within CloudWatch's evaluation range), all of which must breach. It fires once the warning's
 * condition has held the delay longer and clears with it. Undefined for alarms the policy does not escalate.
 */
export function escalationAlarm(alarm: AlarmSpec, policy: EscalationPolicy): AlarmSpec | undefined {
  const { period, evaluationPeriods, datapointsToAlarm } = alarm.window;
  const escalation = escalationOf({ severity: alarm.severity, pendingMinutes: pendingMinutes(alarm.window), periodMinutes: period / 60 }, policy);
  if (escalation === undefined) return undefined;
  const longest = Math.floor(maxEvaluationSeconds(period) / period);
  const wanted = Math.ceil(((escalation.pendingMinutes - pendingMinutes(alarm.window)) * 60) / period);
  const extra = Math.min(wanted, longest - evaluationPeriods);
  return {
    ...alarm,
    id: `${alarm.id}-escalated`,
    escalates: alarm.id,
    severity: escalation.severity,
    description: `${alarm.description}; escalated: still breaching ${formatWindow((extra * period) / 60)} after the warning`,
    window: { period, evaluationPeriods: evaluationPeriods + extra, datapointsToAlarm: datapointsToAlarm + extra },
  };
}

/**
 * `monitoring.escalateAfterMinutes` on CloudWatch, which cannot see whether anyone acknowledged a
 * warning: every warning that notifies (a routed alarm, or a composite alarm) gets a critical twin that
 * fires when its condition has held the policy's delay longer ({@link escalationAlarm}). A composite's
 * twin is the composite of its members' twins, which do not notify by themselves. Escalated alarms are
 * routed as their twin is: the twin of a routed alarm notifies, the twin of a composite's member does not.
 */
export function escalations(set: AlarmSet, policy: EscalationPolicy): AlarmSet {
  const byId = new Map(set.alarms.map((alarm) => [alarm.id, alarm]));
  const composites = set.composites.flatMap((composite): CompositeAlarmSpec[] => {
    // A composite fires once all its members have: its condition holds as long as its slowest member's.
    const pending = Math.max(...composite.memberIds.map((id) => pendingMinutes(byId.get(id)!.window)));
    const escalation = escalationOf({ severity: composite.severity, pendingMinutes: pending }, policy);
    if (escalation === undefined) return [];
    return [
      {
        id: `${composite.id}-escalated`,
        escalates: composite.id,
        severity: escalation.severity,
        description: `${composite.description}; escalated: still firing ${formatWindow(policy.afterMinutes)} after the warning`,
        memberIds: composite.memberIds.map((id) => `${id}-escalated`),
      },
    ];
  });
  const members = new Set(composites.flatMap((c) => c.memberIds));
  const alarms = set.alarms.flatMap((alarm): AlarmSpec[] => {
    if (!alarm.routed && !members.has(`${alarm.id}-escalated`)) return [];
    const twin = escalationAlarm(alarm, policy);
    return twin === undefined ? [] : [twin];
  });
  return { alarms, composites };
}

/**
 * The alarm that rolls a deployment back (a {@link WebService}'s): the error ratio at or above the SLO
 * over 5 minutes, of at least {@link deploymentMinimumRequests} requests (fewer count as that many, so a
 * single 5xx in low traffic does not roll back). A `Monitoring` routes it as a warning through a composite
 * alarm, and escalates it.
 */
export function deploymentAlarmSpec(service: { readonly name: string; readonly loadBalancer: pulumi.Input<string> }, slo: Pick<SloTargets, "errorRatePercent">): AlarmSpec {
  const window = alarmWindow(5);
  const minimumRequests = deploymentMinimumRequests(slo);
  return {
    id: `service-${service.name}-deployment`,
    severity: "warning",
    description:
      `${service.name}: error ratio above the SLO's ${slo.errorRatePercent}% over 5 minutes, counting at least ${minimumRequests} requests ` +
      `(${DEPLOYMENT_MIN_ERRORS} errors at low traffic); rolls a deployment back`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: slo.errorRatePercent / 100,
    window,
    metricQueries: errorRatioQueries(service.loadBalancer, window.period, minimumRequests),
    treatMissingData: "notBreaching",
    routed: false,
  };
}

/** A metric alarm's args from its spec: the condition, without name, actions and tags. */
export function metricAlarmArgs(spec: AlarmSpec): aws.cloudwatch.MetricAlarmArgs & { comparisonOperator: string; evaluationPeriods: number } {
  const metric =
    spec.metric === undefined
      ? { metricQueries: spec.metricQueries! }
      : {
          namespace: spec.metric.namespace,
          metricName: spec.metric.metricName,
          dimensions: spec.metric.dimensions,
          period: spec.window.period,
          ...(spec.metric.extendedStatistic === undefined ? { statistic: spec.metric.statistic! } : { extendedStatistic: spec.metric.extendedStatistic }),
        };
  return {
    alarmDescription: spec.description,
    comparisonOperator: spec.comparisonOperator,
    threshold: spec.threshold,
    evaluationPeriods: spec.window.evaluationPeriods,
    datapointsToAlarm: spec.window.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
    ...metric,
  };
}

/** The CloudWatch dimensions and capacity of one database. */
export interface DatabaseMetrics {
  readonly name: string;
  readonly identifier: pulumi.Input<string>;
  readonly size: Size;
  readonly storageGb: number;
}

/**
 * Database alarms: CPU, free storage below the autoscaling trigger ({@link RESOURCE_THRESHOLDS}`.rdsFreeStoragePercent`),
 * connections near the limit. All warnings: free storage escalates like the others when nobody acts, before
 * a full disk stops writes.
 */
export function databaseAlarms(db: DatabaseMetrics): AlarmSet {
  const fifteenMinutes = { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 };
  const metric = (metricName: string, statistic: "Average" | "Minimum" | "Maximum") => ({
    namespace: "AWS/RDS",
    metricName,
    dimensions: { DBInstanceIdentifier: db.identifier },
    statistic,
  });
  const freeBytes = Math.round(db.storageGb * 1024 ** 3 * (RESOURCE_THRESHOLDS.rdsFreeStoragePercent / 100));
  const connections = Math.floor(postgresMaxConnections(db.size) * (RESOURCE_THRESHOLDS.rdsConnectionsPercent / 100));
  return {
    alarms: [
      {
        id: `database-${db.name}-cpu`,
        severity: "warning",
        description: `${db.name}: CPU at or above ${RESOURCE_THRESHOLDS.rdsCpuPercent}% for 15 minutes`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: RESOURCE_THRESHOLDS.rdsCpuPercent,
        window: fifteenMinutes,
        metric: metric("CPUUtilization", "Average"),
        treatMissingData: "missing",
        routed: true,
      },
      {
        id: `database-${db.name}-free-storage`,
        severity: "warning",
        description:
          `${db.name}: free storage at or below ${RESOURCE_THRESHOLDS.rdsFreeStoragePercent}% of the initial ${db.storageGb} GiB for 15 minutes, below ` +
          "the 10% at which storage autoscaling grows it: autoscaling did not keep up or reached maxStorageGb; a full disk stops writes",
        comparisonOperator: "LessThanOrEqualToThreshold",
        threshold: freeBytes,
        window: fifteenMinutes,
        metric: metric("FreeStorageSpace", "Minimum"),
        treatMissingData: "missing",
        routed: true,
      },
      {
        id: `database-${db.name}-connections`,
        severity: "warning",
        description: `${db.name}: ${connections} or more connections (${RESOURCE_THRESHOLDS.rdsConnectionsPercent}% of max_connections ${postgresMaxConnections(db.size)}) for 15 minutes`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: connections,
        window: fifteenMinutes,
        metric: metric("DatabaseConnections", "Maximum"),
        treatMissingData: "missing",
        routed: true,
      },
    ],
    composites: [],
  };
}

/** Cache alarms per node: memory use (evictions follow) and engine-thread CPU. */
export function cacheAlarms(cache: { readonly name: string; readonly nodeIds: readonly string[] }): AlarmSet {
  const alarms = cache.nodeIds.flatMap((node): AlarmSpec[] =>
    (
      [
        ["memory", "DatabaseMemoryUsagePercentage", RESOURCE_THRESHOLDS.redisMemoryPercent, "memory use; evictions follow"],
        ["engine-cpu", "EngineCPUUtilization", RESOURCE_THRESHOLDS.redisEngineCpuPercent, "engine thread CPU"],
      ] as const
    ).map(([label, metricName, threshold, what]) => ({
      id: `cache-${node}-${label}`,
      severity: "warning",
      description: `${cache.name} node ${node}: ${what} at or above ${threshold}% for 15 minutes`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold,
      window: { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
      metric: { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, statistic: "Average" },
      treatMissingData: "missing",
      routed: true,
    })),
  );
  return { alarms, composites: [] };
}

/** The load balancer health check of a service's targets, as far as the deployment health alarm cares. */
export interface TargetHealthCheck {
  readonly intervalSeconds: number;
  /** Seconds a new task may fail health checks while it starts (the ECS service's grace period). */
  readonly gracePeriodSeconds: number;
}

/** Consecutive passing health checks before a target is healthy, as `WebService` configures its target groups. */
export const HEALTHY_THRESHOLD = 2;

/**
 * The alarm that rolls back a traffic-shifting deployment (ECS blue/green, canary, linear) whose new tasks
 * fail the load balancer's health checks, where the deployment circuit breaker is not documented to apply:
 * unhealthy targets in either target group in M of 2M minutes, where M minutes outlast a task's start
 * (the grace period, then {@link HEALTHY_THRESHOLD} passing checks) by a minute. A task that starts slowly
 * but passes within its grace period never reaches M; one that keeps failing (or keeps being replaced,
 * which leaves gaps) does.
 */
export function deploymentHealthAlarmSpec(
  service: { readonly name: string; readonly loadBalancer: pulumi.Input<string>; readonly targetGroups: readonly pulumi.Input<string>[] },
  healthCheck: TargetHealthCheck,
): AlarmSpec {
  const minutes = Math.min(720, Math.ceil((healthCheck.gracePeriodSeconds + HEALTHY_THRESHOLD * healthCheck.intervalSeconds) / 60) + 1);
  const ids = service.targetGroups.map((_, i) => `unhealthy${i}`);
  return {
    id: `service-${service.name}-deployment-health`,
    severity: "warning",
    description: `${service.name}: targets failing the load balancer's health check in ${minutes} of ${2 * minutes} minutes; rolls a deployment back`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    window: { period: 60, evaluationPeriods: 2 * minutes, datapointsToAlarm: minutes },
    metricQueries: [
      ...service.targetGroups.map(
        (targetGroup, i): MetricQuery => ({
          id: ids[i]!,
          returnData: false,
          metric: {
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            dimensions: { TargetGroup: targetGroup, LoadBalancer: service.loadBalancer },
            period: 60,
            stat: "Maximum",
          },
        }),
      ),
      { id: "unhealthy", label: "Unhealthy targets", expression: ids.map((id) => `FILL(${id}, 0)`).join(" + "), returnData: true },
    ],
    treatMissingData: "notBreaching",
    routed: false,
  };
}
