/**
 * A public web service with PostgreSQL, Redis, an application secret and SLO monitoring, deployed
 * with @polycloud/kubernetes components on the cluster of the current kubeconfig.
 *
 *   pulumi config set domain shop.example.com
 *   pulumi config set smtpSmarthost smtp.example.com:587      # where alert emails go out
 *   pulumi config set smtpFrom alerts@example.com
 *   pulumi config set --secret session-key "$(openssl rand -hex 32)"   # optional: generated otherwise
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "@polycloud/core";
import { Cache, Database, Monitoring, Network, SecretStore, WebService } from "@polycloud/kubernetes";

export = () => {
  const config = new pulumi.Config();
  // The spec's parser fills every default from the environment preset.
  const spec = parseSpec({
    name: "shop",
    environment: config.get("environment") ?? "development",
    network: { loadBalancer: { domain: config.get("domain") ?? "shop.example.com" } },
    services: {
      web: {
        image: config.get("image") ?? "ghcr.io/acme/shop-api:1.4.2",
        public: true,
        env: { LOG_LEVEL: "info" },
        secrets: ["session-key"],
        replicas: { min: 2, max: 6 },
      },
    },
    database: { storageGb: 20 },
    cache: {},
    // generate: a random value when the stack config gives none (a key nobody else needs to know).
    secrets: { "session-key": { description: "Signs session cookies", generate: true } },
    monitoring: { alerts: { critical: [{ email: "oncall@example.com" }] } },
  });
  const common = { app: spec.name, environment: spec.environment, tags: { team: "shop" } };

  const network = new Network("shop", { ...common, network: spec.network });
  // The component reads no config itself: the program passes the value it has, and the rest is generated.
  const sessionKey = config.getSecret("session-key");
  const secrets = new SecretStore("shop", { ...common, network, secrets: spec.secrets, values: sessionKey === undefined ? {} : { "session-key": sessionKey } });
  const database = new Database("shop", { ...common, network, database: spec.database! });
  const cache = new Cache("shop", { ...common, network, cache: spec.cache! });
  const service = spec.services[0]!;
  const web = new WebService("web", {
    ...common,
    network,
    service,
    loadBalancer: spec.network.loadBalancer,
    slo: spec.slo,
    secrets: [secrets.references["session-key"]!, database.connectionSecret, cache.connectionSecret],
    // The access labels are what the database's and cache's NetworkPolicies admit.
    podLabels: { ...database.clientLabels, ...cache.clientLabels },
  });
  // Email alerts need an SMTP server: kube-prometheus-stack's Alertmanager has none of its own.
  const smtp = { smarthost: config.get("smtpSmarthost") ?? "smtp.example.com:587", from: config.get("smtpFrom") ?? "alerts@example.com" };
  const monitoring = new Monitoring("shop", { ...common, network, slo: spec.slo, monitoring: spec.monitoring, services: [web], database, cache, smtp });

  return { namespace: network.networkId, url: web.url, databaseHost: database.endpoint, alertCount: monitoring.alertCount };
};
