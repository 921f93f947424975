/**
 * The escalation policy, in one place: what `monitoring.escalateAfterMinutes` means on every backend.
 * A warning alert whose condition still holds `afterMinutes` after it fired raises a critical alert
 * on the same condition (its "escalation"), routed to the critical routes; it resolves with the
 * warning. A warning that clears sooner never pages. Critical and info alerts are not escalated, and
 * repeat notifications are not part of the policy. A backend that evaluates alerts in fixed periods
 * (CloudWatch) rounds the delay up to the alert's period: it cannot tell a shorter breach.
 */
import type { Severity } from "../spec";
import type { EscalationPolicy } from "./types";

/** An alert as far as escalation cares: its severity, and how long its condition must hold before it fires. */
export interface EscalatableAlert {
  readonly severity: Severity;
  /** Minutes the condition must hold before the alert fires (CloudWatch periods x datapoints, Prometheus `for`). */
  readonly pendingMinutes: number;
  /** The alert is evaluated every this many minutes (a CloudWatch period); the delay is rounded up to it. @default 1 */
  readonly periodMinutes?: number;
}

/**
 * The escalation of an alert under a policy: the same condition, critical, firing once it has held
 * `afterMinutes` longer than the alert itself needs (in whole periods); undefined for alerts that do not escalate.
 */
export function escalationOf(alert: EscalatableAlert, policy: EscalationPolicy): EscalatableAlert | undefined {
  if (alert.severity !== policy.from) return undefined;
  const period = alert.periodMinutes ?? 1;
  return { severity: policy.to, pendingMinutes: alert.pendingMinutes + Math.ceil(policy.afterMinutes / period) * period, periodMinutes: period };
}
