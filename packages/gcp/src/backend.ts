/**
 * The Google Cloud backend: renders core's application model (`buildModel(spec, "gcp", config)`) with
 * this package's components, and nothing else. What a spec means (grants, hosts, secret bindings,
 * backups, alert routing and escalation), what Google Cloud cannot build, and the backend options are
 * decided by the model; here each part becomes components, wired exactly as its grants say.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GCP_REGION, type AppModel, type Backend, type BuildOptions, type BuiltPlatform, type SecretBinding } from "@polycloud/core";
import { allDnsRecords, renderContext, required } from "@polycloud/core/component";
import { AuditLog } from "./audit-log";
import { Bucket } from "./bucket";
import { Cache } from "./cache";
import { regionOf } from "./common";
import { Database } from "./database";
import { Monitoring } from "./monitoring";
import { Network, type PrivateStore } from "./network";
import { SecretStore } from "./secret-store";
import type { GcpSecretReference } from "./secrets";
import { WebService } from "./web-service";

/** The Google Cloud components built for one application model. */
export interface GcpPlatform extends BuiltPlatform {
  readonly network: Network;
  readonly services: readonly WebService[];
  readonly database?: Database;
  readonly cache?: Cache;
  readonly buckets: readonly Bucket[];
  /** Secret Manager secrets, and the key ring every store's keys live in. */
  readonly secrets: SecretStore;
  readonly monitoring: Monitoring;
  /** Data Access audit logs and the audit log sink, when `logging.audit` is true. */
  readonly audit?: AuditLog;
}

/**
 * The region everything regional is built in: `providers.gcp.region`, else the spec's region when it is
 * a Google Cloud region (core refuses one of another cloud without the option), else stack config gcp:region.
 */
export function regionOfModel(model: AppModel<"gcp">): string {
  const fromSpec = model.region !== undefined && GCP_REGION.test(model.region) ? model.region : undefined;
  return regionOf(model.options.region ?? fromSpec, `application ${model.app}`);
}

/**
 * Builds an application model on Google Cloud, wired together: network (with a private service access
 * range per store) -> secret store (the key ring) -> database, cache and buckets (each with its own key
 * in the ring) -> services -> grants -> monitoring -> the audit log when `logging.audit`.
 *
 * Grants are exactly the model's: each service's own service account may read exactly the secrets bound
 * to it (Secret Manager references, never values), use exactly its buckets (objectViewer or objectUser),
 * reach the database and cache through egress firewall rules on its network tag only when it is their
 * client, and invoke exactly the services it calls; public services are reached through their load balancer.
 *
 * Backend options come from the model (`providers.gcp`, stack config `polycloud:gcp.<option>`): `region`,
 * `dnsManagedZone`, where each public service's A record is created (without it, each service lists
 * the record to create in `dnsRecords`; its Google-managed certificate is provisioned once it resolves),
 * and `stableRevisions`, the revision serving before a canary or blue-green deployment of each service.
 *
 * @param options.secretValues values of spec secrets by name. Where the model says: a secret without one
 * is generated once when its spec says `generate: true`, and otherwise created without a version.
 */
