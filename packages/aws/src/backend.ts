import * as pulumi from "@pulumi/pulumi";
import {
  GENERATED_SECRETS,
  PolycloudError,
  type Backend,
  type BackendOptions,
  type BuiltPlatform,
  type Problem,
  type ResolvedSpec,
  type ServiceSpec,
} from "@polycloud/core";
import { AuditTrail } from "./audit-trail";
import { BackupPlan, backupProblems } from "./backup-plan";
import { Bucket } from "./bucket";
import { Cache, cacheProblems } from "./cache";
import { Cluster } from "./cluster";
import { Database } from "./database";
import { Monitoring } from "./monitoring";
import { Network, networkProblems } from "./network";
import { SecretStore, type AwsSecretReference } from "./secret-store";
import { WebService, webServiceProblems } from "./web-service";

/**
 * The host a service answers on: the spec's domain for the only public service, `<service>.<domain>`
 * for every other one (each gets its own load balancer and certificate).
 */
export function serviceDomain(spec: ResolvedSpec, service: ServiceSpec): string | undefined {
  const domain = spec.network.loadBalancer.domain;
  if (domain === undefined) return undefined;
  const publicServices = spec.services.filter((s) => s.public);
  return service.public && publicServices.length === 1 ? domain : `${service.name}.${domain}`;
}

/** AWS settings a spec has no field for. */
export interface AwsExtras {
  /**
   * The region that receives a copy of every backup; required when the spec's `backup.crossRegion` is true.
   * @default - stack config `polycloud:backupRegion`, else none (backups stay in the stack's region)
   */
  readonly backupRegion?: string;
}

/** Options of {@link buildAws}: the core options plus the AWS extras, which override the stack config. */
export interface AwsBackendOptions extends BackendOptions, AwsExtras {}

/**
 * The AWS extras from stack config, for the spec-driven path (the platform passes no AWS options):
 * `pulumi config set polycloud:backupRegion us-west-2`.
 */
export function configuredExtras(): AwsExtras {
  const backupRegion = new pulumi.Config("polycloud").get("backupRegion");
  return backupRegion === undefined ? {} : { backupRegion };
}

/** The spec options the AWS backend does not build yet: rejected, never silently ignored. */
function unsupportedProblems(spec: ResolvedSpec): Problem[] {
  return spec.network.cdn ? [{ path: "network.cdn", message: "true is not supported by the AWS backend yet", fix: "set cdn: false" }] : [];
}

/** AWS Backup covers the database and the buckets with versioning (it cannot back up the others). */
function isBackedUp(spec: ResolvedSpec): boolean {
  return spec.database !== undefined || spec.buckets.some((b) => b.versioning);
}

/**
 * Everything AWS cannot build from a resolved spec, each problem once, at its spec path.
 * @param extras AWS settings the spec has no field for. @default the stack config ({@link configuredExtras})
 */
