/**
 * Cache: Memorystore for Redis on private service access (a private address in the store's own range),
 * AUTH on, transit encryption (TLS with server authentication), a customer-managed key, RDB snapshots,
 * STANDARD_HA (a replica in another zone with automatic failover) when highly available, and REDIS_URL
 * (with the AUTH string) as a Secret Manager secret.
 */
import type * as kms from "@pulumi/gcp/kms";
import * as redis from "@pulumi/gcp/redis";
import type * as secretmanager from "@pulumi/gcp/secretmanager";
import * as pulumi from "@pulumi/pulumi";
import { MEMORYSTORE_REDIS_VERSIONS, PolycloudError, secretEnvName, transformed, type CacheArgs as CoreCacheArgs, type CacheOutputs, type Size, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf } from "./common";
import { createKey } from "./keys";
import type { Network } from "./network";
import { createSecret, type GcpSecretReference } from "./secrets";
import { StoreFirewall } from "./store-access";

/** Memory in GB per spec size. */
export const CACHE_MEMORY_GB: Readonly<Record<Size, number>> = { small: 1, medium: 4, large: 16 };

/** The port of a Memorystore instance with transit encryption. */
export const REDIS_TLS_PORT = 6378;

export interface CacheArgs extends CoreCacheArgs<Network> {
  /** Key ring of the cache's key. */
  readonly keyRing: pulumi.Input<string>;
  /** Region of the instance. @default the network's region */
  readonly region?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly instance?: Transform<redis.InstanceArgs>;
    readonly key?: Transform<kms.CryptoKeyArgs>;
    readonly secret?: Transform<secretmanager.SecretArgs>;
  };
}

export class Cache extends PolycloudComponent implements CacheOutputs {
  readonly instance: redis.Instance;
  readonly key: kms.CryptoKey;
  /** The instance's name, known at plan time (monitoring filters name it). */
  readonly instanceName: string;
  /** The secret holding REDIS_URL. */
  readonly urlSecret: secretmanager.Secret;
  readonly firewall: StoreFirewall;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: GcpSecretReference;
  /** The CA certificates clients verify the server with (transit encryption). */
  readonly serverCaCerts: pulumi.Output<string[]>;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "Cache", name, args, opts);
    const spec = args.cache;
    const version = MEMORYSTORE_REDIS_VERSIONS[spec.majorVersion];
    if (version === undefined) {
      throw new PolycloudError([{ path: "cache.version", message: `"${spec.version}" has no Memorystore for Redis release; allowed: ${Object.keys(MEMORYSTORE_REDIS_VERSIONS).join(", ")}`, fix: 'set version to "7"' }], `Invalid cache ${name}`);
    }
    const region = regionOf(args.region ?? args.network.region, `Cache ${name}`);
    const range = args.network.rangeOf("cache");
    const t = args.transform ?? {};
    const labels = labelsOf(this.defaults);
    const stateful = this.childOptions({ stateful: true });
    const { key, grants } = createKey(name, { keyRing: args.keyRing, labels, agents: ["redis", "secretManager"], ...(t.key === undefined ? {} : { transform: { key: t.key } }) }, stateful);
    this.key = key;
    this.instanceName = nameOf(this.defaults, "redisInstance");

    this.instance = new redis.Instance(
      ...transformed(
        `${name}-instance`,
        {
          name: this.instanceName,
          region,
          tier: spec.highAvailability ? "STANDARD_HA" : "BASIC",
          memorySizeGb: CACHE_MEMORY_GB[spec.size],
          redisVersion: version,
          authorizedNetwork: args.network.networkId,
          connectMode: "PRIVATE_SERVICE_ACCESS",
          reservedIpRange: range.address.name,
          authEnabled: true,
          transitEncryptionMode: "SERVER_AUTHENTICATION",
          customerManagedKey: key.id,
          persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWELVE_HOURS" },
          maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "SUNDAY", startTime: { hours: 4, minutes: 0 } }] },
          deletionProtection: this.defaults.preset.deletionProtection,
          labels,
        },
        { ...stateful, dependsOn: [...grants, ...(args.network.privateServiceConnection === undefined ? [] : [args.network.privateServiceConnection])] },
        t.instance,
      ),
    );
    this.endpoint = this.instance.host;
    this.port = this.instance.port;
    this.serverCaCerts = this.instance.serverCaCerts.apply((certs) => (certs ?? []).map((c) => c.cert ?? ""));
    const url = pulumi.secret(pulumi.interpolate`rediss://:${this.instance.authString}@${this.endpoint}:${this.port}/0`);
    const secret = createSecret(
      `${name}-url`,
      { secretId: nameOf(this.defaults, "secretId", "redis-url"), region, kmsKeyName: key.id, labels, value: url, dependsOn: [...grants], ...(t.secret === undefined ? {} : { transform: { secret: t.secret } }) },
      stateful,
    );
    this.urlSecret = secret.secret;
    this.connectionSecret = { envName: secretEnvName("REDIS_URL"), location: secret.location };
    this.firewall = new StoreFirewall(name, { networkId: args.network.networkId, range, port: REDIS_TLS_PORT, ruleName: nameOf(this.defaults, "resource", "cache") }, this);
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }

  /** Lets a client service (its network tag) connect through the firewall; its access to REDIS_URL comes with its secret reference. */
  allowFrom(client: string, tag: pulumi.Input<string>): void {
    this.firewall.allowFrom(client, tag);
  }

}
