/**
 * The Kubernetes backend: renders an application model (`buildModel(spec, "kubernetes", config)` from
 * `@polycloud/core`) into this package's components, in one namespace, and nothing else: hosts, grants,
 * secret bindings, backups and alert routing are the model's; the cluster's add-ons and where they
 * live are its `options` (the spec's `providers.kubernetes`, overridden by stack config
 * `polycloud:kubernetes.<option>`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AppModel, Backend, BucketAccess, BucketModel, BuildOptions, BuiltPlatform, SecretBinding } from "@polycloud/core";
import { renderContext } from "@polycloud/core/component";
import { Bucket } from "./bucket";
import { Cache } from "./cache";
import { Database } from "./database";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import type { KubernetesSecretReference } from "./refs";
import { SecretStore } from "./secret-store";
import { capacityFor } from "./sizing";
import { WebService } from "./web-service";

/** The Kubernetes backend. Its options are the model's: `providers.kubernetes` in the spec, `polycloud:kubernetes.<option>` in stack config. */
export const backend: Backend<"kubernetes"> = {
  provider: "kubernetes",
  packageName: "@polycloud/kubernetes",
  build: buildPlatform,
};

/**
 * The access levels a bucket creates credentials for: those its clients are granted, and always
 * `readwrite`, whose Secret and password existed before read grants did (they are protected in
 * production, so dropping them would fail the update; nothing injects them into a service without the grant).
 */
function bucketAccessLevels(bucket: BucketModel): BucketAccess[] {
  return ["readwrite", ...(Object.values(bucket.clients).includes("read") ? (["read"] as const) : [])];
}

/** Creates every component of the model as children of `parent`, wired by the model's grants. */
export function buildPlatform(model: AppModel<"kubernetes">, parent: pulumi.ComponentResource, options: BuildOptions = {}): BuiltPlatform {
  const o = model.options;
  const { opts, common, named } = renderContext(model, parent, options);
  const storage = o.storageClassName === undefined ? {} : { storageClassName: o.storageClassName };

  const network = new Network(
    named("network"),
    {
      ...common,
      network: model.network,
      capacity: capacityFor(model.spec),
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      ingressController: o.ingressController,
      monitoringNamespace: o.monitoringNamespace,
    },
    opts,
  );
  const secrets = new SecretStore(
    named("secrets"),
    {
      ...common,
      // Generated exactly when the model says so (spec generate: true and no stack config value); a missing value stays missing.
      secrets: Object.values(model.secrets).map((s) => ({ ...s.spec, generate: s.value === "generated" })),
      network,
      values: options.secretValues ?? {},
      ...(o.externalSecretStore === undefined ? {} : { externalStore: o.externalSecretStore }),
    },
    opts,
  );
  const database =
    model.database === undefined
      ? undefined
      : new Database(
          named("database"),
          {
            ...common,
            database: model.database.spec,
            network,
            backupSchedule: model.backup.schedule,
            ...storage,
            ...(o.cloudNativePg === undefined ? {} : { cloudNativePg: o.cloudNativePg }),
          },
          opts,
        );
  const cache = model.cache === undefined ? undefined : new Cache(named("cache"), { ...common, cache: model.cache.spec, network, ...storage }, opts);
  const buckets = Object.fromEntries(
    Object.entries(model.buckets).map(([name, bucket]) => [
      name,
      new Bucket(named(`bucket-${name}`), { ...common, bucket: bucket.spec, network, access: bucketAccessLevels(bucket), ...storage }, opts),
    ]),
  );

  /** The reference the model's binding names, seen under the binding's variable name. */
  const reference = (binding: SecretBinding): KubernetesSecretReference => {
    const source = binding.source;
    const ref = source.kind === "database" ? database?.connectionSecret : source.kind === "cache" ? cache?.connectionSecret : secrets.references[source.name];
    if (ref === undefined) throw new Error(`The model binds ${binding.envName} to a ${source.kind} this build does not have: a model not built by buildModel?`);
    return { envName: binding.envName, location: ref.location };
  };

  const services = Object.values(model.services).map((service) => {
    // Exactly the service's grants: the stores it may connect to, its buckets at their access, the services it may call.
    const granted = Object.entries(service.buckets).map(([name, access]) => ({ bucket: buckets[name]!, access }));
    const podLabels = Object.assign(
      {},
      service.database ? database?.clientLabels : undefined,
      service.cache ? cache?.clientLabels : undefined,
      ...granted.map((g) => g.bucket.clientLabels),
    ) as Record<string, string>;
    return new WebService(
      named(service.name),
      {
        ...common,
        service: service.spec,
        network,
        loadBalancer: model.network.loadBalancer,
        slo: model.slo,
        secrets: [...service.secrets.map(reference), ...granted.flatMap((g) => g.bucket.credentialsFor(g.access))],
        podLabels,
        callers: service.callers.flatMap((c) => (c.kind === "service" ? [c.name] : [])),
        calls: service.calls.map((callee) => ({ service: callee, port: model.services[callee]!.spec.port })),
        ...(service.host === undefined ? {} : { host: service.host }),
        argoRollouts: o.argoRollouts,
        ingressClassName: o.ingressClassName,
        clusterIssuer: o.clusterIssuer,
        prometheusAddress: `http://prometheus-operated.${o.monitoringNamespace}.svc:9090`,
      },
      opts,
    );
  });

  const monitoring = new Monitoring(
    named("monitoring"),
    {
      ...common,
      network,
      slo: model.slo,
      monitoring: { alerts: model.alerts.routes, escalateAfterMinutes: model.alerts.escalation.afterMinutes, dashboard: model.alerts.dashboard },
      logRetentionDays: model.logging.retentionDays,
      services,
      ...(database === undefined ? {} : { database }),
      ...(cache === undefined ? {} : { cache }),
      selectorLabels: o.selectorLabels,
      ...(o.smtp === undefined ? {} : { smtp: o.smtp }),
      // Grafana runs with Prometheus; its dashboard sidecar finds the ConfigMap there, whatever namespaces it searches.
      dashboardNamespace: o.monitoringNamespace,
      ...(o.grafanaUrl === undefined ? {} : { grafanaUrl: o.grafanaUrl }),
    },
    opts,
  );

  return {
    network,
    services,
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets: Object.values(buckets),
    secrets,
    monitoring,
  };
}
