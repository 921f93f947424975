import type * as pulumi from "@pulumi/pulumi";
import type { Backend, BackendOptions, BuiltPlatform, CommonArgs, Problem, ResolvedSpec, SecretReference } from "@polycloud/core";
import { Bucket } from "./bucket";
import { Cache } from "./cache";
import { Database, type CloudNativePgOptions } from "./database";
import { Monitoring } from "./monitoring";
import { Network, type IngressControllerRef } from "./network";
import { SecretStore, type ExternalStoreRef } from "./secret-store";
import { capacityFor } from "./sizing";
import { WebService } from "./web-service";

/** What a cluster offers beyond plain Kubernetes, and where its add-ons live. */
export interface KubernetesBackendOptions {
  /** The Argo Rollouts controller is installed (blue-green and canary use Rollouts). @default false */
  readonly argoRollouts?: boolean;
  /** The CloudNativePG operator is installed: the database is a CNPG Cluster. @default - plain StatefulSet */
  readonly cloudNativePg?: CloudNativePgOptions;
  /** Pull spec secrets from this External Secrets store instead of keeping values in Pulumi state. @default - Opaque Secrets */
  readonly externalSecretStore?: ExternalStoreRef;
  /** @default "nginx" */
  readonly ingressClassName?: string;
  /** cert-manager ClusterIssuer for the domain's certificate. @default "letsencrypt" */
  readonly clusterIssuer?: string;
  /** Where the ingress controller runs; `podLabels` narrows it to the controller's pods. @default { namespace: "ingress-nginx" } (podLabels: {}, every pod of the namespace) */
  readonly ingressController?: IngressControllerRef;
  /** Prometheus's namespace (allowed to scrape). @default "monitoring" */
  readonly monitoringNamespace?: string;
  /** Labels Prometheus/Alertmanager select monitoring objects by, e.g. `{ release: "kube-prometheus-stack" }`. @default {} */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /** StorageClass of every volume. @default - the cluster's default */
  readonly storageClassName?: string;
  /** Grafana base URL, for the dashboard link. @default - none */
  readonly grafanaUrl?: string;
}

/** The stores of a spec by Kubernetes object name, with the Secret names they create. */
function stores(spec: ResolvedSpec): { objectName: string; what: string; secrets: string[] }[] {
  return [
    ...(spec.database === undefined ? [] : [{ objectName: "postgres", what: "the database", secrets: ["postgres-app"] }]),
    ...(spec.cache === undefined ? [] : [{ objectName: "redis", what: "the cache", secrets: ["redis-app"] }]),
    ...spec.buckets.map((b) => ({ objectName: `bucket-${b.name}`, what: `bucket ${b.name}`, secrets: [`bucket-${b.name}-app`, `bucket-${b.name}-root`] })),
  ];
}

/** Problems with a spec that Kubernetes cannot honour, each naming its spec path. */
export function kubernetesProblems(spec: ResolvedSpec): Problem[] {
  const problems: Problem[] = [];
  // Services, stores and secrets share one namespace: one name would make two components fight over one object.
  const objects = new Map<string, string>();
  const secrets = new Map<string, string>([[`${spec.name}-alert-receivers`, "the alert receivers"]]);
  for (const store of stores(spec)) {
    for (const suffix of ["", "-headless", "-backup", "-backups", "-setup"]) objects.set(`${store.objectName}${suffix}`, store.what);
    for (const secret of store.secrets) secrets.set(secret, store.what);
  }
  for (const service of spec.services) {
    const clash = [service.name, `${service.name}-preview`, `${service.name}-egress`].find((n) => objects.has(n));
    if (clash !== undefined) {
      problems.push({ path: `services.${service.name}`, message: `"${clash}" is also the name of ${objects.get(clash)}'s objects on Kubernetes`, fix: `rename service ${service.name}` });
    }
  }
  for (const secret of spec.secrets) {
    const owner = secrets.get(secret.name);
    if (owner !== undefined) problems.push({ path: `secrets.${secret.name}`, message: `"${secret.name}" is also the name of ${owner}'s Secret on Kubernetes`, fix: `rename secret ${secret.name}` });
  }
  if (spec.network.cdn) {
    problems.push({ path: "network.cdn", message: "true is not available on Kubernetes (a cluster has no CDN)", fix: "set cdn to false and put a CDN in front of the ingress" });
  }
  if (spec.backup.crossRegion) {
    problems.push({ path: "backup.crossRegion", message: "true is not available on Kubernetes", fix: "set crossRegion to false, or copy the CloudNativePG object store to another region" });
  }
  return problems;
}

