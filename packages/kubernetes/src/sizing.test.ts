import { capacityFor, cacheStorageGb, databaseInstances, peakPods } from "./sizing";
import { FULL_SPEC, spec } from "./__tests__/fixtures";
import { parseSpec } from "@polycloud/core";

const deployment = (strategy: "rolling" | "blue-green" | "canary") => spec({ services: { api: { image: "a:1", deployment: { strategy } } } }).services[0]!.deployment;

describe("peakPods", () => {
  it.each([
    ["rolling", 10, 13],
    ["rolling", 1, 2],
    ["blue-green", 4, 8],
    ["canary", 10, 20],
  ] as const)("counts %s with max %i as %i pods", (strategy, max, pods) => {
    expect(peakPods({ replicas: { min: 1, max }, deployment: deployment(strategy) })).toBe(pods);
  });
});

describe("capacityFor", () => {
  it.each([
    ["one small service (3 pods at peak)", spec(), { cpu: 2, memory: 4096, pods: 4, storageGb: 0, persistentVolumeClaims: 2 }],
    // 50 GiB x (3 instances + the dump volume) + 2 GiB cache + 10 GiB bucket = 212 GiB.
    ["the full spec (33 pods, 212 GiB at peak)", parseSpec(FULL_SPEC), { cpu: 21, memory: 43008, pods: 42, storageGb: 265, persistentVolumeClaims: 8 }],
  ])("sizes %s", (_, s, expected) => {
    expect(capacityFor(s)).toEqual(expected);
  });
});

describe("stateful sizes", () => {
  it.each([
    ["small", 2],
    ["medium", 8],
    ["large", 16],
  ] as const)("gives a %s cache %i GiB", (size, gb) => {
    expect(cacheStorageGb(size)).toBe(gb);
  });
  it("runs three database instances with high availability", () => {
    expect([databaseInstances(true), databaseInstances(false)]).toEqual([3, 1]);
  });
});
