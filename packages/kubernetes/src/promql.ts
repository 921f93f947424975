import { escalationOf, formatWindow, type EscalationPolicy, type Severity, type SloAlert } from "@polycloud/core";

/**
 * PromQL for the SLO signals: error ratio and latency quantile of a service's HTTP metrics, as
 * scraped by a ServiceMonitor (the Prometheus operator labels every series with `namespace` and
 * `service`). Aggregations keep those two labels: an AlertmanagerConfig only routes alerts whose
 * `namespace` label is its own. Pure strings, so alerts, dashboards and rollout analysis all query the same thing.
 */

/** Names of the HTTP metrics a service exposes (Prometheus client conventions by default). */
export interface RequestMetrics {
  /** Counter of handled requests. @default "http_requests_total" */
  readonly requests?: string;
  /** Histogram of request durations in seconds (without `_bucket`). @default "http_request_duration_seconds" */
  readonly duration?: string;
  /** Label holding the HTTP status code. @default "code" */
  readonly statusLabel?: string;
}

/** The series of one service: the labels the Prometheus operator puts on its scraped targets. */
export interface SeriesSelector {
  readonly namespace: string;
  readonly service: string;
  /**
   * Only the pods of one ReplicaSet: the `rollouts-pod-template-hash` label Argo Rollouts puts on its
   * pods, which the ServiceMonitor copies to the series as `rollouts_pod_template_hash` (`podTargetLabels`).
   * @default - every pod of the service
   */
  readonly podTemplateHash?: string;
}

/** The series label that holds a pod's `rollouts-pod-template-hash` (the operator replaces `-` with `_`). */
export const POD_TEMPLATE_HASH_LABEL = "rollouts_pod_template_hash";

const resolved = (m: RequestMetrics) => ({
  requests: m.requests ?? "http_requests_total",
  duration: m.duration ?? "http_request_duration_seconds",
  statusLabel: m.statusLabel ?? "code",
});

const matchers = (s: SeriesSelector) =>
  `namespace="${s.namespace}",service="${s.service}"${s.podTemplateHash === undefined ? "" : `,${POD_TEMPLATE_HASH_LABEL}="${s.podTemplateHash}"`}`;

/** Fraction of requests answered with a 5xx over `window` (e.g. "5m"). */
export function errorRatio(s: SeriesSelector, window: string, metrics: RequestMetrics = {}): string {
  const m = resolved(metrics);
  return (
    `sum by (namespace, service) (rate(${m.requests}{${matchers(s)},${m.statusLabel}=~"5.."}[${window}]))` +
    ` / sum by (namespace, service) (rate(${m.requests}{${matchers(s)}}[${window}]))`
  );
}

/**
 * Fraction of requests slower than `thresholdSeconds` over `window`, from the duration histogram:
 * 1 - (requests in the bucket `le="<threshold>"`) / (all requests). The histogram needs a bucket
 * at exactly the threshold (e.g. 0.2 for a 200 ms target), or the series is empty and never fires.
 */
export function slowRatio(s: SeriesSelector, window: string, thresholdSeconds: number, metrics: RequestMetrics = {}): string {
  const m = resolved(metrics);
  return (
    `1 - sum by (namespace, service) (rate(${m.duration}_bucket{${matchers(s)},le="${formatNumber(thresholdSeconds)}"}[${window}]))` +
    ` / sum by (namespace, service) (rate(${m.duration}_count{${matchers(s)}}[${window}]))`
  );
}

