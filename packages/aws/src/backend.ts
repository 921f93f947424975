/**
 * The AWS backend: renders core's application model (`buildModel(spec, "aws", config)`) with this
 * package's components, and nothing else. What a spec means (who may use what, hosts, secret bindings,
 * backups, alert routing and escalation), what AWS cannot build and the backend options are decided by
 * the model; here each of its parts becomes components, wired exactly as its grants say.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AppModel, Backend, BuildOptions, BuiltPlatform, ResourceRef, SecretBinding } from "@polycloud/core";
import { allDnsRecords, renderContext, required } from "@polycloud/core/component";
import { AuditTrail } from "./audit-trail";
import { BackupPlan } from "./backup-plan";
import { Bucket } from "./bucket";
import { Cache } from "./cache";
import { Cluster } from "./cluster";
import { Database } from "./database";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import { SecretStore } from "./secret-store";
import type { AwsSecretReference } from "./secrets";
import { WebService } from "./web-service";

/** The AWS components built for one application model. */
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
  /** AWS Backup of the model's backup targets (the database and versioned buckets), when there are any. */
  readonly backup?: BackupPlan;
  /** The CloudTrail trail, when `logging.audit` is true. */
  readonly audit?: AuditTrail;
}

/**
 * Builds an application model on AWS, wired together: network -> secret store -> database, cache and
 * buckets -> one cluster, log key and access-log bucket for all services -> services -> grants ->
 * monitoring -> AWS Backup of the model's backup targets, reporting to the warning topic -> the audit
 * trail when `logging.audit`.
 *
 * Grants are exactly the model's: each service receives exactly its secret bindings as Secrets Manager
 * references (its execution role may read exactly those), its task role may use exactly its buckets,
 * the database and cache admit exactly their clients' task security groups, and each service's load
 * balancer admits exactly its callers' task security groups (plus the internet for public services).
 *
 * Backend options come from the model (`providers.aws` in the spec, stack config `polycloud:aws.<option>`):
 * `hostedZoneId` creates each service's certificate validation record and alias record in Route 53, and
 * makes its HTTPS listener wait for the certificate (without it each service warns once in the plan and
 * lists the records to create in its `dnsRecords`, and nothing waits for records nobody creates);
 * `backupRegion` receives a copy of every backup when `backup.crossRegion` is true.
 *
 * Every component's logical name starts with the application's name (`shop-network`, `shop-api`), so
 * several applications can be built in one stack; physical names already start with `<app>-<env>-`.
 *
 * @param options.secretValues values of spec secrets by name (the platform reads stack config
 * `polycloud:secrets.<name>`). Where the model says (`secrets.<name>.value`): a secret without one is
 * generated once when its spec says `generate: true` ("generated"), and otherwise created empty
 * ("missing"; the model's plan warning names the `pulumi config set --secret` command).
 */