export function buildGcp(model: AppModel<"gcp">, parent: pulumi.ComponentResource, options: BuildOptions = {}): GcpPlatform {
  const { opts, common: base, named } = renderContext(model, parent, options);
  const region = regionOfModel(model);
  const common = { ...base, region };
  const logRetentionDays = model.logging.retentionDays;

  const privateStores: PrivateStore[] = [...(model.database === undefined ? [] : ["database" as const]), ...(model.cache === undefined ? [] : ["cache" as const])];
  const network = new Network(named("network"), { ...common, network: model.network, logRetentionDays, privateStores }, opts);
  // A value given wins; else a value is generated exactly where the model says so.
  const secretSpecs = Object.values(model.secrets).map((s) => ({ ...s.spec, generate: s.value === "generated" }));
  const secrets = new SecretStore(named("secrets"), { ...common, secrets: secretSpecs, values: options.secretValues ?? {} }, opts);
  const keyRing = secrets.keyRing.id;
  const database =
    model.database === undefined ? undefined : new Database(named("database"), { ...common, protect: model.database.protect, database: model.database.spec, network, keyRing }, opts);
  const cache = model.cache === undefined ? undefined : new Cache(named("cache"), { ...common, protect: model.cache.protect, cache: model.cache.spec, network, keyRing }, opts);
  const buckets = Object.fromEntries(
    Object.entries(model.buckets).map(([name, bucket]) => [
      name,
      new Bucket(named(`bucket-${name}`), { ...common, protect: bucket.protect, bucket: bucket.spec, keyRing, logRetentionDays, backupRetentionDays: model.backup.retentionDays }, opts),
    ]),
  );

  const reference = (service: string, binding: SecretBinding): GcpSecretReference => {
    const { source } = binding;
    const store =
      source.kind === "database"
        ? required(database, `a database (secret ${binding.envName} of service ${service})`).connectionSecret
        : source.kind === "cache"
          ? required(cache, `a cache (secret ${binding.envName} of service ${service})`).connectionSecret
          : required(secrets.references[source.name], `secret ${source.name} (of service ${service})`);
    return { envName: binding.envName, location: store.location };
  };
  const dnsManagedZone = model.options.dnsManagedZone;
  const stableRevisions = model.options.stableRevisions ?? {};
  const services = Object.fromEntries(
    Object.values(model.services).map((service) => [
      service.name,
      new WebService(
        named(service.name),
        {
          ...common,
          service: service.spec,
          network,
          loadBalancer: { ...model.network.loadBalancer, tls: service.tls },
          slo: model.slo,
          secrets: service.secrets.map((binding) => reference(service.name, binding)),
          logRetentionDays,
          cdn: model.network.cdn,
          ...(service.host === undefined ? {} : { host: service.host }),
          ...(dnsManagedZone === undefined ? {} : { dnsManagedZone }),
          ...(stableRevisions[service.name] === undefined ? {} : { stableRevision: stableRevisions[service.name] }),
          ...(model.options.abortedRollouts?.[service.name] === true ? { rolloutAborted: true } : {}),
        },
        opts,
      ),
    ]),
  );
  const serviceNamed = (name: string) => required(services[name], `service ${name}`);

  // Grants: buckets, stores and callers, exactly the model's.
  for (const [name, bucket] of Object.entries(model.buckets)) {
    for (const [client, access] of Object.entries(bucket.clients)) required(buckets[name], `bucket ${name}`).allowAccess(client, serviceNamed(client).member, access);
  }
  for (const client of model.database?.clients ?? []) required(database, "a database").allowFrom(client, serviceNamed(client).networkTag);
  for (const client of model.cache?.clients ?? []) required(cache, "a cache").allowFrom(client, serviceNamed(client).networkTag);
  for (const service of Object.values(model.services)) {
    for (const caller of service.callers) {
      if (caller.kind === "service") serviceNamed(service.name).allowFrom(caller.name, serviceNamed(caller.name).member);
    }
  }

  const monitoring = new Monitoring(
    named("monitoring"),
    {
      ...common,
      slo: model.slo,
      monitoring: { alerts: model.alerts.routes, escalateAfterMinutes: model.alerts.escalation.afterMinutes, dashboard: model.alerts.dashboard },
      logRetentionDays,
      services: Object.values(services),
      keyRing,
      ...(database === undefined ? {} : { database }),
      ...(cache === undefined ? {} : { cache }),
    },
    opts,
  );
  const audit = model.logging.audit ? new AuditLog(named("audit"), { ...common, logRetentionDays }, opts) : undefined;
  return {
    network,
    services: Object.values(services),
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets: Object.values(buckets),
    secrets,
    monitoring,
    dnsRecords: allDnsRecords(Object.values(services).map((s) => s.dnsRecords)),
    ...(audit === undefined ? {} : { audit }),
  };
}


/** The Google Cloud backend that `@polycloud/platform` loads. */
export const backend: Backend<"gcp"> = {
  provider: "gcp",
  packageName: "@polycloud/gcp",
  build: buildGcp,
};