/** The Kubernetes backend for a given cluster's capabilities. */
export function createBackend(options: KubernetesBackendOptions = {}): Backend {
  return {
    provider: "kubernetes",
    packageName: "@polycloud/kubernetes",
    validate: kubernetesProblems,
    build: (spec, parent, backendOptions) => buildPlatform(spec, parent, options, backendOptions),
  };
}

/**
 * The Kubernetes backend for a plain cluster: no Argo Rollouts, no CloudNativePG, secrets in Pulumi
 * state. Use {@link createBackend} to describe a cluster with more.
 */
export const backend: Backend = createBackend();

function buildPlatform(spec: ResolvedSpec, parent: pulumi.ComponentResource, o: KubernetesBackendOptions, backendOptions: BackendOptions = {}): BuiltPlatform {
  const opts: pulumi.ComponentResourceOptions = { parent, ...(backendOptions.provider === undefined ? {} : { provider: backendOptions.provider }) };
  const common: CommonArgs = { app: spec.name, environment: spec.environment, tags: spec.tags, protect: spec.protectStateful };
  const storage = o.storageClassName === undefined ? {} : { storageClassName: o.storageClassName };

  const network = new Network(
    `${spec.name}-network`,
    {
      ...common,
      network: spec.network,
      capacity: capacityFor(spec),
      ...(o.ingressController === undefined ? {} : { ingressController: o.ingressController }),
      ...(o.monitoringNamespace === undefined ? {} : { monitoringNamespace: o.monitoringNamespace }),
    },
    opts,
  );
  const secrets = new SecretStore(
    `${spec.name}-secrets`,
    { ...common, secrets: spec.secrets, network, ...(o.externalSecretStore === undefined ? {} : { externalStore: o.externalSecretStore }) },
    opts,
  );
  const database =
    spec.database === undefined
      ? undefined
      : new Database(
          `${spec.name}-database`,
          { ...common, database: spec.database, network, backupSchedule: spec.backup.schedule, ...storage, ...(o.cloudNativePg === undefined ? {} : { cloudNativePg: o.cloudNativePg }) },
          opts,
        );
  const cache = spec.cache === undefined ? undefined : new Cache(`${spec.name}-cache`, { ...common, cache: spec.cache, network, ...storage }, opts);
  const buckets = spec.buckets.map((bucket) => new Bucket(`${spec.name}-bucket-${bucket.name}`, { ...common, bucket, network, ...storage }, opts));

  // Every service may reach the database, the cache and the buckets, and nothing else.
  const podLabels = Object.assign({}, database?.clientLabels, cache?.clientLabels, ...buckets.map((b) => b.clientLabels)) as Record<string, string>;
  const generated: Record<string, SecretReference | undefined> = { DATABASE_URL: database?.connectionSecret, REDIS_URL: cache?.connectionSecret };
  const bucketCredentials = buckets.flatMap((b) => b.credentials);
  const publicCount = spec.services.filter((s) => s.public).length;
  const domain = spec.network.loadBalancer.domain;

  const services = spec.services.map((service) => {
    const references = service.secrets.map((name) => generated[name] ?? secrets.references[name]).filter((r): r is SecretReference => r !== undefined);
    // One public service takes the domain; several get <service>.<domain> each.
    const host = domain !== undefined && publicCount > 1 ? `${service.name}.${domain}` : domain;
    return new WebService(
      `${spec.name}-${service.name}`,
      {
        ...common,
        service,
        network,
        loadBalancer: spec.network.loadBalancer,
        slo: spec.slo,
        secrets: [...references, ...bucketCredentials],
        podLabels,
        ...(host === undefined ? {} : { host }),
        ...(o.argoRollouts === undefined ? {} : { argoRollouts: o.argoRollouts }),
        ...(o.ingressClassName === undefined ? {} : { ingressClassName: o.ingressClassName }),
        ...(o.clusterIssuer === undefined ? {} : { clusterIssuer: o.clusterIssuer }),
      },
      opts,
    );
  });

  const monitoring = new Monitoring(
    `${spec.name}-monitoring`,
    {
      ...common,
      network,
      slo: spec.slo,
      monitoring: spec.monitoring,
      logRetentionDays: spec.logging.retentionDays,
      services,
      ...(database === undefined ? {} : { database }),
      ...(cache === undefined ? {} : { cache }),
      ...(o.selectorLabels === undefined ? {} : { selectorLabels: o.selectorLabels }),
      ...(o.grafanaUrl === undefined ? {} : { grafanaUrl: o.grafanaUrl }),
    },
    opts,
  );

  return {
    network,
    services,
    ...(database === undefined ? {} : { database }),
    ...(cache === undefined ? {} : { cache }),
    buckets,
    secrets,
    monitoring,
  };
}
