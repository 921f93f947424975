/**
 * The resolved spec: every default filled in from the environment preset and compliance floors.
 * This is what the application model, the platform and the backends consume.
 */
import type { z } from "zod";
import type { Environment } from "../naming";
import type { Compliance, NatStrategy } from "../presets";
import type { AwsOptions, AzureOptions, GcpOptions, KubernetesOptions } from "../providers/options";
import type { DeploymentStrategySchema, ProviderChoiceSchema, RouteSchema, SizeSchema } from "./schema";

export type ProviderChoice = z.infer<typeof ProviderChoiceSchema>;
export type Size = z.infer<typeof SizeSchema>;
export type DeploymentStrategy = z.infer<typeof DeploymentStrategySchema>;
export type AlertRoute = z.infer<typeof RouteSchema>;
export type Severity = "critical" | "warning" | "info";

/** Every alert severity, most urgent first. */
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

export interface SloSpec {
  readonly availability: number;
  readonly latencyP95Ms: number;
  readonly errorRatePercent: number;
  readonly recoveryTimeMinutes?: number;
  readonly recoveryPointMinutes?: number;
}

export interface LoadBalancerSpec {
  readonly public: boolean;
  readonly tls: boolean;
  /** True when the spec set `tls` itself; a default may be turned off where it cannot be honoured, an explicit choice never. */
  readonly explicitTls?: boolean;
  readonly domain?: string;
  readonly waf: boolean;
}

export interface NetworkSpec {
  readonly cidr: string;
  readonly zones: number;
  readonly nat: NatStrategy;
  readonly loadBalancer: LoadBalancerSpec;
  readonly cdn: boolean;
}

export interface DeploymentSpec {
  readonly strategy: DeploymentStrategy;
  readonly canary: { readonly steps: readonly number[]; readonly intervalMinutes: number };
  readonly blueGreen: { readonly terminationWaitMinutes: number };
  readonly rollback: { readonly onHealthCheckFailure: boolean; readonly onAlarm: boolean };
}

export interface ServiceSpec {
  /** The key under `services`. */
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly port: number;
  readonly cpu: number;
  readonly memory: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly autoscaling: { readonly cpuPercent: number; readonly memoryPercent: number };
  readonly healthCheck: {
    readonly path: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly gracePeriodSeconds: number;
  };
  readonly public: boolean;
  /** Plain, non-secret environment values (numbers and booleans already turned into strings). */
  readonly env: Readonly<Record<string, string>>;
  /** Secret names, including the generated DATABASE_URL / REDIS_URL when the service may use the database or cache. */
  readonly secrets: readonly string[];
  /** What the service may reach, resolved: the application model turns it into grants. */
  readonly access: ServiceAccess;
  readonly deployment: DeploymentSpec;
}

/** Bucket access a service may be granted. */
export type BucketAccess = "read" | "readwrite";

export interface ServiceAccess {
  readonly database: boolean;
  readonly cache: boolean;
  /** Bucket name -> access. */
  readonly buckets: Readonly<Record<string, BucketAccess>>;
  /** Services this one may call, in spec order. */
  readonly services: readonly string[];
}

export interface DatabaseSpec {
  readonly engine: "postgres";
  readonly version: string;
  /** Major version as a number, e.g. 16. */
  readonly majorVersion: number;
  readonly size: Size;
  readonly storageGb: number;
  /** The database created inside the server. */
  readonly name: string;
  readonly highAvailability: boolean;
  readonly deletionProtection: boolean;
  readonly backup: { readonly retentionDays: number; readonly window: string };
}

export interface CacheSpec {
  readonly engine: "redis";
  readonly version: string;
  readonly majorVersion: number;
  readonly size: Size;
  readonly highAvailability: boolean;
}

export interface BucketSpec {
  /** The key under `buckets`. */
  readonly name: string;
  readonly versioning: boolean;
  readonly publicRead: boolean;
  readonly lifecycle: {
    readonly expireNoncurrentAfterDays?: number | undefined;
    readonly expireAfterDays?: number | undefined;
    readonly transitionToInfrequentAccessAfterDays?: number | undefined;
  };
}

export interface SecretSpec {
  /** The key under `secrets`. */
  readonly name: string;
  readonly description?: string | undefined;
  readonly rotationDays?: number | undefined;
  /** Generate a value when stack config gives none. @default false */
  readonly generate?: boolean;
}

export interface MonitoringSpec {
  readonly alerts: Readonly<Record<Severity, readonly AlertRoute[]>>;
  readonly escalateAfterMinutes: number;
  readonly dashboard: boolean;
}

/** A spec with every default resolved from its environment preset and compliance tags. */
export interface ResolvedSpec {
  readonly name: string;
  readonly environment: Environment;
  readonly provider: ProviderChoice;
  readonly region?: string;
  readonly compliance: readonly Compliance[];
  readonly tags: Readonly<Record<string, string>>;
  readonly slo: SloSpec;
  readonly network: NetworkSpec;
  readonly services: readonly ServiceSpec[];
  readonly database?: DatabaseSpec;
  readonly cache?: CacheSpec;
  readonly buckets: readonly BucketSpec[];
  readonly secrets: readonly SecretSpec[];
  readonly monitoring: MonitoringSpec;
  readonly logging: { readonly retentionDays: number; readonly audit: boolean };
  readonly backup: { readonly schedule: "daily" | "hourly"; readonly retentionDays: number; readonly crossRegion: boolean };
  /** Pulumi `protect` on stateful resources (from the preset). */
  readonly protectStateful: boolean;
  /** Backend options given in the spec's `providers` section (stack config may override them). */
  readonly providers: { readonly aws?: AwsOptions | undefined; readonly azure?: AzureOptions | undefined; readonly gcp?: GcpOptions | undefined; readonly kubernetes?: KubernetesOptions | undefined };
}

/** Secrets the platform generates and wires into services when the spec has a database or cache. */
export const GENERATED_SECRETS = { DATABASE_URL: "database", REDIS_URL: "cache" } as const;
