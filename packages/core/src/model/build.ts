/**
 * `buildModel`: a validated spec, the target provider and its stack config -> the application model
 * every backend renders. Pure; the one place where access, hosts, secret bindings, backups and alert
 * routing are decided, and where a backend's limits are checked.
 */
import { PolycloudError, type Problem } from "../errors";
import type { Provider } from "../naming";
import { CAPABILITIES } from "../providers/capabilities";
import { backendOptions, configProblems, secretValueKey } from "../providers/config";
import type { BackendOptionsByProvider } from "../providers/options";
import { secretEnvName, type BucketAccess, type NetworkSpec, type ResolvedSpec, type ServiceSpec } from "../spec";
import { tagProblems } from "../tags";
import type { AppModel, BucketModel, Caller, Grant, ResourceRef, SecretBinding, SecretModel, ServiceModel } from "./types";

/** Everything the model found wrong, and what it changed (outside production) to make the spec buildable. */
export interface ModelCheck {
  readonly problems: readonly Problem[];
  readonly warnings: readonly Problem[];
  /** `network.loadBalancer.tls` as it will be built. */
  readonly tls: boolean;
}

/**
 * What a provider would refuse in a spec, and what it would change, without building the model: the
 * config keys under `polycloud:`, the backend options, the provider's limits and tag rules, and a
 * TLS default that needs a domain.
 */
export function checkModel(spec: ResolvedSpec, provider: Provider, config: Readonly<Record<string, unknown>> = {}): ModelCheck & { options?: BackendOptionsByProvider[Provider] } {
  const keyProblems = configProblems(config, spec.secrets.map((s) => s.name));
  const problems: Problem[] = [...keyProblems];
  // Unknown keys are reported once, above; the options are read from the rest.
  const known = Object.fromEntries(Object.entries(config).filter(([key]) => !keyProblems.some((p) => p.path === key)));
  let options: BackendOptionsByProvider[Provider] | undefined;
  try {
    options = backendOptions(provider, spec, known);
  } catch (error) {
    if (!(error instanceof PolycloudError)) throw error;
    problems.push(...error.problems);
  }
  if (options !== undefined) problems.push(...(CAPABILITIES[provider] as { problems(s: ResolvedSpec, o: typeof options): Problem[] }).problems(spec, options));
  problems.push(...tagProblems(provider, { ...spec.tags }, { app: spec.name, environment: spec.environment }).map((message) => ({ path: "tags", message })));
  const tls = tlsOutcome(spec, provider);
  if (tls.problem !== undefined) problems.push(tls.problem);
  return { problems, warnings: tls.warning === undefined ? [] : [tls.warning], tls: tls.tls, ...(options === undefined ? {} : { options }) };
}

/** TLS as built: a default that needs a domain is turned off outside production; an explicit choice, or production, fails instead. */
function tlsOutcome(spec: ResolvedSpec, provider: Provider): { tls: boolean; warning?: Problem; problem?: Problem } {
  const lb = spec.network.loadBalancer;
  if (!lb.tls || lb.domain !== undefined || !CAPABILITIES[provider].tlsNeedsDomain) return { tls: lb.tls };
  const why = `${provider} issues load balancer certificates only for a domain you control, and network.loadBalancer.domain is not set`;
  if (lb.explicitTls === true || spec.environment === "production") {
    return {
      tls: true,
      problem: {
        path: "network.loadBalancer.domain",
        message: `is required for tls: ${why}`,
        fix: spec.environment === "production" ? "set network.loadBalancer.domain" : "set network.loadBalancer.domain, or set tls to false",
      },
    };
  }
  return {
    tls: false,
    warning: {
      path: "network.loadBalancer.tls",
      message: `is off (its default is on): ${why}; services are served over plain HTTP`,
      fix: "set network.loadBalancer.domain to get HTTPS (production requires it)",
    },
  };
}

/**
 * The application model of a spec on a provider.
 * @param config the stack's config (namespaced keys such as `polycloud:aws.hostedZoneId`), for backend options.
 * @throws PolycloudError listing every problem at once: unknown `polycloud:` config keys, bad backend
 * options, and what the provider cannot build.
 */
