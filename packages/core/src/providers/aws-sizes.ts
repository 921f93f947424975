/**
 * Sizes and capacities: the spec's `small | medium | large` mapped to AWS instance classes, and the
 * Fargate CPU/memory combinations AWS accepts. Plain values only; no Pulumi here.
 */
import type { Problem } from "../errors";
import type { ServiceSpec, Size } from "../spec";

/** An instance class and the memory it has, which sets PostgreSQL's default connection limit. */
export interface InstanceClass {
  readonly instanceClass: string;
  readonly memoryGiB: number;
}

/** Graviton classes: burstable for small (cheap, idle most of the day), general purpose, then memory optimised. */
export const INSTANCE_CLASSES: Readonly<Record<"rds" | "elasticache", Readonly<Record<Size, InstanceClass>>>> = {
  rds: {
    small: { instanceClass: "db.t4g.small", memoryGiB: 2 },
    medium: { instanceClass: "db.m7g.large", memoryGiB: 8 },
    large: { instanceClass: "db.r7g.xlarge", memoryGiB: 32 },
  },
  elasticache: {
    small: { instanceClass: "cache.t4g.small", memoryGiB: 1.37 },
    medium: { instanceClass: "cache.m7g.large", memoryGiB: 6.38 },
    large: { instanceClass: "cache.r7g.xlarge", memoryGiB: 26.32 },
  },
};

/**
 * RDS PostgreSQL's default `max_connections`: LEAST(DBInstanceClassMemory / 9531392, 5000).
 * Slightly high, since DBInstanceClassMemory excludes memory the OS reserves; fine for an alarm threshold.
 */
export function postgresMaxConnections(size: Size): number {
  return Math.min(Math.floor((INSTANCE_CLASSES.rds[size].memoryGiB * 1024 ** 3) / 9_531_392), 5000);
}

/** Fargate's allowed memory (MiB) per CPU (vCPU), from the ECS task definition documentation. */
export const FARGATE_MEMORY: ReadonlyMap<number, readonly number[]> = new Map([
  [0.25, [512, 1024, 2048]],
  [0.5, range(1024, 4096, 1024)],
  [1, range(2048, 8192, 1024)],
  [2, range(4096, 16_384, 1024)],
  [4, range(8192, 30_720, 1024)],
  [8, range(16_384, 61_440, 4096)],
  [16, range(32_768, 122_880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/**
 * Problems with a Fargate CPU/memory pair, naming `<path>.cpu` or `<path>.memory`.
 * @param path the spec path of the service, e.g. `services.api`.
 */
export function fargateSizeProblems(cpu: number, memory: number, path: string): Problem[] {
  const allowedMemory = FARGATE_MEMORY.get(cpu);
  if (allowedMemory === undefined) {
    return [
      {
        path: `${path}.cpu`,
        message: `${cpu} vCPU is not a Fargate size; allowed: ${[...FARGATE_MEMORY.keys()].join(", ")}`,
        fix: `set cpu to ${nearest([...FARGATE_MEMORY.keys()], cpu)}`,
      },
    ];
  }
  if (allowedMemory.includes(memory)) return [];
  return [
    {
      path: `${path}.memory`,
      message: `${memory} MiB is not allowed with ${cpu} vCPU on Fargate; allowed: ${describeMemory(allowedMemory)}`,
      fix: `set memory to ${nearest(allowedMemory, memory)} or pick another cpu`,
    },
  ];
}

function describeMemory(values: readonly number[]): string {
  if (values.length <= 3) return values.join(", ");
  return `${values[0]} to ${values[values.length - 1]} in steps of ${values[1]! - values[0]!}`;
}

function nearest(values: readonly number[], target: number): number {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best));
}

/** Fargate task-definition units: CPU in 1/1024 vCPU, memory in MiB, both as the strings ECS expects. */
export function fargateUnits(cpu: number, memory: number): { cpu: string; memory: string } {
  return { cpu: String(cpu * 1024), memory: String(memory) };
}

/** The Redis OSS versions ElastiCache offers (major.minor), and what a bare major means: its latest minor. */
const REDIS_ENGINE_VERSIONS: Readonly<Record<string, string>> = { "6": "6.2", "6.x": "6.2", "6.0": "6.0", "6.2": "6.2", "7": "7.1", "7.0": "7.0", "7.1": "7.1" };

/** The ElastiCache `engineVersion` for a spec version ("7" -> "7.1", "6.x" -> "6.2"), or undefined when ElastiCache offers none. */
export function redisEngineVersion(version: string): string | undefined {
  return REDIS_ENGINE_VERSIONS[version];
}

/** Supported spec versions, for messages. */
export const REDIS_MAJOR_VERSIONS = Object.keys(REDIS_ENGINE_VERSIONS);

/** ECS's longest bake time (`bakeTimeInMinutes`, 0 to 1440): how long blue/green keeps the old tasks. */
export const MAX_BAKE_TIME_MINUTES = 1440;

/** A blue/green, canary or linear deployment's wait before the old tasks go, within ECS's bake time. */
export function ecsBakeTimeProblems(deployment: ServiceSpec["deployment"], path: string): Problem[] {
  const wait = deployment.blueGreen.terminationWaitMinutes;
  if (deployment.strategy === "rolling" || wait <= MAX_BAKE_TIME_MINUTES) return [];
  return [
    {
      path: `${path}.deployment.blueGreen.terminationWaitMinutes`,
      message: `${wait} is longer than ECS's bake time allows (0 to ${MAX_BAKE_TIME_MINUTES} minutes)`,
      fix: `set it to at most ${MAX_BAKE_TIME_MINUTES}`,
    },
  ];
}
