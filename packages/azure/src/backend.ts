/**
 * The Azure backend: renders core's application model (`buildModel(spec, "azure", config)`) with this
 * package's components, and nothing else. Who may use what, hosts, secret bindings, backups, alert
 * routing and escalation, and what Azure cannot build are the model's; the backend options
 * (`providers.azure` in the spec, stack config `polycloud:azure.<option>`) say where to build.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AZURE_LOCATION, type AppModel, type Backend, type BuildOptions, type BuiltPlatform, type DnsRecord, type SecretBinding } from "@polycloud/core";
import { allDnsRecords } from "@polycloud/core/component";
import { AuditLog } from "./audit-log";
import { BackupVault, type BackupTarget } from "./backup-vault";
import { Bucket } from "./bucket";
import { Cache } from "./cache";
import { Database } from "./database";
import { dnsZoneOf } from "./dns-records";
import { FrontDoor } from "./front-door";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import { SecretStore, type AzureSecretReference } from "./secret-store";
import { WebService } from "./web-service";

/** The Azure components built for one application model. */
export interface AzurePlatform extends BuiltPlatform {
  readonly network: Network;
  readonly services: readonly WebService[];
  readonly database?: Database;
  readonly cache?: Cache;
  readonly buckets: readonly Bucket[];
  readonly secrets: SecretStore;
  readonly monitoring: Monitoring;
  /** Front Door with its WAF in front of the public services, when the spec asks for a WAF or a CDN. */
  readonly frontDoor?: FrontDoor;
  /** The Backup vault of the model's backup targets, when there are any. */
  readonly backup?: BackupVault;
  /** The activity log export, when `logging.audit` is true. */
  readonly audit?: AuditLog;
}

/** A part of the model the build needs, which the model promised: its absence is a bug, said plainly. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The application model refers to ${what}, which it does not have`);
  return value;
}

/**
 * Builds an application model on Azure, wired together: network (resource group, workspace,
 * Application Insights, VNet, one subnet per service) -> Key Vault with the spec's secrets -> database,
 * cache and buckets (each with its own customer-managed key in the vault) -> one Container Apps
 * environment and app per service -> grants -> monitoring -> Backup vault -> activity log.
 *
 * Grants are exactly the model's: each service's identity may read exactly its bound secrets (Key Vault
 * Secrets User on each) and use exactly its buckets (a blob data role on each container); the database
 * subnet's NSG admits exactly its clients' subnets on 5432, the private-endpoint subnet's NSG exactly the
 * cache's clients on 10000 (and each client's identity gets a cache access policy), and each service's
 * subnet admits exactly its callers' subnets (plus the internet on 80/443 for public services).
 *
 * Every component's logical name starts with the application's name (`shop-network`, `shop-api`).
 *
 * @param options.secretValues values of spec secrets by name (the platform reads stack config
 * `polycloud:secrets.<name>`); where the model says so, a value is generated instead, or the secret is
 * created empty ("missing").
 */
