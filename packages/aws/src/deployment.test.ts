import type { DeploymentSpec } from "@polycloud/core";
import { ecsDeploymentConfiguration } from "./deployment";

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
