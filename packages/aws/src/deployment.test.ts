import type { DeploymentSpec } from "@polycloud/core";
import { trafficRouting } from "./deployment";

const deployment = (strategy: DeploymentSpec["strategy"], steps: number[]): DeploymentSpec => ({
  strategy,
  canary: { steps, intervalMinutes: 5 },
  blueGreen: { terminationWaitMinutes: 5 },
  rollback: { onHealthCheckFailure: true, onAlarm: true },
});

describe("trafficRouting", () => {
  it.each([
    ["blue-green", [10, 50, 100], { type: "AllAtOnce" }],
    ["canary", [100], { type: "AllAtOnce" }],
    ["canary", [10, 50, 100], { type: "TimeBasedCanary", timeBasedCanary: { percentage: 10, interval: 5 } }],
    ["canary", [10, 100], { type: "TimeBasedCanary", timeBasedCanary: { percentage: 10, interval: 5 } }],
    ["canary", [25, 50, 75, 100], { type: "TimeBasedLinear", timeBasedLinear: { percentage: 25, interval: 5 } }],
    ["canary", [30, 60, 90, 100], { type: "TimeBasedLinear", timeBasedLinear: { percentage: 30, interval: 5 } }],
  ] as const)("shifts %s with steps %j as %j", (strategy, steps, expected) => {
    expect(trafficRouting(deployment(strategy, [...steps]))).toEqual(expected);
  });
});
