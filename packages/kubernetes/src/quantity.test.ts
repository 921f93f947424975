import fc from "fast-check";
import { cpuQuantity, memoryQuantity, storageQuantity } from "./quantity";

describe("cpuQuantity", () => {
  it.each([
    [0.5, "500m"],
    [0.25, "250m"],
    [1, "1"],
    [2, "2"],
    [1.5, "1500m"],
    [0.0001, "1m"],
  ])("formats %p cores as %s", (cores, expected) => {
    expect(cpuQuantity(cores)).toBe(expected);
  });
  it.each([0, -1, Number.NaN])("throws for %p", (cores) => {
    expect(() => cpuQuantity(cores)).toThrow(RangeError);
  });
  it("never rounds a request below what was asked", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 64, noNaN: true }), (cores) => {
        const q = cpuQuantity(cores);
        const millis = q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000;
        return millis >= Math.round(cores * 1e6) / 1e3 - 1e-9;
      }),
    );
  });
});

describe("memoryQuantity", () => {
  it.each([
    [1024, "1Gi"],
    [512, "512Mi"],
    [1536, "1536Mi"],
    [8192, "8Gi"],
  ])("formats %p MiB as %s", (mib, expected) => {
    expect(memoryQuantity(mib)).toBe(expected);
  });
  it.each([0, 1.5])("throws for %p", (mib) => {
    expect(() => memoryQuantity(mib)).toThrow(RangeError);
  });
});

describe("storageQuantity", () => {
  it.each([
    [20, "20Gi"],
    [1024, "1Ti"],
    [1500, "1500Gi"],
  ])("formats %p GiB as %s", (gib, expected) => {
    expect(storageQuantity(gib)).toBe(expected);
  });
});
