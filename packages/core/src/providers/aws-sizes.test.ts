import fc from "fast-check";
import { FARGATE_MEMORY, fargateSizeProblems, fargateUnits, INSTANCE_CLASSES, postgresMaxConnections, redisEngineVersion } from "./aws-sizes";

describe("INSTANCE_CLASSES", () => {
  it.each([
    ["rds", "small", "db.t4g.small"],
    ["rds", "medium", "db.m7g.large"],
    ["rds", "large", "db.r7g.xlarge"],
    ["elasticache", "small", "cache.t4g.small"],
    ["elasticache", "medium", "cache.m7g.large"],
    ["elasticache", "large", "cache.r7g.xlarge"],
  ] as const)("maps %s %s to %s", (engine, size, instanceClass) => {
    expect(INSTANCE_CLASSES[engine][size].instanceClass).toBe(instanceClass);
  });
});

describe("postgresMaxConnections", () => {
  it.each([
    ["small", 225],
    ["medium", 901],
    ["large", 3604],
  ] as const)("follows RDS's memory formula when the size is %s", (size, connections) => {
    expect(postgresMaxConnections(size)).toBe(connections);
  });
});

describe("fargateSizeProblems", () => {
  it.each([
    [0.25, 512],
    [0.5, 1024],
    [1, 8192],
    [4, 30_720],
    [16, 122_880],
  ])("accepts %s vCPU with %i MiB", (cpu, memory) => {
    expect(fargateSizeProblems(cpu, memory, "services.api")).toEqual([]);
  });

  it("names services.<name>.cpu with the allowed sizes when the CPU is not a Fargate size", () => {
    expect(fargateSizeProblems(0.75, 1024, "services.api")).toEqual([
      { path: "services.api.cpu", message: "0.75 vCPU is not a Fargate size; allowed: 0.25, 0.5, 1, 2, 4, 8, 16", fix: "set cpu to 0.5" },
    ]);
  });

  it("names services.<name>.memory with the allowed range when memory does not fit the CPU", () => {
    expect(fargateSizeProblems(0.5, 512, "services.api")).toEqual([
      { path: "services.api.memory", message: "512 MiB is not allowed with 0.5 vCPU on Fargate; allowed: 1024 to 4096 in steps of 1024", fix: "set memory to 1024 or pick another cpu" },
    ]);
  });

  it("accepts exactly the table's pairs when given any CPU and memory", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FARGATE_MEMORY.keys()), fc.integer({ min: 128, max: 131_072 }), (cpu, memory) => {
        const valid = FARGATE_MEMORY.get(cpu)!.includes(memory);
        expect(fargateSizeProblems(cpu, memory, "s").length === 0).toBe(valid);
      }),
    );
  });
});

describe("fargateUnits", () => {
  it("turns vCPU into CPU units when given fractions", () => {
    expect(fargateUnits(0.25, 512)).toEqual({ cpu: "256", memory: "512" });
  });
});

describe("redisEngineVersion", () => {
  it.each([
    ["7", "7.1"],
    ["7.0", "7.0"],
    ["6", "6.2"],
    ["6.x", "6.2"],
    ["6.2", "6.2"],
    ["8", undefined],
    ["7.9", undefined],
    ["5.0.6", undefined],
  ])("maps spec version %s to %s", (version, engineVersion) => {
    expect(redisEngineVersion(version)).toBe(engineVersion);
  });
});
