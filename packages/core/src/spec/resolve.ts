/** Resolution: every default of a parsed spec filled in from the environment preset and compliance floors, once. */
import { complianceFloor, PRESETS } from "../presets";
import type { ParsedSpec } from "./schema";
import { GENERATED_SECRETS, type ResolvedSpec, type ServiceSpec } from "./types";

/** A parsed spec with every preset default filled in. */
export function resolve(p: ParsedSpec): ResolvedSpec {
  const preset = PRESETS[p.environment];
  const floor = complianceFloor(p.compliance);
  const backupRetentionDays = p.backup.retentionDays ?? Math.max(preset.backupRetentionDays, floor?.backupRetentionDays ?? 0);
  const serviceNames = Object.keys(p.services);
  const services = Object.entries(p.services).map(([name, s]): ServiceSpec => {
    const min = s.replicas?.min ?? preset.replicas.min;
    // Listing DATABASE_URL / REDIS_URL is the older way of asking for the store; `access` says it outright.
    const access = {
      database: p.database !== undefined && (s.access.database ?? true),
      cache: p.cache !== undefined && (s.access.cache ?? true),
      buckets: s.access.buckets,
      services: s.access.services ?? serviceNames.filter((other) => other !== name),
    };
    const generated = (Object.keys(GENERATED_SECRETS) as (keyof typeof GENERATED_SECRETS)[]).filter((secret) => access[GENERATED_SECRETS[secret]]);
    const named = s.secrets.filter((secret) => !(secret in GENERATED_SECRETS));
    return {
      name,
      image: s.image,
      ...(s.command === undefined ? {} : { command: s.command }),
      ...(s.args === undefined ? {} : { args: s.args }),
      port: s.port,
      cpu: s.cpu,
      memory: s.memory,
      replicas: { min, max: s.replicas?.max ?? Math.max(preset.replicas.max, min) },
      autoscaling: s.autoscaling,
      healthCheck: s.healthCheck,
      public: s.public,
      env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, String(v)])),
      secrets: [...new Set([...named, ...generated])],
      access,
      deployment: s.deployment,
    };
  });
  return {
    name: p.name,
    environment: p.environment,
    provider: p.provider,
    ...(p.region === undefined ? {} : { region: p.region }),
    compliance: p.compliance,
    tags: p.tags,
    slo: p.slo ?? preset.slo,
    network: {
      cidr: p.network.cidr,
      zones: p.network.zones ?? preset.zones,
      nat: p.network.nat ?? preset.nat,
      loadBalancer: {
        public: p.network.loadBalancer.public,
        tls: p.network.loadBalancer.tls ?? true,
        explicitTls: p.network.loadBalancer.tls !== undefined,
        ...(p.network.loadBalancer.domain === undefined ? {} : { domain: p.network.loadBalancer.domain }),
        waf: p.network.loadBalancer.waf ?? (preset.waf || floor?.waf === true),
      },
      cdn: p.network.cdn,
    },
    services,
    ...(p.database === undefined
      ? {}
      : {
          database: {
            engine: p.database.engine,
            version: p.database.version,
            majorVersion: Number.parseInt(p.database.version, 10),
            size: p.database.size,
            storageGb: p.database.storageGb,
            name: p.database.name ?? p.name.replace(/-/g, "_"),
            highAvailability: p.database.highAvailability ?? preset.highAvailability,
            deletionProtection: preset.deletionProtection,
            backup: { retentionDays: p.database.backup.retentionDays ?? backupRetentionDays, window: p.database.backup.window },
          },
        }),
    ...(p.cache === undefined
      ? {}
      : {
          cache: {
            engine: p.cache.engine,
            version: p.cache.version,
            majorVersion: Number.parseInt(p.cache.version, 10),
            size: p.cache.size,
            highAvailability: p.cache.highAvailability ?? preset.highAvailability,
          },
        }),
    buckets: Object.entries(p.buckets).map(([name, b]) => ({ name, ...b })),
    secrets: Object.entries(p.secrets).map(([name, s]) => ({ name, ...s })),
    monitoring: p.monitoring,
    logging: {
      retentionDays: p.logging.retentionDays ?? Math.max(preset.logRetentionDays, floor?.logRetentionDays ?? 0),
      audit: p.logging.audit ?? (preset.audit || floor !== undefined),
    },
    backup: { schedule: p.backup.schedule, retentionDays: backupRetentionDays, crossRegion: p.backup.crossRegion },
    protectStateful: preset.protectStateful,
    providers: p.providers,
  };
}

