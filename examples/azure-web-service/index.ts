/**
 * A public web service on Azure Container Apps with PostgreSQL, Redis, an assets bucket, an application
 * secret, SLO monitoring and Azure Backup, built from @polycloud/azure components directly.
 *
 *   pulumi config set azure-native:location westeurope  # the default in Pulumi.yaml
 *   pulumi config set domain shop.example.com            # a domain you control: its managed certificate needs the dnsRecords output
 *   pulumi config set --secret stripe-key sk_live_...     # optional: otherwise the secret is created empty
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "@polycloud/core";
import { BackupVault, Bucket, Cache, Database, FrontDoor, Monitoring, Network, SecretStore, WebService, type BackupTarget } from "@polycloud/azure";

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
  // Physical names come from the logical names without the app's prefix: shop-api is the container app shop-dev-api.
  const common = { app: spec.name, environment: spec.environment, tags: { team: "shop" } };
  const logRetentionDays = spec.logging.retentionDays;
  const service = spec.services[0]!;

  // A subnet and a Container Apps environment per service: its NSG decides who may call it.
  const network = new Network("shop-network", { ...common, network: spec.network, logRetentionDays, services: [service.name], location: new pulumi.Config("azure-native").require("location") });
  const placement = { resourceGroupName: network.resourceGroupName, location: network.location };
  const workspaceId = network.workspaceId;
  const privateEndpoint = (zone: "blob" | "vault") => ({ subnetId: network.subnetId({ kind: "privateEndpoints" }), privateDnsZoneId: network.privateZoneIds[zone] });

  const stripeKey = config.getSecret("stripe-key");
  // The Key Vault holds the secrets and every store's customer-managed key.
  const secrets = new SecretStore("shop-secrets", { ...common, ...placement, secrets: spec.secrets, values: stripeKey === undefined ? {} : { "stripe-key": stripeKey }, privateEndpoint: privateEndpoint("vault"), workspaceId });
  const vault = secrets.vaultRef;
  const database = new Database("shop-database", { ...common, network, database: spec.database!, vault });
  const cache = new Cache("shop-cache", { ...common, network, cache: spec.cache!, vault });
  const bucket = spec.buckets[0]!;
  const assets = new Bucket("shop-assets", { ...common, ...placement, bucket, vault, privateEndpoint: privateEndpoint("blob"), workspaceId, logRetentionDays });

  // With a WAF (staging and production presets) or a CDN, Front Door is the public entry and owns the domain's certificate.
  const edge = spec.network.loadBalancer.waf || spec.network.cdn;
  const api = new WebService("shop-api", {
    ...common,
    network,
    service,
    loadBalancer: spec.network.loadBalancer,
    slo: spec.slo,
    // The store's references are named after the secret ("stripe-key"): the service sees it as STRIPE_KEY, as on the other clouds.
    secrets: [secrets.references["stripe-key"]!, database.connectionSecret, cache.connectionSecret],
    // The identity may read and write the assets container, nothing else of the account.
    buckets: { assets: { containerId: assets.containerId, access: "readwrite" } },
    applicationInsightsConnectionString: network.applicationInsights.connectionString,
    domainName: domain,
    frontDoor: edge,
    logRetentionDays,
  });
  const frontDoor = edge
    ? new FrontDoor("shop-edge", {
        ...common,
        ...placement,
        origins: [{ name: service.name, hostName: api.fqdn, healthCheckPath: service.healthCheck.path, ...(spec.network.loadBalancer.tls ? { domainName: domain } : {}) }],
        caching: spec.network.cdn,
        workspaceId,
      })
    : undefined;

  // Who reaches what: the service's subnet admits the internet (or only Front Door); the database's
  // subnet and the private endpoints (Redis, Key Vault, blobs) admit the service's subnet alone.
  network.allowFrom({ kind: "service", name: service.name }, frontDoor === undefined ? { kind: "internet" } : { kind: "frontDoor" }, [80, 443], frontDoor === undefined ? "internet" : "front-door");
  network.allowFrom({ kind: "database" }, { kind: "service", name: service.name }, [5432], `${service.name}-postgres`);
  network.allowFrom({ kind: "privateEndpoints" }, { kind: "service", name: service.name }, [10000], `${service.name}-redis`);
  network.allowFrom({ kind: "privateEndpoints" }, { kind: "service", name: service.name }, [443], `${service.name}-https`);
  // Redis authenticates the service's managed identity: no password anywhere.
  cache.allowFrom(service.name, api.principalId);

  const monitoring = new Monitoring("shop-monitoring", { ...common, ...placement, slo: spec.slo, monitoring: spec.monitoring, logRetentionDays, services: [api], database, cache, workspaceId });
  // Daily vaulted backups of the server, and of the assets when they are versioned (the preset's), kept for the preset's retention.
  const targets: BackupTarget[] = [
    { kind: "database", name: "database", serverId: database.server.id },
    ...(bucket.versioning ? [{ kind: "bucket" as const, name: bucket.name, accountId: assets.account.id, containerName: assets.bucketName }] : []),
  ];
  new BackupVault("shop-backup", { ...common, ...placement, backup: spec.backup, targets, workspaceId });

  return {
    url: api.url,
    // The records to create by hand: the domain's CNAME and its certificate's validation TXT.
    dnsRecords: frontDoor === undefined ? api.dnsRecords : frontDoor.dnsRecords[service.name],
    // The assets container (its account is reachable only through the private endpoint).
    assetsUrl: pulumi.interpolate`${assets.blobEndpoint}${assets.bucketName}`,
    databaseEndpoint: database.endpoint,
    dashboardUrl: monitoring.dashboardUrl,
    alertCount: monitoring.alertCount,
  };
};
