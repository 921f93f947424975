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
import { Bucket } from "./bucket";
import { Cache, cacheProblems } from "./cache";
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

/** Everything AWS cannot build from a resolved spec, each problem at its spec path. */
export function awsProblems(spec: ResolvedSpec): Problem[] {
  const declared = new Set(spec.secrets.map((s) => s.name));
  return [
    ...networkProblems(spec.network),
    ...(spec.cache === undefined ? [] : cacheProblems(spec.cache)),
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
}

/** The AWS components built for one spec. */
export interface AwsPlatform extends BuiltPlatform {
  readonly network: Network;
  readonly services: readonly WebService[];
  readonly database?: Database;
  readonly cache?: Cache;
  readonly buckets: readonly Bucket[];
  readonly secrets: SecretStore;
  readonly monitoring: Monitoring;
}

/**
 * Builds a whole spec on AWS, wired together: network -> secret store -> database, cache and buckets
 * -> services (DATABASE_URL, REDIS_URL and spec secrets as Secrets Manager references; the database
 * and cache admit each service's security group and nothing else) -> monitoring.
 *
 * Spec secret values are read from stack config (`pulumi config set --secret <secret-name> <value>`);
 * a secret without a config value is created empty, to be set with `aws secretsmanager put-secret-value`.
 *
 * @throws PolycloudError listing every problem of {@link awsProblems} before anything is created.
 */
export function buildAws(spec: ResolvedSpec, parent: pulumi.ComponentResource, options: BackendOptions = {}): AwsPlatform {
  PolycloudError.throwIfAny(awsProblems(spec), `Spec ${spec.name} cannot be built on AWS`);
  const opts: pulumi.ComponentResourceOptions = { parent, ...(options.provider === undefined ? {} : { provider: options.provider }) };
  const common = { app: spec.name, environment: spec.environment, tags: spec.tags, protect: spec.protectStateful };
  const logRetentionDays = spec.logging.retentionDays;

  const network = new Network("network", { ...common, network: spec.network, logRetentionDays }, opts);
  const config = new pulumi.Config();
  const values = Object.fromEntries(spec.secrets.flatMap((s) => {
    const value = config.getSecret(s.name);
    return value === undefined ? [] : [[s.name, value] as const];
  }));
  const secrets = new SecretStore("secrets", { ...common, secrets: spec.secrets, values }, opts);
  const database = spec.database === undefined ? undefined : new Database("database", { ...common, database: spec.database, network }, opts);
  const cache = spec.cache === undefined ? undefined : new Cache("cache", { ...common, cache: spec.cache, network, logRetentionDays }, opts);
  const buckets = spec.buckets.map((bucket) => new Bucket(`bucket-${bucket.name}`, { ...common, bucket, logRetentionDays }, opts));

  const reference = (name: string): AwsSecretReference => {
    if (name === "DATABASE_URL") return database!.connectionSecret;
    if (name === "REDIS_URL") return cache!.connectionSecret;
    return secrets.references[name]!;
  };
  const services = spec.services.map((service) => {
    const domainName = serviceDomain(spec, service);
    const webService = new WebService(
      service.name,
      {
        ...common,
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
    "monitoring",
    { ...common, slo: spec.slo, monitoring: spec.monitoring, logRetentionDays, services, ...(database === undefined ? {} : { database }), ...(cache === undefined ? {} : { cache }) },
    opts,
  );
  return { network, services, ...(database === undefined ? {} : { database }), ...(cache === undefined ? {} : { cache }), buckets, secrets, monitoring };
}

/** The AWS backend that `@polycloud/platform` loads. */
export const backend: Backend = {
  provider: "aws",
  packageName: "@polycloud/aws",
  validate: awsProblems,
  build: buildAws,
};
