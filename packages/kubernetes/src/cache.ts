import type { core } from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { PolycloudError, type CacheArgs as CoreCacheArgs, type CacheOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, workloadLabels } from "./labels";
import type { NamespaceRef } from "./network";
import { secretReference, type KubernetesSecretReference } from "./refs";
import { runAsProblems, type RunAs } from "./security";
import { redisImage } from "./images";
import { cacheStorageGb, STATEFUL_SIZES } from "./sizing";
import { createAccessPolicies, createCredentials, createStatefulWorkload, envFromSecret, generatePassword, type StatefulTransforms } from "./stateful";

const PORT = 6379;

/**
 * redis-cli exits 0 whenever the server answers, errors included (`NOAUTH`, `LOADING`, `MASTERDOWN`),
 * and 1 only when it cannot connect. Readiness wants the reply `PONG`: the server is loaded and the
 * password (REDISCLI_AUTH, read by redis-cli so it never shows in the process list) is right. Liveness
 * only wants an answer, so a long AOF load (`LOADING`) is waited for, not killed, and lets several
 * checks fail before a restart.
 */
export const REDIS_PROBES: { readonly readinessProbe: core.v1.Probe; readonly livenessProbe: core.v1.Probe } = {
  readinessProbe: { exec: { command: ["sh", "-c", '[ "$(redis-cli ping)" = "PONG" ]'] }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
  livenessProbe: { exec: { command: ["redis-cli", "ping"] }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 10, successThreshold: 1, failureThreshold: 6 },
};

export interface CacheArgs extends CoreCacheArgs<NamespaceRef> {
  /** Kubernetes name of the cache's objects. @default "redis" */
  readonly name?: string;
  /** StorageClass of the append-only-file volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Redis image, pulled `IfNotPresent`: pin a release.
   * @default - the official image's newest release of the spec's version, e.g. "docker.io/library/redis:7.4.11-alpine" (see `REDIS_RELEASES`)
   */
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
    const pinned = redisImage(cache.version);
    if (args.image === undefined && !pinned.pinned) {
      pulumi.log.warn(`Redis ${cache.version} has no pinned release here: ${pinned.image} floats; set image to an exact release`, this);
    }
    const { selector } = createStatefulWorkload(this, name, {
      objectName,
      component: "cache",
      namespace,
      common,
      image: args.image ?? pinned.image,
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
      ...REDIS_PROBES,
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
