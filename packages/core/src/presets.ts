/**
 * Environment presets: the one table of defaults that every backend reads through the resolved spec.
 * A value set in the spec always wins over the preset; compliance tags then raise the floors below.
 */
import type { Environment } from "./naming";

export const NatStrategy = { none: "none", single: "single", perZone: "perZone" } as const;
export type NatStrategy = (typeof NatStrategy)[keyof typeof NatStrategy];

export const Compliance = { soc2: "soc2", hipaa: "hipaa", pci: "pci", iso27001: "iso27001" } as const;
export type Compliance = (typeof Compliance)[keyof typeof Compliance];

/** Defaults that differ by environment. */
export interface Preset {
  /** Availability zones the network spans. */
  readonly zones: number;
  /** NAT gateways: one per zone survives a zone outage; one is cheaper. */
  readonly nat: NatStrategy;
  /** Default replica bounds of a service. */
  readonly replicas: { readonly min: number; readonly max: number };
  /** Standby database and cache replicas in another zone. */
  readonly highAvailability: boolean;
  /** Provider-side deletion protection on databases and caches. */
  readonly deletionProtection: boolean;
  /** Pulumi `protect` on stateful resources (database, bucket, key, vault). */
  readonly protectStateful: boolean;
  /** Database and backup retention in days. */
  readonly backupRetentionDays: number;
  /** Log retention in days. */
  readonly logRetentionDays: number;
  /** Audit logging (CloudTrail data events, Azure diagnostic settings, GCP data access logs, Kubernetes audit annotations). */
  readonly audit: boolean;
  /** Managed web application firewall in front of public load balancers. */
  readonly waf: boolean;
  /** Default SLO targets when the spec gives none. */
  readonly slo: { readonly availability: number; readonly latencyP95Ms: number; readonly errorRatePercent: number };
}

export const PRESETS: Readonly<Record<Environment, Preset>> = {
  development: {
    zones: 2,
    nat: "single",
    replicas: { min: 1, max: 2 },
    highAvailability: false,
    deletionProtection: false,
    protectStateful: false,
    backupRetentionDays: 7,
    logRetentionDays: 14,
    audit: false,
    waf: false,
    slo: { availability: 99, latencyP95Ms: 500, errorRatePercent: 1 },
  },
  staging: {
    zones: 2,
    nat: "single",
    replicas: { min: 2, max: 4 },
    highAvailability: false,
    deletionProtection: false,
    protectStateful: false,
    backupRetentionDays: 14,
    logRetentionDays: 30,
    audit: true,
    waf: true,
    slo: { availability: 99.5, latencyP95Ms: 300, errorRatePercent: 0.5 },
  },
  production: {
    zones: 3,
    nat: "perZone",
    replicas: { min: 3, max: 10 },
    highAvailability: true,
    deletionProtection: true,
    protectStateful: true,
    backupRetentionDays: 30,
    logRetentionDays: 90,
    audit: true,
    waf: true,
    slo: { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 },
  },
};

/** What a compliance tag tightens: floors a spec may not go below, and switches it may not turn off. */
export interface ComplianceFloor {
  readonly logRetentionDays: number;
  readonly backupRetentionDays: number;
  readonly audit: true;
  /** PCI DSS 6.4 asks for a web application firewall in front of public web applications. */
  readonly waf: boolean;
}

export const COMPLIANCE_FLOORS: Readonly<Record<Compliance, ComplianceFloor>> = {
  soc2: { logRetentionDays: 365, backupRetentionDays: 30, audit: true, waf: false },
  hipaa: { logRetentionDays: 365, backupRetentionDays: 35, audit: true, waf: false },
  pci: { logRetentionDays: 365, backupRetentionDays: 35, audit: true, waf: true },
  iso27001: { logRetentionDays: 365, backupRetentionDays: 30, audit: true, waf: false },
};

/** The strictest floor over a set of compliance tags, or undefined when there are none. */
export function complianceFloor(tags: readonly Compliance[]): ComplianceFloor | undefined {
  if (tags.length === 0) return undefined;
  const floors = tags.map((t) => COMPLIANCE_FLOORS[t]);
  return {
    logRetentionDays: Math.max(...floors.map((f) => f.logRetentionDays)),
    backupRetentionDays: Math.max(...floors.map((f) => f.backupRetentionDays)),
    audit: true,
    waf: floors.some((f) => f.waf),
  };
}
