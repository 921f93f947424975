/**
 * A public web service on Cloud Run with PostgreSQL, Redis, an assets bucket, an application secret,
 * SLO monitoring and backups, built from @polycloud/gcp components directly.
 *
 *   pulumi config set gcp:project acme-shop             # the project to build in (its APIs enabled: see the package README)
 *   pulumi config set domain shop.example.com           # a domain you control: the managed certificate needs its A record
 *   pulumi config set dnsManagedZone shop-example-com   # optional: creates the A record in Cloud DNS (else: the dnsRecords output)
 *   pulumi config set --secret stripe-key sk_live_...    # optional: otherwise add a version with gcloud secrets versions add
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "@polycloud/core";
import { Bucket, Cache, Database, Monitoring, Network, SecretStore, WebService } from "@polycloud/gcp";

export = () => {
  const config = new pulumi.Config();
  const domain = config.get("domain") ?? "shop.example.com";
  // The spec's parser fills every default from the environment preset.
  const spec = parseSpec({
    name: "shop",
    environment: config.get("environment") ?? "development",
    network: { loadBalancer: { domain } },
    services: {
      api: {
        image: config.get("image") ?? "ghcr.io/acme/shop-api:1.4.2",
        public: true,
        env: { LOG_LEVEL: "info" },
        secrets: ["stripe-key"],
        replicas: { min: 2, max: 6 },
        access: { buckets: { assets: "readwrite" } },
      },
    },
    database: { storageGb: 20 },
    cache: {},
    buckets: { assets: { lifecycle: { expireNoncurrentAfterDays: 30 } } },
    secrets: { "stripe-key": { description: "Stripe API key" } },
    monitoring: { alerts: { critical: [{ email: "oncall@example.com" }], warning: [{ email: "team@example.com" }] } },
  });
  // Everything regional in the stack's region (Pulumi.yaml sets gcp:region).
  const region = new pulumi.Config("gcp").require("region");
  const common = { app: spec.name, environment: spec.environment, tags: { team: "shop" }, region };
  const logRetentionDays = spec.logging.retentionDays;

  // A private service access range for each store, so the firewall can tell them apart.
  const network = new Network("shop", { ...common, network: spec.network, logRetentionDays, privateStores: ["database", "cache"] });
  const stripeKey = config.getSecret("stripe-key");
  // The secret store's key ring holds every store's key.
  const secrets = new SecretStore("shop", { ...common, secrets: spec.secrets, ...(stripeKey === undefined ? {} : { values: { "stripe-key": stripeKey } }) });
  const keyRing = secrets.keyRing.id;
  // Backups: Cloud SQL's automated backups with point-in-time recovery, kept for the preset's retention.
  const database = new Database("shop", { ...common, network, database: spec.database!, keyRing });
  const cache = new Cache("shop", { ...common, network, cache: spec.cache!, keyRing });
  // Backups of the assets: versioning and soft delete for the preset's backup retention.
  const assets = new Bucket("assets", { ...common, bucket: spec.buckets[0]!, keyRing, logRetentionDays, backupRetentionDays: spec.backup.retentionDays });
  const dnsManagedZone = config.get("dnsManagedZone");
  const api = new WebService("api", {
    ...common,
    network,
    service: spec.services[0]!,
    loadBalancer: spec.network.loadBalancer,
    slo: spec.slo,
    // The load balancer's Google-managed certificate is issued for the domain.
    host: domain,
    secrets: [secrets.references["stripe-key"]!, database.connectionSecret, cache.connectionSecret],
    logRetentionDays,
    cdn: spec.network.cdn,
    ...(dnsManagedZone === undefined ? {} : { dnsManagedZone }),
  });
  // Only the service's network tag may reach the database and the cache; its account alone may use the assets.
  database.allowFrom("api", api.networkTag);
  cache.allowFrom("api", api.networkTag);
  assets.allowAccess("api", api.member, "readwrite");
  const monitoring = new Monitoring("shop", { ...common, slo: spec.slo, monitoring: spec.monitoring, logRetentionDays, services: [api], database, cache, keyRing });

  return {
    url: api.url,
    // The record to create by hand without dnsManagedZone: the domain's A record to the load balancer.
    dnsRecords: api.dnsRecords,
    revision: api.revision,
    bucket: assets.bucketName,
    databaseEndpoint: database.endpoint,
    dashboardUrl: monitoring.dashboardUrl,
    alertCount: monitoring.alertCount,
  };
};
