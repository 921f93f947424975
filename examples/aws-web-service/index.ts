/**
 * A public web service on ECS Fargate with PostgreSQL, Redis, an assets bucket, an application
 * secret, SLO monitoring and AWS Backup, built from @polycloud/aws components directly.
 *
 *   pulumi config set domain shop.example.com       # a domain you control: its certificate is DNS-validated
 *   pulumi config set hostedZoneId Z0123456789       # optional: creates the DNS records in Route 53 (else: the dnsRecords output)
 *   pulumi config set --secret stripe-key sk_live_... # optional: otherwise set it with put-secret-value
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "@polycloud/core";
import { BackupPlan, Bucket, Cache, Database, Monitoring, Network, SecretStore, WebService } from "@polycloud/aws";

export = () => {
  const config = new pulumi.Config();
  // The spec's parser fills every default from the environment preset.
  const spec = parseSpec({
    name: "shop",
    environment: config.get("environment") ?? "development",
    network: { loadBalancer: { domain: config.get("domain") ?? "shop.example.com" } },
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
  const common = { app: spec.name, environment: spec.environment, tags: { team: "shop" } };
  const logRetentionDays = spec.logging.retentionDays;

  const network = new Network("shop", { ...common, network: spec.network, logRetentionDays });
  const stripeKey = config.getSecret("stripe-key");
  const secrets = new SecretStore("shop", { ...common, secrets: spec.secrets, ...(stripeKey === undefined ? {} : { values: { "stripe-key": stripeKey } }) });
  const database = new Database("shop", { ...common, network, database: spec.database! });
  const cache = new Cache("shop", { ...common, network, cache: spec.cache!, logRetentionDays });
  const assets = new Bucket("assets", { ...common, bucket: spec.buckets[0]!, logRetentionDays });
  const hostedZoneId = config.get("hostedZoneId");
  const api = new WebService("api", {
    ...common,
    network,
    service: spec.services[0]!,
    loadBalancer: spec.network.loadBalancer,
    slo: spec.slo,
    secrets: [secrets.references["stripe-key"]!, database.connectionSecret, cache.connectionSecret],
    // The task role may read and write the assets bucket (and use its key), nothing else.
    buckets: { assets: { bucketArn: assets.arn, kmsKeyArn: assets.kmsKeyArn, access: "readwrite" } },
    logRetentionDays,
    ...(hostedZoneId === undefined ? {} : { hostedZoneId }),
  });
  // Only the service's tasks may reach the database and the cache.
  database.allowFrom("api", api.securityGroup.id);
  cache.allowFrom("api", api.securityGroup.id);
  const monitoring = new Monitoring("shop", { ...common, slo: spec.slo, monitoring: spec.monitoring, services: [api], database, cache });
  // Snapshots of the database and the assets in a vault of their own, kept for the preset's retention.
  new BackupPlan("shop", { ...common, backup: spec.backup, resources: [database.instance.arn, assets.arn] });

  return {
    url: api.url,
    certificateValidationRecords: api.certificateValidationRecords,
    // The records to create by hand without hostedZoneId: the certificate's validation and the domain's CNAME.
    dnsRecords: api.dnsRecords,
    bucket: assets.bucketName,
    databaseEndpoint: database.endpoint,
    dashboardUrl: monitoring.dashboardUrl,
    alertCount: monitoring.alertCount,
  };
};