/** Request-duration quantile (0 < q < 1) over `window`, in seconds. */
export function latencyQuantile(s: SeriesSelector, window: string, quantile: number, metrics: RequestMetrics = {}): string {
  if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be between 0 and 1, got ${quantile}`);
  const m = resolved(metrics);
  return `histogram_quantile(${quantile}, sum by (namespace, service, le) (rate(${m.duration}_bucket{${matchers(s)}}[${window}])))`;
}

/** Requests per second over `window`. */
export function requestRate(s: SeriesSelector, window: string, metrics: RequestMetrics = {}): string {
  return `sum by (namespace, service) (rate(${resolved(metrics).requests}{${matchers(s)}}[${window}]))`;
}

/**
 * Multi-window burn-rate condition (Google SRE workbook, ch. 5): the bad-request ratio reaches
 * `threshold` (a fraction: burn rate x budget) over both the long window, so the alert is
 * significant, and the short window, so it stops firing soon after the burn stops. `ratio` is the
 * bad-request ratio over a window: {@link errorRatio} by default.
 */
export function burnRateExpr(
  s: SeriesSelector,
  longWindow: string,
  shortWindow: string,
  threshold: number,
  metrics: RequestMetrics = {},
  ratio: (window: string) => string = (window) => errorRatio(s, window, metrics),
): string {
  const t = formatNumber(threshold);
  return `(${ratio(longWindow)}) >= ${t}\nand\n(${ratio(shortWindow)}) >= ${t}`;
}

/** A threshold as PromQL prints it: no float noise (0.1 * 14.4 = 1.4400000000000002 -> 1.44). */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** A Prometheus alerting rule, as a PrometheusRule lists it. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * How long a burn-rate condition must hold before the alert fires: half its short window, whole minutes
 * (Pyrra's convention: 2m for 1h/5m, 15m for 6h/30m, 3h for 3d/6h). One evaluation over the threshold
 * (a scrape gap, a counter reset) does not page, and the short window still ends the alert soon after the burn.
 */
export function burnRateHoldMinutes(alert: { readonly shortWindowMinutes: number }): number {
  return Math.max(1, Math.floor(alert.shortWindowMinutes / 2));
}

/**
 * How long the static error-rate condition (a ratio over 15 minutes) must hold: 5 minutes, so one bad
 * evaluation does not raise a warning.
 */
export const ERROR_RATE_HOLD_MINUTES = 5;

/**
 * One alerting rule per core SLO alert (availability and latency burn-rate, static latency, error-rate) for one service, labelled by
 * severity so Alertmanager routes it. Every threshold fires "at or above", as core defines them, and every
 * rule has a `for`: burn rates {@link burnRateHoldMinutes}, static latency its window, error rate
 * {@link ERROR_RATE_HOLD_MINUTES}.
 */
export function sloAlertingRules(s: SeriesSelector, alerts: readonly SloAlert[], metrics: RequestMetrics = {}): AlertingRule[] {
  return alerts.map((a) => {
    let expr: string;
    let holdFor: string;
    switch (a.kind) {
      case "burn-rate": {
        // The latency SLI burns its budget with requests slower than the target (histogram `le` at the target, in seconds).
        const latency = a.sli === "latency" ? (a.latencyThresholdMs ?? 0) / 1000 : undefined;
        const ratio = latency === undefined ? undefined : (window: string) => slowRatio(s, window, latency, metrics);
        expr = burnRateExpr(s, formatWindow(a.longWindowMinutes), formatWindow(a.shortWindowMinutes), a.errorRateThreshold, metrics, ratio);
        holdFor = formatWindow(burnRateHoldMinutes(a));
        break;
      }
      case "latency":
        expr = `${latencyQuantile(s, "5m", a.percentile / 100, metrics)} >= ${formatNumber(a.thresholdMs / 1000)}`;
        holdFor = formatWindow(a.windowMinutes);
        break;
      case "error-rate":
        expr = `${errorRatio(s, formatWindow(a.windowMinutes), metrics)} >= ${formatNumber(a.errorRateThreshold)}`;
        holdFor = formatWindow(ERROR_RATE_HOLD_MINUTES);
        break;
    }
    return {
      alert: `${pascal(s.service)}${pascal(a.name)}`,
      expr,
      for: holdFor,
      labels: { severity: a.severity, service: s.service, slo: a.kind, ...(a.kind === "burn-rate" ? { sli: a.sli } : {}) },
      annotations: { summary: `${s.service}: ${a.summary}`, description: a.description },
    };
  });
}

/** `fast-burn` -> `FastBurn`, `latency-p95-critical` -> `LatencyP95Critical`. */
function pascal(kebab: string): string {
  return kebab
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

/** The label of an escalation rule that names the warning alert it escalates. */
export const ESCALATES_LABEL = "escalates";

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1 / 60000, s: 1 / 60, m: 1, h: 60, d: 1440, w: 10080, y: 525600 };

/**
 * Minutes of a Prometheus duration (`90s`, `5m`, `1h30m`, `3d`); 0 when there is none (a rule without
 * `for` fires at its first evaluation).
 * @throws RangeError for anything that is not a Prometheus duration.
 */
export function durationMinutes(duration: string | undefined): number {
  if (duration === undefined || duration === "" || duration === "0") return 0;
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) throw new RangeError(`"${duration}" is not a Prometheus duration such as 5m or 1h30m`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * DURATION_UNITS[unit!]!, 0);
}

/** Minutes as a Prometheus duration: the largest whole unit (`30m`, `1h`), seconds when not a whole minute. */
export function formatDuration(minutes: number): string {
  return Number.isInteger(minutes) && minutes > 0 ? formatWindow(minutes) : `${Math.round(minutes * 60)}s`;
}

/**
 * A group's rules with core's escalation policy applied ({@link escalationOf}): after each rule that
 * escalates (a warning), its escalation: the same expression, the policy's severity (critical), `for`
 * the warning's own plus `afterMinutes`, named `<Alert>Escalated` and labelled `escalates: <Alert>`.
 * Prometheus fires it once the warning's condition has held `afterMinutes` longer than the warning
 * needed, and resolves it with the warning; a warning that clears sooner never pages.
 */
export function withEscalations(rules: readonly AlertingRule[], policy: EscalationPolicy): AlertingRule[] {
  return rules.flatMap((rule) => {
    const pendingMinutes = durationMinutes(rule.for);
    const escalation = escalationOf({ severity: rule.labels["severity"] as Severity, pendingMinutes }, policy);
    if (escalation === undefined) return [rule];
    const after = policy.afterMinutes;
    return [
      rule,
      {
        alert: `${rule.alert}Escalated`,
        expr: rule.expr,
        for: formatDuration(escalation.pendingMinutes),
        labels: { ...rule.labels, severity: escalation.severity, [ESCALATES_LABEL]: rule.alert },
        annotations: {
          ...rule.annotations,
          summary: `${rule.annotations["summary"] ?? rule.alert} (escalated: still firing ${after} minutes after the warning)`,
          description: `${rule.annotations["description"] ?? ""} Escalation of the warning ${rule.alert}, whose condition has held ${after} minutes after it fired.`.trim(),
        },
      },
    ];
  });
}
