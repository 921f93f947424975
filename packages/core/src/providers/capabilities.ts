/**
 * What each backend can build: its checks of a resolved spec and its options, run by the application
 * model before anything is created. Every problem names the spec path (or the option) and, where an
 * option makes the spec buildable, names that option. This is the only place a backend's limits are
 * checked on a spec; components check their own args for users who call them directly.
 */
import type { Problem } from "../errors";
import { closestMatch } from "../suggest";
import { physicalName, type Provider } from "../naming";
import { type ResolvedSpec, SEVERITIES } from "../spec";
import { ecsBakeTimeProblems, fargateSizeProblems, REDIS_MAJOR_VERSIONS, redisEngineVersion } from "./aws-sizes";
import { AZURE_LOCATION, CLOUD_RUN_REVISION, GCP_REGION, type BackendOptionsByProvider } from "./options";

/** A backend's limits. */
export interface Capabilities<P extends Provider = Provider> {
  /**
   * A load balancer certificate needs `network.loadBalancer.domain` (the backend issues certificates
   * only for a domain the user controls). Without one, TLS that was left at its default is turned off
   * outside production, with a warning; an explicit `tls: true`, or production, is a problem.
   */
  readonly tlsNeedsDomain: boolean;
  /** Problems with a spec this backend cannot build, given its options. */
  problems(spec: ResolvedSpec, options: BackendOptionsByProvider[P]): Problem[];
}

const cdnProblem = (where: string, fix: string): Problem => ({ path: "network.cdn", message: `true is not available on ${where}`, fix });

/** The database and versioned buckets: what a backup policy covers. */
export const hasBackupTargets = (spec: ResolvedSpec): boolean => spec.database !== undefined || spec.buckets.some((b) => b.versioning);

const aws: Capabilities<"aws"> = {
  tlsNeedsDomain: true,
  problems(spec, options) {
    const problems: Problem[] = [];
    if (spec.network.cdn) problems.push(cdnProblem("AWS yet (CloudFront is not built)", "set cdn: false"));
    for (const service of spec.services) {
      problems.push(...fargateSizeProblems(service.cpu, service.memory, `services.${service.name}`), ...ecsBakeTimeProblems(service.deployment, `services.${service.name}`));
    }
    if (spec.cache !== undefined && redisEngineVersion(spec.cache.version) === undefined) {
      problems.push({ path: "cache.version", message: `"${spec.cache.version}" has no ElastiCache Redis OSS release; allowed: ${REDIS_MAJOR_VERSIONS.join(", ")}`, fix: 'set version to "7"' });
    }
    if (spec.backup.crossRegion && hasBackupTargets(spec) && options.backupRegion === undefined) {
      problems.push({
        path: "backup.crossRegion",
        message: "true needs a second region for the copies on AWS, and providers.aws.backupRegion is not set",
        fix: "set providers.aws.backupRegion (or stack config polycloud:aws.backupRegion), e.g. us-west-2, or set crossRegion to false",
      });
    }
    return problems;
  },
};

/** Names a service may not take on Kubernetes: the objects of the stores share the namespace. */
function kubernetesObjectNames(spec: ResolvedSpec): { objects: Map<string, string>; secrets: Map<string, string> } {
  const stores = [
    ...(spec.database === undefined ? [] : [{ objectName: "postgres", what: "the database", secrets: ["postgres-app", "postgres-superuser"] }]),
    ...(spec.cache === undefined ? [] : [{ objectName: "redis", what: "the cache", secrets: ["redis-app"] }]),
    ...spec.buckets.map((b) => ({ objectName: `bucket-${b.name}`, what: `bucket ${b.name}`, secrets: [`bucket-${b.name}-app`, `bucket-${b.name}-read`, `bucket-${b.name}-root`] })),
  ];
  const objects = new Map<string, string>();
  const secrets = new Map<string, string>([[`${spec.name}-alert-receivers`, "the alert receivers"]]);
  for (const store of stores) {
    for (const suffix of ["", "-headless", "-backup", "-backups", "-setup", "-init", "-superuser"]) objects.set(`${store.objectName}${suffix}`, store.what);
    for (const secret of store.secrets) secrets.set(secret, store.what);
  }
  return { objects, secrets };
}

