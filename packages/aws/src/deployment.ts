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

/** How a deployment of a strategy is rolled back when its new tasks fail their health checks. */
export interface EcsHealthRollback {
  /** ECS's `deploymentCircuitBreaker`: on where AWS documents it (rolling update and blue/green), off elsewhere. */
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  /** Whether the service's deployment alarms include the health alarm (unhealthy targets in either target group). */
  readonly healthAlarm: boolean;
}

/**
 * Health-check rollback per strategy. The deployment circuit breaker counts tasks that fail to start or
 * fail health checks; AWS documents it for rolling updates (API reference, `DeploymentCircuitBreaker`:
 * "only ... the rolling update (`ECS`) deployment type") and, in the developer guide's "Amazon ECS
 * deployment failure detection", for rolling and blue/green deployments; nowhere for canary or linear,
 * whose pages name CloudWatch alarms and lifecycle hooks for rollback. So:
 *
 * - `ROLLING`: the circuit breaker (rollback as the spec says);
 * - `BLUE_GREEN`: the circuit breaker, and the health alarm, since the API reference does not confirm it;
 * - `CANARY`, `LINEAR`: the circuit breaker off, the health alarm instead.
 *
 * ECS watches deployment alarms through the deployment and its bake time (the blue-green termination wait).
 */
export function ecsHealthRollback(deployment: DeploymentSpec): EcsHealthRollback {
  const { onHealthCheckFailure } = deployment.rollback;
  const strategy = ecsDeploymentConfiguration(deployment).strategy;
  switch (strategy) {
    case "ROLLING":
      return { circuitBreaker: { enable: true, rollback: onHealthCheckFailure }, healthAlarm: false };
    case "BLUE_GREEN":
      return { circuitBreaker: { enable: true, rollback: onHealthCheckFailure }, healthAlarm: onHealthCheckFailure };
    case "CANARY":
    case "LINEAR":
      return { circuitBreaker: { enable: false, rollback: false }, healthAlarm: onHealthCheckFailure };
  }
}