export function buildModel<P extends Provider>(spec: ResolvedSpec, provider: P, config: Readonly<Record<string, unknown>> = {}): AppModel<P> {
  const check = checkModel(spec, provider, config);
  PolycloudError.throwIfAny(check.problems, `Spec ${spec.name} cannot be built on ${provider}`);
  const network: NetworkSpec = { ...spec.network, loadBalancer: { ...spec.network.loadBalancer, tls: check.tls } };
  const services = Object.fromEntries(spec.services.map((service) => [service.name, serviceModel(spec, service, network)]));
  const clientsOf = (store: "database" | "cache") => spec.services.filter((s) => s.access[store]).map((s) => s.name);
  const buckets = Object.fromEntries(
    spec.buckets.map((bucket): [string, BucketModel] => [
      bucket.name,
      {
        spec: bucket,
        clients: Object.fromEntries(spec.services.flatMap((s) => (s.access.buckets[bucket.name] === undefined ? [] : [[s.name, s.access.buckets[bucket.name]!]]))),
        protect: spec.protectStateful,
        backedUp: bucket.versioning,
      },
    ]),
  );
  const secrets = Object.fromEntries(
    spec.secrets.map((secret): [string, SecretModel] => [
      secret.name,
      {
        spec: secret,
        envName: secretEnvName(secret.name),
        value: secretValueKey(secret.name) in config ? "config" : secret.generate === true ? "generated" : "missing",
        readers: spec.services.filter((s) => s.secrets.includes(secret.name)).map((s) => s.name),
      },
    ]),
  );
  const warnings: Problem[] = [...check.warnings];
  for (const secret of Object.values(secrets).filter((s) => s.value === "missing")) {
    const readers = secret.readers.length === 0 ? "no service reads it yet" : `${secret.readers.join(", ")} cannot start until it has one`;
    warnings.push({
      path: `secrets.${secret.spec.name}`,
      message: `has no value (stack config ${secretValueKey(secret.spec.name)} is not set): the secret is created empty, and ${readers}`,
      fix: `pulumi config set --secret ${secretValueKey(secret.spec.name)} <value>, or set generate: true`,
    });
  }
  if (spec.environment === "production") {
    for (const bucket of spec.buckets.filter((b) => !b.versioning)) {
      warnings.push({ path: `buckets.${bucket.name}.versioning`, message: "is false, so the bucket is not backed up (backups of a bucket need versioning)", fix: "set versioning to true" });
    }
  }
  return {
    app: spec.name,
    environment: spec.environment,
    provider,
    ...(spec.region === undefined ? {} : { region: spec.region }),
    tags: spec.tags,
    protect: spec.protectStateful,
    slo: spec.slo,
    network,
    services,
    ...(spec.database === undefined ? {} : { database: { spec: spec.database, clients: clientsOf("database"), protect: spec.protectStateful } }),
    ...(spec.cache === undefined ? {} : { cache: { spec: spec.cache, clients: clientsOf("cache"), protect: spec.protectStateful } }),
    buckets,
    secrets,
    grants: spec.services.flatMap(grantsOf),
    backup: {
      schedule: spec.backup.schedule,
      retentionDays: spec.backup.retentionDays,
      crossRegion: spec.backup.crossRegion,
      targets: [
        ...(spec.database === undefined ? [] : [{ kind: "database" } as const]),
        ...spec.buckets.filter((b) => b.versioning).map((b): ResourceRef => ({ kind: "bucket", name: b.name })),
      ],
    },
    alerts: {
      routes: spec.monitoring.alerts,
      escalation: { from: "warning", to: "critical", afterMinutes: spec.monitoring.escalateAfterMinutes },
      dashboard: spec.monitoring.dashboard,
    },
    logging: spec.logging,
    options: check.options as BackendOptionsByProvider[P],
    warnings,
    spec,
  };
}

/**
 * The host a service answers on: the spec's domain for the only public service, `<service>.<domain>`
 * for every other one (each service has its own entry point and certificate).
 */
export function serviceHost(spec: Pick<ResolvedSpec, "services">, network: NetworkSpec, service: ServiceSpec): string | undefined {
  const domain = network.loadBalancer.domain;
  if (domain === undefined) return undefined;
  const publicServices = spec.services.filter((s) => s.public);
  return service.public && publicServices.length === 1 ? domain : `${service.name}.${domain}`;
}

function serviceModel(spec: ResolvedSpec, service: ServiceSpec, network: NetworkSpec): ServiceModel {
  const host = serviceHost(spec, network, service);
  const callers: Caller[] = [
    ...spec.services.filter((other) => other.name !== service.name && other.access.services.includes(service.name)).map((other): Caller => ({ kind: "service", name: other.name })),
    ...(service.public ? [{ kind: "loadBalancer" } as const] : []),
  ];
  return {
    name: service.name,
    spec: service,
    public: service.public,
    ...(host === undefined ? {} : { host }),
    tls: network.loadBalancer.tls,
    secrets: secretBindings(service),
    callers,
    calls: service.access.services,
    buckets: service.access.buckets,
    database: service.access.database,
    cache: service.access.cache,
  };
}

/** A service's secrets by reference: spec secrets in the order the service lists them, then the stores' connection secrets. */
function secretBindings(service: ServiceSpec): SecretBinding[] {
  return service.secrets.map((name): SecretBinding => {
    if (name === "DATABASE_URL") return { envName: name, source: { kind: "database" } };
    if (name === "REDIS_URL") return { envName: name, source: { kind: "cache" } };
    return { envName: secretEnvName(name), source: { kind: "secret", name } };
  });
}

function grantsOf(service: ServiceSpec): Grant[] {
  const grant = (resource: ResourceRef, access: Grant["access"]): Grant => ({ service: service.name, resource, access });
  return [
    ...(service.access.database ? [grant({ kind: "database" }, "connect")] : []),
    ...(service.access.cache ? [grant({ kind: "cache" }, "connect")] : []),
    ...Object.entries(service.access.buckets).map(([name, access]: [string, BucketAccess]) => grant({ kind: "bucket", name }, access)),
    ...service.secrets.filter((name) => name !== "DATABASE_URL" && name !== "REDIS_URL").map((name) => grant({ kind: "secret", name }, "read")),
  ];
}