const kubernetes: Capabilities<"kubernetes"> = {
  tlsNeedsDomain: true,
  problems(spec, options) {
    const problems: Problem[] = [];
    // Services, stores and secrets share one namespace: one name would make two components fight over one object.
    const { objects, secrets } = kubernetesObjectNames(spec);
    const serviceNames = new Set(spec.services.map((s) => s.name));
    for (const service of spec.services) {
      const clash = [service.name, `${service.name}-preview`, `${service.name}-egress`].find((n) => objects.has(n));
      if (clash !== undefined) problems.push({ path: `services.${service.name}`, message: `"${clash}" is also the name of ${objects.get(clash)}'s objects on Kubernetes`, fix: `rename service ${service.name}` });
      // A public service's metrics-denying Ingress is <service>-metrics.
      const owner = service.name.endsWith("-metrics") ? service.name.slice(0, -"-metrics".length) : undefined;
      if (owner !== undefined && serviceNames.has(owner)) {
        problems.push({ path: `services.${service.name}`, message: `"${service.name}" is also the name of service ${owner}'s metrics Ingress on Kubernetes`, fix: `rename service ${service.name}` });
      }
    }
    if (options.smtp === undefined) problems.push(...emailWithoutSmtpProblems(spec));
    for (const secret of spec.secrets) {
      const owner = secrets.get(secret.name);
      if (owner !== undefined) problems.push({ path: `secrets.${secret.name}`, message: `"${secret.name}" is also the name of ${owner}'s Secret on Kubernetes`, fix: `rename secret ${secret.name}` });
    }
    if (spec.network.cdn) problems.push(cdnProblem("Kubernetes (a cluster has no CDN)", "set cdn to false and put a CDN in front of the ingress"));
    if (spec.backup.crossRegion && spec.database !== undefined && options.cloudNativePg?.objectStore === undefined) {
      problems.push({
        path: "backup.crossRegion",
        message: "true needs database backups that leave the cluster, and without CloudNativePG's object store they stay on a volume in it",
        fix: "set providers.kubernetes.cloudNativePg.objectStore to an object store in another region, or set crossRegion to false",
      });
    }
    if (spec.backup.crossRegion && spec.buckets.length > 0) {
      problems.push({
        path: "backup.crossRegion",
        message: `true, but buckets (${spec.buckets.map((b) => b.name).join(", ")}) are MinIO volumes in the cluster, which no option copies to another region`,
        fix: "set crossRegion to false, or replicate the MinIO buckets with your own tooling",
      });
    }
    return problems;
  },
};

/** Email routes, which Kubernetes can send only through the `smtp` option. */
function emailWithoutSmtpProblems(spec: ResolvedSpec): Problem[] {
  return SEVERITIES.flatMap((severity) =>
    spec.monitoring.alerts[severity].flatMap((route, i) =>
      !("email" in route)
        ? []
        : [
            {
              path: `monitoring.alerts.${severity}[${i}].email`,
              message: `"${route.email}" cannot be sent on Kubernetes without SMTP settings: kube-prometheus-stack's Alertmanager has none, and the Prometheus operator refuses an email receiver without smarthost and from (then it configures no receiver at all)`,
              fix: "set providers.kubernetes.smtp (or stack config polycloud:kubernetes.smtp) to { smarthost: host:port, from: address }, or route these alerts to a webhook or Slack",
            },
          ],
    ),
  );
}

/** Cloud Run's largest instance, 8 vCPU and 32 GiB (smaller sizes are rounded up to the next size it offers), and its longest startup probe delay and period. */
export const CLOUD_RUN_MAX = { cpu: 8, memoryMb: 32768, probeSeconds: 240 } as const;
/** PostgreSQL major versions Cloud SQL offers (POSTGRES_<major>). */
export const CLOUD_SQL_POSTGRES_MAJORS = [14, 15, 16, 17] as const;
/** Memorystore for Redis versions by spec major version. */
export const MEMORYSTORE_REDIS_VERSIONS: Readonly<Record<number, string>> = { 6: "REDIS_6_X", 7: "REDIS_7_2" };

