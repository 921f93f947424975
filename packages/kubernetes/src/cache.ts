import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { PolycloudError, type CacheArgs as CoreCacheArgs, type CacheOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { secretReference, type KubernetesSecretReference } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { cacheStorageGb, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, generatePassword, type StatefulTransforms } from "./stateful";

const PORT = 6379;

export interface CacheArgs extends CoreCacheArgs<NamespaceRef> {
  /** Kubernetes name of the cache's objects. @default "redis" */
  readonly name?: string;
  /** StorageClass of the append-only-file volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default "docker.io/library/redis:<major>-alpine" */
  readonly image?: string;
  /** What Redis evicts when full. @default "allkeys-lru" (a cache: the least recently used key goes) */
  readonly maxmemoryPolicy?: "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "volatile-lfu" | "noeviction";
  /** @default { uid: 10001, gid: 10001 } */
  readonly runAs?: RunAs;
  /** Adjust any child's args. @default {} */
  readonly transform?: StatefulTransforms & { readonly password?: Transform<random.RandomPasswordArgs> };
}

/**
 * Redis in the cluster: a hardened one-instance StatefulSet with append-only persistence, a
 * generated password (`requirepass`) and `REDIS_URL` in a Secret (`<name>-app`), a ClusterIP
 * Service, and NetworkPolicies admitting only pods carrying `clientLabels`.
 * `highAvailability` is not provided in-cluster (Redis Sentinel is not managed here): the component warns.
 */
export class Cache extends PolycloudComponent implements CacheOutputs {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: KubernetesSecretReference;
  /** Labels that grant a pod network access to the cache. */
  readonly clientLabels: Readonly<Record<string, string>>;
  /** Kubernetes name of the cache's objects (StatefulSet or Cluster, Service, Secret prefix). */
  readonly objectName: string;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    const objectName = args.name ?? "redis";
    PolycloudError.throwIfAny([...dnsLabelProblems("name", objectName), ...runAsProblems(args.runAs ?? {}, "runAs")]);
    super("kubernetes", "Cache", name, args, opts);
    this.objectName = objectName;
    const common = commonOf(this.defaults);
    const cache = args.cache;
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const labels = workloadLabels(common, objectName, "cache");
    const host = `${objectName}.${args.network.namespaceName}.svc.cluster.local`;
    const secretName = `${objectName}-app`;
    if (cache.highAvailability) {
      pulumi.log.warn("cache.highAvailability is true, but the in-cluster Redis runs one instance (no Sentinel); use a managed Redis for failover", this);
    }

    const password = generatePassword(this, `${name}-password`, 32, t.password);
    const credentials = createCredentials(
      this,
      name,
      { objectName: secretName, namespace, labels, data: { password, REDIS_URL: pulumi.interpolate`redis://:${password}@${host}:${PORT}/0` } },
      t.secret,
    );
    const size = STATEFUL_SIZES[cache.size];
    const { selector } = createStatefulWorkload(this, name, {
      objectName,
      component: "cache",
      namespace,
      common,
      image: args.image ?? `docker.io/library/redis:${cache.majorVersion}-alpine`,
      port: { name: "redis", port: PORT },
      command: ["redis-server"],
      args: [
        // Kubernetes expands $(REDIS_PASSWORD) from the env var, which comes from the Secret: the password is never in the spec.
        "--requirepass",
        "$(REDIS_PASSWORD)",
        "--appendonly",
        "yes",
        "--dir",
        "/data",
        // Leave a fifth of the container's memory for the copy-on-write fork of rewrites.
        "--maxmemory",
        `${Math.floor(size.memory * 0.8)}mb`,
        "--maxmemory-policy",
        args.maxmemoryPolicy ?? "allkeys-lru",
      ],
      env: [envFromSecret("REDIS_PASSWORD", credentials.metadata.name, "password"), envFromSecret("REDISCLI_AUTH", credentials.metadata.name, "password")],
      cpu: size.cpu,
      memory: size.memory,
      storageGb: cacheStorageGb(cache.size),
      ...(args.storageClassName === undefined ? {} : { storageClassName: args.storageClassName }),
      dataPath: "/data",
      // redis-cli reads the password from REDISCLI_AUTH, so it never appears in the process list.
      readinessProbe: { exec: { command: ["redis-cli", "ping"] }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { exec: { command: ["redis-cli", "ping"] }, initialDelaySeconds: 15, periodSeconds: 15, timeoutSeconds: 5 },
      runAs: args.runAs ?? {},
      transform: t,
    });
    this.clientLabels = createAccessPolicies(this, name, { store: objectName, namespace, labels, storeSelector: selector, ports: [PORT] }, t.networkPolicy);
    this.endpoint = pulumi.output(host);
    this.port = pulumi.output(PORT);
    this.connectionSecret = secretReference("REDIS_URL", secretName, "REDIS_URL");
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }
}
