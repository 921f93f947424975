/** How a spec's deployment strategy maps onto ECS's built-in deployment strategies. Plain values only. */
import type { DeploymentSpec } from "@polycloud/core";

/** ECS's `deploymentConfiguration` for a strategy (a subset of `aws.ecs.ServiceDeploymentConfiguration`, plain). */
export type EcsDeploymentConfiguration =
  | { readonly strategy: "ROLLING" }
  | { readonly strategy: "BLUE_GREEN"; readonly bakeTimeInMinutes: string }
  | { readonly strategy: "CANARY"; readonly bakeTimeInMinutes: string; readonly canaryConfiguration: { readonly canaryPercent: number; readonly canaryBakeTimeInMinutes: string } }
  | { readonly strategy: "LINEAR"; readonly bakeTimeInMinutes: string; readonly linearConfiguration: { readonly stepPercent: number; readonly stepBakeTimeInMinutes: string } };

/** ECS accepts linear steps of 3% or more. */
const MIN_LINEAR_STEP = 3;

/**
 * The ECS deployment strategy of a spec's deployment. Blue-green shifts all traffic at once once the new
 * tasks are healthy. Canary steps that grow evenly (`[25, 50, 75, 100]`) become linear shifting; any
 * other steps become ECS's two-step canary: the first step, then the rest after the interval (ECS has no
 * multi-step canary). Every traffic-shifting strategy keeps the old tasks for the blue-green termination
 * wait (the bake time), so a rollback is instant.
 */
export function ecsDeploymentConfiguration(deployment: DeploymentSpec): EcsDeploymentConfiguration {
  if (deployment.strategy === "rolling") return { strategy: "ROLLING" };
  const bakeTimeInMinutes = String(deployment.blueGreen.terminationWaitMinutes);
  const steps = deployment.canary.steps;
  const first = steps[0] ?? 100;
  if (deployment.strategy !== "canary" || first >= 100) return { strategy: "BLUE_GREEN", bakeTimeInMinutes };
  const interval = String(deployment.canary.intervalMinutes);
  const linear = first >= MIN_LINEAR_STEP && steps.length === Math.ceil(100 / first) && steps.every((step, i) => step === Math.min(100, first * (i + 1)));
  return linear
    ? { strategy: "LINEAR", bakeTimeInMinutes, linearConfiguration: { stepPercent: first, stepBakeTimeInMinutes: interval } }
    : { strategy: "CANARY", bakeTimeInMinutes, canaryConfiguration: { canaryPercent: first, canaryBakeTimeInMinutes: interval } };
}