const gcp: Capabilities<"gcp"> = {
  // Google-managed certificates are issued only for a domain that resolves to the load balancer.
  tlsNeedsDomain: true,
  problems(spec, options) {
    const problems: Problem[] = [];
    if (spec.region !== undefined && options.region === undefined && !GCP_REGION.test(spec.region)) {
      problems.push({
        path: "region",
        message: `"${spec.region}" is not a Google Cloud region, and providers.gcp.region is not set`,
        fix: "set providers.gcp.region (or stack config polycloud:gcp.region), e.g. us-east1",
      });
    }
    for (const service of spec.services) {
      if (service.cpu > CLOUD_RUN_MAX.cpu) problems.push({ path: `services.${service.name}.cpu`, message: `${service.cpu} is more than Cloud Run offers (at most ${CLOUD_RUN_MAX.cpu} vCPU)`, fix: `set cpu to ${CLOUD_RUN_MAX.cpu} or less` });
      if (service.memory > CLOUD_RUN_MAX.memoryMb) {
        problems.push({ path: `services.${service.name}.memory`, message: `${service.memory} is more than Cloud Run offers (at most ${CLOUD_RUN_MAX.memoryMb} MiB)`, fix: `set memory to ${CLOUD_RUN_MAX.memoryMb} or less` });
      }
      // Cloud Run's startup probe waits at most 240 s before its first check, and probes at most every 240 s.
      for (const field of ["gracePeriodSeconds", "intervalSeconds"] as const) {
        const value = service.healthCheck[field];
        if (value > CLOUD_RUN_MAX.probeSeconds) {
          problems.push({ path: `services.${service.name}.healthCheck.${field}`, message: `${value} is longer than a Cloud Run startup probe allows (at most ${CLOUD_RUN_MAX.probeSeconds} seconds)`, fix: `set ${field} to ${CLOUD_RUN_MAX.probeSeconds} or less` });
        }
      }
    }
    if (spec.database !== undefined && !(CLOUD_SQL_POSTGRES_MAJORS as readonly number[]).includes(spec.database.majorVersion)) {
      problems.push({ path: "database.version", message: `"${spec.database.version}" has no Cloud SQL for PostgreSQL release; allowed: ${CLOUD_SQL_POSTGRES_MAJORS.join(", ")}`, fix: 'set version to "16"' });
    }
    if (spec.cache !== undefined && MEMORYSTORE_REDIS_VERSIONS[spec.cache.majorVersion] === undefined) {
      problems.push({ path: "cache.version", message: `"${spec.cache.version}" has no Memorystore for Redis release; allowed: ${Object.keys(MEMORYSTORE_REDIS_VERSIONS).join(", ")}`, fix: 'set version to "7"' });
    }
    const versioned = spec.buckets.filter((b) => b.versioning);
    if (spec.backup.crossRegion && versioned.length > 0) {
      // Cloud SQL keeps its backups in a multi-region by default; bucket copies to a second region are not built.
      problems.push({
        path: "backup.crossRegion",
        message: `true, but copies of buckets (${versioned.map((b) => b.name).join(", ")}) to a second region are not built on Google Cloud yet`,
        fix: "set crossRegion to false (Cloud SQL backups are kept in a multi-region either way)",
      });
    }
    problems.push(...stableRevisionServiceProblems("gcp", spec, options.stableRevisions), ...cloudRunStableRevisionProblems(spec, options.stableRevisions));
    problems.push(...abortedRolloutProblems("gcp", spec, options));
    return problems;
  },
};

/** PostgreSQL majors Azure Database for PostgreSQL Flexible Server offers (generally available). */
export const AZURE_POSTGRES_MAJORS = [13, 14, 15, 16, 17] as const;
/** Backup retention of a flexible server, in days. */
export const AZURE_POSTGRES_RETENTION_DAYS = { min: 7, max: 35 } as const;
/** The largest flexible server storage, in GiB. */
export const AZURE_POSTGRES_MAX_STORAGE_GB = 32767;
/** Redis majors Azure Managed Redis runs (Redis 7.4). */
export const AZURE_REDIS_MAJORS = [7] as const;
/** Key Vault secret names the stores' connection secrets take. */
export const AZURE_RESERVED_SECRET_NAMES = ["database-url", "cache-url"] as const;

/** The CPU and memory pairs of Container Apps' Consumption profile: 0.25 to 4 vCPU in steps of 0.25, 2 GiB per vCPU. */
export function containerAppsSizeProblems(service: { readonly cpu: number; readonly memory: number }, path: string): Problem[] {
  const { cpu, memory } = service;
  if (!Number.isInteger(cpu * 4) || cpu < 0.25 || cpu > 4) {
    return [{ path: `${path}.cpu`, message: `${cpu} vCPU is not a Container Apps Consumption size; allowed: 0.25 to 4 in steps of 0.25`, fix: `set cpu to ${Math.min(4, Math.max(0.25, Math.ceil(cpu * 4) / 4))}` }];
  }
  if (memory !== cpu * 2048) {
    return [{ path: `${path}.memory`, message: `${memory} MiB does not go with ${cpu} vCPU on Container Apps Consumption; allowed: 2 GiB per vCPU, ${cpu * 2048} MiB`, fix: `set memory to ${cpu * 2048}` }];
  }
  return [];
}

