/** How a spec's deployment strategy maps onto CodeDeploy traffic shifting. Plain values only. */
import type { DeploymentSpec } from "@polycloud/core";

/** The traffic shifting CodeDeploy does for a deployment strategy. */
export type TrafficRouting =
  | { readonly type: "AllAtOnce" }
  | { readonly type: "TimeBasedCanary"; readonly timeBasedCanary: { readonly percentage: number; readonly interval: number } }
  | { readonly type: "TimeBasedLinear"; readonly timeBasedLinear: { readonly percentage: number; readonly interval: number } };

/**
 * CodeDeploy traffic routing for a spec's deployment. Blue-green shifts all at once (after the green
 * tasks pass health checks). Canary steps that grow evenly (`[25, 50, 75, 100]`) become linear shifting;
 * any other steps become CodeDeploy's two-step canary: the first step, then the rest after the interval
 * (CodeDeploy has no multi-step canary).
 */
export function trafficRouting(deployment: DeploymentSpec): TrafficRouting {
  const steps = deployment.canary.steps;
  const first = steps[0] ?? 100;
  if (deployment.strategy !== "canary" || first >= 100) return { type: "AllAtOnce" };
  const interval = deployment.canary.intervalMinutes;
  const linear = steps.every((step, i) => step === Math.min(100, first * (i + 1))) && steps.length === Math.ceil(100 / first);
  return linear
    ? { type: "TimeBasedLinear", timeBasedLinear: { percentage: first, interval } }
    : { type: "TimeBasedCanary", timeBasedCanary: { percentage: first, interval } };
}