export function buildAws(model: AppModel<"aws">, parent: pulumi.ComponentResource, options: BuildOptions = {}): AwsPlatform {
  const { opts, common, named } = renderContext(model, parent, options);
  const logRetentionDays = model.logging.retentionDays;

  const network = new Network(named("network"), { ...common, network: model.network, logRetentionDays }, opts);
  // A value given wins; else a value is generated exactly where the model says so.
  const secretSpecs = Object.values(model.secrets).map((s) => ({ ...s.spec, generate: s.value === "generated" }));
  const secrets = new SecretStore(named("secrets"), { ...common, secrets: secretSpecs, values: options.secretValues ?? {} }, opts);
  const database =
    model.database === undefined
      ? undefined
      : new Database(named("database"), { ...common, protect: model.database.protect, database: model.database.spec, network, logRetentionDays }, opts);
  const cache =
    model.cache === undefined ? undefined : new Cache(named("cache"), { ...common, protect: model.cache.protect, cache: model.cache.spec, network, logRetentionDays }, opts);
  const buckets = Object.fromEntries(
    Object.entries(model.buckets).map(([name, bucket]) => [name, new Bucket(named(`bucket-${name}`), { ...common, protect: bucket.protect, bucket: bucket.spec, logRetentionDays }, opts)]),
  );

  const reference = (service: string, binding: SecretBinding): AwsSecretReference => {
    const { source } = binding;
    const store =
      source.kind === "database"
        ? required(database, `a database (secret ${binding.envName} of service ${service})`).connectionSecret
        : source.kind === "cache"
          ? required(cache, `a cache (secret ${binding.envName} of service ${service})`).connectionSecret
          : required(secrets.references[source.name], `secret ${source.name} (of service ${service})`);
    return { envName: binding.envName, location: store.location };
  };
  const cluster = new Cluster(named("cluster"), { ...common, logRetentionDays }, opts);
  const hostedZoneId = model.options.hostedZoneId;
  const services = Object.fromEntries(
    Object.values(model.services).map((service) => {
      const webService = new WebService(
        named(service.name),
        {
          ...common,
          ...cluster.serviceArgs,
          service: service.spec,
          network,
          loadBalancer: model.network.loadBalancer,
          slo: model.slo,
          secrets: service.secrets.map((binding) => reference(service.name, binding)),
          buckets: Object.fromEntries(
            Object.entries(service.buckets).map(([name, access]) => {
              const bucket = required(buckets[name], `bucket ${name} (of service ${service.name})`);
              return [name, { bucketArn: bucket.arn, kmsKeyArn: bucket.kmsKeyArn, access }];
            }),
          ),
          logRetentionDays,
          ...(service.host === undefined ? {} : { domainName: service.host }),
          ...(hostedZoneId === undefined ? {} : { hostedZoneId }),
        },
        opts,
      );
      return [service.name, webService];
    }),
  );
  const serviceNamed = (name: string) => required(services[name], `service ${name}`);

  // Reachability: the stores admit exactly their clients, each load balancer exactly its callers.
  for (const client of model.database?.clients ?? []) required(database, "a database").allowFrom(client, serviceNamed(client).securityGroup.id);
  for (const client of model.cache?.clients ?? []) required(cache, "a cache").allowFrom(client, serviceNamed(client).securityGroup.id);
  for (const service of Object.values(model.services)) {
    for (const caller of service.callers) {
      if (caller.kind === "service") serviceNamed(service.name).allowFrom(caller.name, serviceNamed(caller.name).securityGroup.id);
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
      ...(database === undefined ? {} : { database }),
      ...(cache === undefined ? {} : { cache }),
    },
    opts,
  );
  const arnOf = (target: ResourceRef): pulumi.Input<string> => {
    switch (target.kind) {
      case "database":
        return required(database, "a database to back up").instance.arn;
      case "bucket":
        return required(buckets[target.name], `bucket ${target.name} to back up`).arn;
      default:
        throw new Error(`AWS Backup does not back up a ${target.kind}; the application model should not ask for it`);
    }
  };
  const { schedule, retentionDays, crossRegion, targets } = model.backup;
  const backupRegion = model.options.backupRegion;
  const backup =
    targets.length === 0
      ? undefined
      : new BackupPlan(
          named("backup"),
          {
            ...common,
            backup: { schedule, retentionDays, crossRegion },
            resources: targets.map(arnOf),
            ...(backupRegion === undefined ? {} : { backupRegion }),
            // Failed backups are warnings: data is at risk, nothing is down.
            notificationTopicArn: monitoring.topics.warning.arn,
          },
          opts,
        );
  const bucketList = Object.values(buckets);
  const audit = model.logging.audit ? new AuditTrail(named("audit"), { ...common, logRetentionDays, dataEventBuckets: bucketList.map((b) => b.arn) }, opts) : undefined;
  return {
    network,
    cluster,
    services: Object.values(services),
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets: bucketList,
    secrets,
    monitoring,
    dnsRecords: allDnsRecords(Object.values(services).map((s) => s.dnsRecords)),
    ...(backup === undefined ? {} : { backup }),
    ...(audit === undefined ? {} : { audit }),
  };
}

/** The AWS backend that `@polycloud/platform` loads. */
export const backend: Backend<"aws"> = {
  provider: "aws",
  packageName: "@polycloud/aws",
  build: buildAws,
};