/** What Azure Database for PostgreSQL Flexible Server refuses in a database spec. */
export function azurePostgresProblems(database: { readonly version: string; readonly majorVersion: number; readonly storageGb: number; readonly backup: { readonly retentionDays: number } }): Problem[] {
  const problems: Problem[] = [];
  if (!(AZURE_POSTGRES_MAJORS as readonly number[]).includes(database.majorVersion)) {
    problems.push({ path: "database.version", message: `"${database.version}" is not offered by Azure Database for PostgreSQL Flexible Server; allowed: ${AZURE_POSTGRES_MAJORS.join(", ")}`, fix: 'set version to "16"' });
  }
  const days = database.backup.retentionDays;
  const { min, max } = AZURE_POSTGRES_RETENTION_DAYS;
  if (days < min || days > max) {
    problems.push({ path: "database.backup.retentionDays", message: `${days} is outside what a flexible server keeps; allowed: ${min} to ${max}`, fix: `set retentionDays to ${Math.min(Math.max(days, min), max)} (backup.retentionDays keeps the Backup vault's copies longer)` });
  }
  if (database.storageGb > AZURE_POSTGRES_MAX_STORAGE_GB) {
    problems.push({ path: "database.storageGb", message: `${database.storageGb} is more than a flexible server holds; allowed: up to ${AZURE_POSTGRES_MAX_STORAGE_GB}`, fix: `set storageGb to ${AZURE_POSTGRES_MAX_STORAGE_GB} or less` });
  }
  return problems;
}

/** What Azure Managed Redis refuses in a cache spec. */
export function azureRedisProblems(cache: { readonly version: string; readonly majorVersion: number }): Problem[] {
  if ((AZURE_REDIS_MAJORS as readonly number[]).includes(cache.majorVersion)) return [];
  return [{ path: "cache.version", message: `"${cache.version}" is not a Redis major Azure Managed Redis runs; allowed: ${AZURE_REDIS_MAJORS.join(", ")}`, fix: 'set version to "7"' }];
}

/** Services that fit in a network on Azure: one /27 subnet each (a Container Apps environment's smallest), after two for endpoints and the database. */
export function azureServiceCapacity(networkCidr: string): number {
  const prefix = Number(networkCidr.split("/")[1]);
  return Math.max(0, 2 ** (27 - prefix) - 2);
}

const azure: Capabilities<"azure"> = {
  // Container Apps managed certificates are issued only for a domain you control.
  tlsNeedsDomain: true,
  problems(spec, options) {
    const problems: Problem[] = [];
    if (spec.region !== undefined && options.location === undefined && !AZURE_LOCATION.test(spec.region)) {
      problems.push({ path: "region", message: `"${spec.region}" is not an Azure location, and providers.azure.location is not set`, fix: "set providers.azure.location (or stack config polycloud:azure.location), e.g. westeurope" });
    }
    for (const service of spec.services) problems.push(...containerAppsSizeProblems(service, `services.${service.name}`));
    problems.push(...stableRevisionServiceProblems("azure", spec, options.stableRevisions));
    problems.push(...abortedRolloutProblems("azure", spec, options));
    const zone = options.dnsZoneId?.split("/").pop()?.toLowerCase();
    const domain = spec.network.loadBalancer.domain?.toLowerCase();
    if (zone !== undefined && domain !== undefined && domain !== zone && !domain.endsWith(`.${zone}`)) {
      problems.push({ path: "network.loadBalancer.domain", message: `"${domain}" is not in DNS zone ${zone} (providers.azure.dnsZoneId)`, fix: `use a domain under ${zone}, or set dnsZoneId to the zone of ${domain}` });
    }
    const capacity = azureServiceCapacity(spec.network.cidr);
    if (spec.services.length > capacity) {
      problems.push({
        path: "network.cidr",
        message: `${spec.network.cidr} has room for ${capacity} service(s) on Azure, and the spec has ${spec.services.length}: each service gets a /27 subnet of its own (its Container Apps environment), after two for private endpoints and the database`,
        fix: "use a larger network, e.g. 10.0.0.0/16",
      });
    }
    if (spec.database !== undefined) problems.push(...azurePostgresProblems(spec.database));
    if (spec.cache !== undefined) problems.push(...azureRedisProblems(spec.cache));
    for (const secret of spec.secrets.filter((s) => (AZURE_RESERVED_SECRET_NAMES as readonly string[]).includes(s.name))) {
      problems.push({ path: `secrets.${secret.name}`, message: `"${secret.name}" is also the name of a store's connection secret in the Key Vault on Azure`, fix: `rename secret ${secret.name}` });
    }
    return problems;
  },
};