export function buildAzure(model: AppModel<"azure">, parent: pulumi.ComponentResource, options: BuildOptions = {}): AzurePlatform {
  const opts: pulumi.ComponentResourceOptions = { parent, ...(options.provider === undefined ? {} : { provider: options.provider }) };
  const common = { app: model.app, environment: model.environment, tags: model.tags, protect: model.protect };
  const logRetentionDays = model.logging.retentionDays;
  const named = (component: string) => `${model.app}-${component}`;
  const o = model.options;
  // The spec's region is a location only when it names one; capabilities refused any other without providers.azure.location.
  const location = o.location ?? (model.region !== undefined && AZURE_LOCATION.test(model.region) ? model.region : undefined);

  const network = new Network(
    named("network"),
    {
      ...common,
      network: model.network,
      logRetentionDays,
      services: Object.keys(model.services),
      ...(location === undefined ? {} : { location }),
      ...(o.resourceGroupName === undefined ? {} : { resourceGroupName: o.resourceGroupName }),
      ...(o.networkWatcher === undefined ? {} : { networkWatcher: o.networkWatcher }),
    },
    opts,
  );
  // The public entry: Front Door with its WAF when the spec asks for a WAF or a CDN, else the public environments themselves.
  const edge = model.network.loadBalancer.waf || model.network.cdn;
  const dnsZone = o.dnsZoneId === undefined ? {} : { dnsZone: dnsZoneOf(o.dnsZoneId) };
  const placement = { resourceGroupName: network.resourceGroupName, location: network.location };
  const workspaceId = network.workspaceId;
  const endpoints = (zone: "blob" | "vault") => ({ subnetId: network.subnetId({ kind: "privateEndpoints" }), privateDnsZoneId: network.privateZoneIds[zone] });

  const secrets = new SecretStore(
    named("secrets"),
    {
      ...common,
      ...placement,
      // A value given wins; else a value is generated exactly where the model says so.
      secrets: Object.values(model.secrets).map((s) => ({ ...s.spec, generate: s.value === "generated" })),
      values: options.secretValues ?? {},
      privateEndpoint: endpoints("vault"),
      workspaceId,
    },
    opts,
  );
  const vault = secrets.vaultRef;
  const database =
    model.database === undefined
      ? undefined
      : new Database(named("database"), { ...common, protect: model.database.protect, database: model.database.spec, network, vault }, opts);
  const cache = model.cache === undefined ? undefined : new Cache(named("cache"), { ...common, protect: model.cache.protect, cache: model.cache.spec, network, vault }, opts);
  const buckets = Object.fromEntries(
    Object.entries(model.buckets).map(([name, bucket]) => [
      name,
      new Bucket(named(`bucket-${name}`), { ...common, ...placement, protect: bucket.protect, bucket: bucket.spec, vault, privateEndpoint: endpoints("blob"), workspaceId, logRetentionDays }, opts),
    ]),
  );

  const reference = (service: string, binding: SecretBinding): AzureSecretReference => {
    const { source } = binding;
    const store =
      source.kind === "database"
        ? required(database, `a database (secret ${binding.envName} of service ${service})`).connectionSecret
        : source.kind === "cache"
          ? required(cache, `a cache (secret ${binding.envName} of service ${service})`).connectionSecret
          : required(secrets.references[source.name], `secret ${source.name} (of service ${service})`);
    return { envName: binding.envName, location: store.location };
  };
  const services = Object.fromEntries(
    Object.values(model.services).map((service) => [
      service.name,
      new WebService(
        named(service.name),
        {
          ...common,
          service: service.spec,
          network,
          loadBalancer: model.network.loadBalancer,
          slo: model.slo,
          secrets: service.secrets.map((binding) => reference(service.name, binding)),
          buckets: Object.fromEntries(
            Object.entries(service.buckets).map(([name, access]) => [name, { containerId: required(buckets[name], `bucket ${name} (of service ${service.name})`).containerId, access }]),
          ),
          applicationInsightsConnectionString: network.applicationInsights.connectionString,
          frontDoor: edge && service.public,
          ...dnsZone,
          logRetentionDays,
          ...(service.host === undefined ? {} : { domainName: service.host }),
          ...(o.stableRevisions?.[service.name] === undefined ? {} : { stableRevision: o.stableRevisions[service.name] }),
          ...(o.abortedRollouts?.[service.name] === true ? { rolloutAborted: true } : {}),
        },
        opts,
      ),
    ]),
  );
  const serviceNamed = (name: string) => required(services[name], `service ${name}`);
  const publicServices = Object.values(model.services).filter((s) => s.public);
  const frontDoor =
    edge && publicServices.length > 0
      ? new FrontDoor(
          named("edge"),
          {
            ...common,
            ...placement,
            origins: publicServices.map((s) => ({ name: s.name, hostName: serviceNamed(s.name).fqdn, healthCheckPath: s.spec.healthCheck.path, ...(s.host === undefined || !s.tls ? {} : { domainName: s.host }) })),
            caching: model.network.cdn,
            workspaceId,
            ...dnsZone,
          },
          opts,
        )
      : undefined;

  // Reachability: subnets admit exactly the model's callers and clients; the cache also its clients' identities.
  for (const service of Object.values(model.services)) {
    for (const caller of service.callers) {
      const source = caller.kind === "service" ? caller : edge ? ({ kind: "frontDoor" } as const) : ({ kind: "internet" } as const);
      network.allowFrom({ kind: "service", name: service.name }, source, [80, 443], caller.kind === "service" ? caller.name : source.kind === "frontDoor" ? "front-door" : "internet");
    }
  }
  for (const client of model.database?.clients ?? []) network.allowFrom({ kind: "database" }, { kind: "service", name: client }, [5432], `${client}-postgres`);
  for (const client of model.cache?.clients ?? []) {
    network.allowFrom({ kind: "privateEndpoints" }, { kind: "service", name: client }, [10000], `${client}-redis`);
    required(cache, "a cache").allowFrom(client, serviceNamed(client).principalId);
  }
  // Key Vault references and blob data go through the private endpoints over HTTPS; the identities' roles decide what each may read.
  for (const name of Object.keys(model.services)) network.allowFrom({ kind: "privateEndpoints" }, { kind: "service", name }, [443], `${name}-https`);

  const monitoring = new Monitoring(
    named("monitoring"),
    {
      ...common,
      ...placement,
      slo: model.slo,
      monitoring: { alerts: model.alerts.routes, escalateAfterMinutes: model.alerts.escalation.afterMinutes, dashboard: model.alerts.dashboard },
      logRetentionDays,
      services: Object.values(services),
      ...(database === undefined ? {} : { database }),
      ...(cache === undefined ? {} : { cache }),
      workspaceId,
    },
    opts,
  );
  const targets = model.backup.targets.map((target): BackupTarget => {
    switch (target.kind) {
      case "database":
        return { kind: "database", name: "database", serverId: required(database, "a database to back up").server.id };
      case "bucket": {
        const bucket = required(buckets[target.name], `bucket ${target.name} to back up`);
        return { kind: "bucket", name: target.name, accountId: bucket.account.id, containerName: bucket.bucketName };
      }
      default:
        throw new Error(`Azure Backup does not back up a ${target.kind}; the application model should not ask for it`);
    }
  });
  const { schedule, retentionDays, crossRegion } = model.backup;
  const backup = targets.length === 0 ? undefined : new BackupVault(named("backup"), { ...common, ...placement, backup: { schedule, retentionDays, crossRegion }, targets, workspaceId }, opts);
  const audit = model.logging.audit ? new AuditLog(named("audit"), { ...common, workspaceId }, opts) : undefined;
  return {
    network,
    services: Object.values(services),
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets: Object.values(buckets),
    secrets,
    monitoring,
    // With a DNS zone, the records are created in it; without, they are the user's to create.
    dnsRecords: allDnsRecords(
      o.dnsZoneId !== undefined
        ? []
        : [
            ...Object.values(frontDoor?.dnsRecords ?? {}).map((records) => records.apply((r) => domainRecords(r, "its Front Door endpoint"))),
            ...Object.values(services).flatMap((s) => (s.dnsRecords === undefined ? [] : [s.dnsRecords.apply((r) => domainRecords(r, "the container app"))])),
          ],
    ),
    ...(frontDoor === undefined ? {} : { frontDoor }),
    ...(backup === undefined ? {} : { backup }),
    ...(audit === undefined ? {} : { audit }),
  };
}

/** The Azure backend that `@polycloud/platform` loads. */
export const backend: Backend<"azure"> = {
  provider: "azure",
  packageName: "@polycloud/azure",
  build: buildAzure,
};

/** A custom domain's two records as Azure names them: the CNAME that routes it, the TXT that proves it ours for its managed certificate. */
function domainRecords(r: { readonly cname: string; readonly target: string; readonly txtName: string; readonly txtValue: string }, routedTo: string): DnsRecord[] {
  return [
    { name: r.cname, type: "CNAME", value: r.target, purpose: `routes ${r.cname} to ${routedTo} (at a zone's apex, an alias or A record instead)` },
    { name: r.txtName, type: "TXT", value: r.txtValue, purpose: `proves ${r.cname} is yours, so Azure issues its managed certificate` },
  ];
}
