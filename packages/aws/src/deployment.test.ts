import type { DeploymentSpec } from "@polycloud/core";
import { ecsDeploymentConfiguration, ecsHealthRollback } from "./deployment";

const deployment = (strategy: DeploymentSpec["strategy"], steps: number[]): DeploymentSpec => ({
  strategy,
  canary: { steps, intervalMinutes: 5 },
  blueGreen: { terminationWaitMinutes: 15 },
  rollback: { onHealthCheckFailure: true, onAlarm: true },
});

describe("ecsDeploymentConfiguration", () => {
  it.each([
    ["rolling", [10, 50, 100], { strategy: "ROLLING" }],
    ["blue-green", [10, 50, 100], { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" }],
    ["canary", [100], { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" }],
    ["canary", [10, 50, 100], { strategy: "CANARY", bakeTimeInMinutes: "15", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } }],
    ["canary", [10, 100], { strategy: "CANARY", bakeTimeInMinutes: "15", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } }],
    ["canary", [25, 50, 75, 100], { strategy: "LINEAR", bakeTimeInMinutes: "15", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "5" } }],
    ["canary", [30, 60, 90, 100], { strategy: "LINEAR", bakeTimeInMinutes: "15", linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: "5" } }],
    ["canary", [2, 4, 6], { strategy: "CANARY", bakeTimeInMinutes: "15", canaryConfiguration: { canaryPercent: 2, canaryBakeTimeInMinutes: "5" } }],
  ] as const)("deploys %s with steps %j as %j", (strategy, steps, expected) => {
    expect(ecsDeploymentConfiguration(deployment(strategy, [...steps]))).toEqual(expected);
  });
});

describe("ecsHealthRollback", () => {
  // The circuit breaker only where AWS documents it (rolling update; blue/green in the developer guide's
  // "deployment failure detection"), the unhealthy-target alarm where it is not confirmed (blue/green) or absent.
  it.each([
    ["rolling", [10, 50, 100], { circuitBreaker: { enable: true, rollback: true }, healthAlarm: false }],
    ["blue-green", [10, 50, 100], { circuitBreaker: { enable: true, rollback: true }, healthAlarm: true }],
    ["canary", [10, 50, 100], { circuitBreaker: { enable: false, rollback: false }, healthAlarm: true }],
    ["canary", [25, 50, 75, 100], { circuitBreaker: { enable: false, rollback: false }, healthAlarm: true }],
    ["canary", [100], { circuitBreaker: { enable: true, rollback: true }, healthAlarm: true }],
  ] as const)("rolls back failed health checks of %s with steps %j by %j", (strategy, steps, expected) => {
    expect(ecsHealthRollback(deployment(strategy, [...steps]))).toEqual(expected);
  });

  it("rolls nothing back on failed health checks when the spec turns it off, and stops a rolling deployment still", () => {
    const off = (strategy: DeploymentSpec["strategy"]) => ecsHealthRollback({ ...deployment(strategy, [10, 50, 100]), rollback: { onHealthCheckFailure: false, onAlarm: true } });
    expect(off("rolling")).toEqual({ circuitBreaker: { enable: true, rollback: false }, healthAlarm: false });
    expect(off("canary")).toEqual({ circuitBreaker: { enable: false, rollback: false }, healthAlarm: false });
  });
});
