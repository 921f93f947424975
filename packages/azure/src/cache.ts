import * as keyvault from "@pulumi/azure-native/keyvault";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import * as pulumi from "@pulumi/pulumi";
import { azureRedisProblems, PolycloudError, transformed, type CacheArgs as CoreCacheArgs, type CacheOutputs, type Size, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { createEncryptionKey, type EncryptionKeyTransforms, type VaultRef } from "./encryption-key";
import type { Network } from "./network";
import { createPrivateEndpoint, type PrivateEndpointTransforms } from "./private-endpoint";
import { referenceOf, type AzureSecretReference } from "./secret-store";
import { childOptions, clientContext, physicalNameOf, placed, scopeOf, type Scope } from "./scope";

/** The TLS port of an Azure Managed Redis database. */
export const REDIS_PORT = 10000;

/** Azure Managed Redis SKU per size (Balanced: 1:4 vCPU to memory). */
const SKUS: Readonly<Record<Size, string>> = { small: "Balanced_B1", medium: "Balanced_B5", large: "Balanced_B20" };

export interface CacheArgs extends CoreCacheArgs<Network> {
  /** The vault of the customer-managed key and the `REDIS_URL` secret. */
  readonly vault: VaultRef;
  /** Log Analytics workspace of the cache's logs and metrics. @default - the network's */
  readonly workspaceId?: pulumi.Input<string>;
  /** Azure Managed Redis SKU. @default - by size: Balanced_B1, Balanced_B5, Balanced_B20 */
  readonly sku?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: EncryptionKeyTransforms &
    PrivateEndpointTransforms &
    DiagnosticsTransforms & {
      cluster?: Transform<redisenterprise.RedisEnterpriseArgs>;
      database?: Transform<redisenterprise.DatabaseArgs>;
      accessPolicyAssignment?: Transform<redisenterprise.AccessPolicyAssignmentArgs>;
      connectionSecret?: Transform<keyvault.SecretArgs>;
    };
}

/**
 * Redis on Azure Managed Redis: TLS 1.2 only (the database speaks only the encrypted protocol, on
 * port 10000), public network access disabled with a private endpoint, a customer-managed key,
 * high availability (a replica in another zone) when the spec asks, and no access keys at all:
 * clients authenticate with their managed identity, granted one by one ({@link Cache.allowFrom}).
 * `REDIS_URL` (`rediss://<host>:10000`, no credential in it) is a Key Vault secret.
 */
export class Cache extends PolycloudComponent implements CacheOutputs {
  readonly cluster: redisenterprise.RedisEnterprise;
  /** The cluster's name (what its metrics are recorded under). */
  readonly clusterName: string;
  readonly database: redisenterprise.Database;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: AzureSecretReference;
  private readonly scope: Scope;
  private readonly t: NonNullable<CacheArgs["transform"]>;

  constructor(name: string, args: CacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "Cache", name, args, opts);
    PolycloudError.throwIfAny(azureRedisProblems(args.cache), `Cache ${name} cannot be built on Azure`);
    const net = args.network;
    const scope = scopeOf(this, name, { resourceGroupName: net.resourceGroupName, location: net.location });
    this.scope = scope;
    const t = (this.t = args.transform ?? {});
    const client = clientContext(this);
    this.clusterName = physicalNameOf(scope, "redisCache");
    const encryption = createEncryptionKey(scope, name, args.vault, client, t);
    this.cluster = new redisenterprise.RedisEnterprise(
      ...transformed(
        name,
        {
          ...placed(scope),
          clusterName: this.clusterName,
          sku: { name: args.sku ?? SKUS[args.cache.size] },
          highAvailability: args.cache.highAvailability ? "Enabled" : "Disabled",
          minimumTlsVersion: "1.2",
          publicNetworkAccess: "Disabled",
          identity: { type: "UserAssigned", userAssignedIdentities: [encryption.identity.id] },
          encryption: {
            customerManagedKeyEncryption: {
              keyEncryptionKeyUrl: encryption.key.keyUriWithVersion,
              keyEncryptionKeyIdentity: { identityType: "userAssignedIdentity", userAssignedIdentityResourceId: encryption.identity.id },
            },
          },
        },
        childOptions(scope, { stateful: true, dependsOn: [encryption.access] }),
        t.cluster,
      ),
    );
    this.database = new redisenterprise.Database(
      ...transformed(
        `${name}-db`,
        {
          resourceGroupName: scope.resourceGroupName,
          clusterName: this.cluster.name,
          // Azure Managed Redis has exactly one database, named default.
          databaseName: "default",
          clientProtocol: "Encrypted",
          port: REDIS_PORT,
          clusteringPolicy: "EnterpriseCluster",
          evictionPolicy: "VolatileLRU",
          accessKeysAuthentication: "Disabled",
        },
        childOptions(scope),
        t.database,
      ),
    );
    createPrivateEndpoint(scope, name, this.cluster.id, "redisEnterprise", { subnetId: net.subnetId({ kind: "privateEndpoints" }), privateDnsZoneId: net.privateZoneIds.redis }, t);
    sendDiagnostics(scope, name, this.database.id, args.workspaceId ?? net.workspaceId, {}, t.diagnostics);

    this.endpoint = this.cluster.hostName;
    this.port = pulumi.output(REDIS_PORT);
    const secret = new keyvault.Secret(
      ...transformed(
        `${name}-url`,
        {
          resourceGroupName: scope.resourceGroupName,
          vaultName: args.vault.name,
          secretName: `${scope.label}-url`,
          properties: { value: pulumi.secret(pulumi.interpolate`rediss://${this.endpoint}:${REDIS_PORT}`), contentType: "text/uri-list" },
          tags: scope.tags,
        },
        childOptions(scope),
        t.connectionSecret,
      ),
    );
    this.connectionSecret = referenceOf("REDIS_URL", secret);
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }

  /** Lets a client's managed identity use the cache (the `default` access policy: all data commands). */
  allowFrom(client: string, principalId: pulumi.Input<string>): redisenterprise.AccessPolicyAssignment {
    return new redisenterprise.AccessPolicyAssignment(
      ...transformed(
        `${this.scope.name}-from-${client}`,
        { resourceGroupName: this.scope.resourceGroupName, clusterName: this.cluster.name, databaseName: this.database.name, accessPolicyName: "default", user: { objectId: principalId } },
        childOptions(this.scope),
        this.t.accessPolicyAssignment,
      ),
    );
  }
}