/**
 * The problem with a stable revision that is not a revision of Cloud Run service `runName`, if any.
 * @param path where it was set: the component's arg, or the backend option's stack config key.
 */
export function cloudRunRevisionProblem(path: string, stable: string, runName: string): Problem | undefined {
  if (CLOUD_RUN_REVISION.test(stable) && stable.startsWith(`${runName}-`)) return undefined;
  return {
    path,
    message: `"${stable}" is not a revision of Cloud Run service ${runName}; allowed: ${runName}-<suffix>, lowercase letters, digits and hyphens, at most 63 characters`,
    fix: `set it to a revision of the service (gcloud run revisions list --service ${runName}), or leave it unset for a first deployment`,
  };
}

/** Each stable revision of the `stableRevisions` option that is not a revision of its service's Cloud Run service. */
function cloudRunStableRevisionProblems(spec: ResolvedSpec, stableRevisions: Readonly<Record<string, string>> | undefined): Problem[] {
  return Object.entries(stableRevisions ?? {}).flatMap(([name, stable]) => {
    if (!spec.services.some((s) => s.name === name)) return [];
    const runName = physicalName("gcp", "cloudRunService", { app: spec.name, environment: spec.environment, name });
    return [cloudRunRevisionProblem(`polycloud:gcp.stableRevisions.${name}`, stable, runName)].filter((p) => p !== undefined);
  });
}

/** Services named in a backend's `stableRevisions` option that the spec does not have, with the closest one. */
function stableRevisionServiceProblems(provider: Provider, spec: ResolvedSpec, stableRevisions: Readonly<Record<string, string>> | undefined): Problem[] {
  const services = spec.services.map((s) => s.name);
  return Object.keys(stableRevisions ?? {})
    .filter((name) => !services.includes(name))
    .map((name) => {
      const path = `polycloud:${provider}.stableRevisions.${name}`;
      const guess = closestMatch(name, services);
      return { path, message: `"${name}" is not a service of the spec; allowed: ${services.join(", ")}`, fix: guess === undefined ? `remove it (pulumi config rm ${path})` : `did you mean polycloud:${provider}.stableRevisions.${guess}?` };
    });
}

/**
 * What the `abortedRollouts` option cannot do: abort a service the spec does not have, one that deploys
 * by rolling update (no rollout), or one with no stable revision to send the traffic back to.
 */
function abortedRolloutProblems(
  provider: "azure" | "gcp",
  spec: ResolvedSpec,
  options: { readonly stableRevisions?: Readonly<Record<string, string>> | undefined; readonly abortedRollouts?: Readonly<Record<string, boolean>> | undefined },
): Problem[] {
  const services = spec.services.map((s) => s.name);
  return Object.entries(options.abortedRollouts ?? {}).flatMap(([name, aborted]): Problem[] => {
    if (!aborted) return [];
    const path = `polycloud:${provider}.abortedRollouts.${name}`;
    const service = spec.services.find((s) => s.name === name);
    if (service === undefined) {
      const guess = closestMatch(name, services);
      return [{ path, message: `"${name}" is not a service of the spec; allowed: ${services.join(", ")}`, fix: guess === undefined ? `remove it (pulumi config rm ${path})` : `did you mean polycloud:${provider}.abortedRollouts.${guess}?` }];
    }
    if (service.deployment.strategy === "rolling") {
      return [{ path, message: `true, but ${name} deploys by rolling update: there is no canary or blue-green to abort; allowed: services deploying by canary or blue-green`, fix: `remove it (pulumi config rm ${path})` }];
    }
    if (options.stableRevisions?.[name] === undefined) {
      return [
        {
          path,
          message: `true, but polycloud:${provider}.stableRevisions.${name} is not set: there is no stable revision to send the traffic back to; allowed: services with a stable revision`,
          fix: `set polycloud:${provider}.stableRevisions.${name} to the revision that served before, or remove it (pulumi config rm ${path})`,
        },
      ];
    }
    return [];
  });
}

/** Each provider's limits. */
export const CAPABILITIES: { readonly [P in Provider]: Capabilities<P> } = {
  aws,
  kubernetes,
  azure,
  gcp,
};
