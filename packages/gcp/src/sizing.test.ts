import { cloudRunSize } from "./sizing";

describe("cloudRunSize", () => {
  it.each([
    [0.25, 512, { cpu: "1", memory: "512Mi" }],
    [0.5, 256, { cpu: "1", memory: "512Mi" }],
    [1, 2048, { cpu: "1", memory: "2048Mi" }],
    [1, 6144, { cpu: "2", memory: "6144Mi" }],
    [3, 1024, { cpu: "4", memory: "2048Mi" }],
    [4, 20480, { cpu: "6", memory: "20480Mi" }],
    [6, 2048, { cpu: "6", memory: "4096Mi" }],
    [8, 32768, { cpu: "8", memory: "32768Mi" }],
  ])("rounds %s vCPU and %s MiB up to %j", (cpu, memory, size) => {
    expect(cloudRunSize(cpu, memory)).toEqual(size);
  });

  it("refuses what no Cloud Run size holds", () => {
    expect(() => cloudRunSize(8, 40000)).toThrow("Cloud Run offers at most 8 vCPU and 32768 MiB; asked for 8 vCPU and 40000 MiB");
  });
});