export function awsProblems(spec: ResolvedSpec, extras: AwsExtras = configuredExtras()): Problem[] {
  const declared = new Set(spec.secrets.map((s) => s.name));
  const problems = [
    ...networkProblems(spec.network),
    ...unsupportedProblems(spec),
    ...(spec.cache === undefined ? [] : cacheProblems(spec.cache)),
    ...(isBackedUp(spec) ? backupProblems({ backup: spec.backup, ...extras }) : []),
    ...spec.services.flatMap((service) => {
      const domainName = serviceDomain(spec, service);
      const unknown = service.secrets.flatMap((name, i): Problem[] => {
        const source = GENERATED_SECRETS[name as keyof typeof GENERATED_SECRETS];
        if (source !== undefined ? spec[source] !== undefined : declared.has(name)) return [];
        return [{ path: `services.${service.name}.secrets[${i}]`, message: `"${name}" is not defined in secrets (defined: ${[...declared].join(", ") || "none"})`, fix: `add "${name}" under secrets or fix the name` }];
      });
      return [...unknown, ...webServiceProblems({ service, loadBalancer: spec.network.loadBalancer, ...(domainName === undefined ? {} : { domainName }) })];
    }),
  ];
  // Spec-wide problems (a missing domain) are found once per service: report each once.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The AWS components built for one spec. */
export interface AwsPlatform extends BuiltPlatform {
  readonly network: Network;
  /** The ECS cluster, log key and access-log bucket the services share. */
  readonly cluster: Cluster;
  readonly services: readonly WebService[];
  readonly database?: Database;
  readonly cache?: Cache;
  readonly buckets: readonly Bucket[];
  readonly secrets: SecretStore;
  readonly monitoring: Monitoring;
  /** AWS Backup of the database and versioned buckets, when there are any. */
  readonly backup?: BackupPlan;
  /** The CloudTrail trail, when `logging.audit` is true. */
  readonly audit?: AuditTrail;
}

/**
 * Builds a whole spec on AWS, wired together: network -> secret store -> database, cache and buckets
 * -> one cluster, log key and access-log bucket for all services -> services (DATABASE_URL, REDIS_URL
 * and spec secrets as Secrets Manager references; the database and cache admit each service's security
 * group and nothing else) -> monitoring -> AWS Backup of the database and versioned buckets, reporting
 * to the warning topic -> the audit trail when `logging.audit`.
 *
 * Every component's logical name starts with the spec's name (`shop-network`, `shop-api`), so several
 * specs can be built in one stack; physical names already start with `<app>-<env>-`.
 *
 * Spec secret values are read from stack config (`pulumi config set --secret <secret-name> <value>`);
 * a secret without a config value is created empty, to be set with `aws secretsmanager put-secret-value`.
 *
 * @throws PolycloudError listing every problem of {@link awsProblems} before anything is created.
 */
export function buildAws(spec: ResolvedSpec, parent: pulumi.ComponentResource, options: AwsBackendOptions = {}): AwsPlatform {
  const { provider, ...given } = options;
  const extras: AwsExtras = { ...configuredExtras(), ...given };
  PolycloudError.throwIfAny(awsProblems(spec, extras), `Spec ${spec.name} cannot be built on AWS`);
  const opts: pulumi.ComponentResourceOptions = { parent, ...(provider === undefined ? {} : { provider }) };
  const common = { app: spec.name, environment: spec.environment, tags: spec.tags, protect: spec.protectStateful };
  const logRetentionDays = spec.logging.retentionDays;
  const named = (component: string) => `${spec.name}-${component}`;

  const network = new Network(named("network"), { ...common, network: spec.network, logRetentionDays }, opts);
  const config = new pulumi.Config();
  const values = Object.fromEntries(spec.secrets.flatMap((s) => {
    const value = config.getSecret(s.name);
    return value === undefined ? [] : [[s.name, value] as const];
  }));
  const secrets = new SecretStore(named("secrets"), { ...common, secrets: spec.secrets, values }, opts);
  const database = spec.database === undefined ? undefined : new Database(named("database"), { ...common, database: spec.database, network, logRetentionDays }, opts);
  const cache = spec.cache === undefined ? undefined : new Cache(named("cache"), { ...common, cache: spec.cache, network, logRetentionDays }, opts);
  const buckets = spec.buckets.map((bucket) => new Bucket(named(`bucket-${bucket.name}`), { ...common, bucket, logRetentionDays }, opts));

  const reference = (name: string): AwsSecretReference => {
    if (name === "DATABASE_URL") return database!.connectionSecret;
    if (name === "REDIS_URL") return cache!.connectionSecret;
    return secrets.references[name]!;
  };
  const cluster = new Cluster(named("cluster"), { ...common, logRetentionDays }, opts);
  const services = spec.services.map((service) => {
    const domainName = serviceDomain(spec, service);
    const webService = new WebService(
      named(service.name),
      {
        ...common,
        ...cluster.serviceArgs,
        service,
        network,
        loadBalancer: spec.network.loadBalancer,
        slo: spec.slo,
        secrets: service.secrets.map(reference),
        logRetentionDays,
        ...(domainName === undefined ? {} : { domainName }),
      },
      opts,
    );
    if (service.secrets.includes("DATABASE_URL")) database?.allowFrom(service.name, webService.securityGroup.id);
    if (service.secrets.includes("REDIS_URL")) cache?.allowFrom(service.name, webService.securityGroup.id);
    return webService;
  });

  const monitoring = new Monitoring(
    named("monitoring"),
    { ...common, slo: spec.slo, monitoring: spec.monitoring, logRetentionDays, services, ...(database === undefined ? {} : { database }), ...(cache === undefined ? {} : { cache }) },
    opts,
  );
  const backup = isBackedUp(spec)
    ? new BackupPlan(
        named("backup"),
        {
          ...common,
          backup: spec.backup,
          resources: [...(database === undefined ? [] : [database.instance.arn]), ...spec.buckets.flatMap((b, i) => (b.versioning ? [buckets[i]!.arn] : []))],
          ...(extras.backupRegion === undefined ? {} : { backupRegion: extras.backupRegion }),
          // Failed backups are warnings: data is at risk, nothing is down.
          notificationTopicArn: monitoring.topics.warning.arn,
        },
        opts,
      )
    : undefined;
  const audit = spec.logging.audit ? new AuditTrail(named("audit"), { ...common, logRetentionDays, dataEventBuckets: buckets.map((b) => b.arn) }, opts) : undefined;
  return {
    network,
    cluster,
    services,
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets,
    secrets,
    monitoring,
    ...(backup === undefined ? {} : { backup }),
    ...(audit === undefined ? {} : { audit }),
  };
}

/** The AWS backend that `@polycloud/platform` loads. */
export const backend: Backend = {
  provider: "aws",
  packageName: "@polycloud/aws",
  validate: (spec) => awsProblems(spec),
  build: buildAws,
};
