import * as storage from "@pulumi/azure-native/storage";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type BucketArgs as CoreBucketArgs, type BucketOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { createEncryptionKey, type EncryptionKeyTransforms, type VaultRef } from "./encryption-key";
import { createPrivateEndpoint, type PrivateEndpointPlacement, type PrivateEndpointTransforms } from "./private-endpoint";
import { childOptions, clientContext, scopeOf, type Placement } from "./scope";
import { hardenedAccountArgs, replicationFor } from "./storage-account";

export interface BucketArgs extends CoreBucketArgs, Placement {
  /** The vault the customer-managed key is created in (purge protection on). */
  readonly vault: VaultRef;
  /** Private endpoint subnet and the `privatelink.blob.core.windows.net` zone. */
  readonly privateEndpoint: PrivateEndpointPlacement;
  /** Log Analytics workspace of the blob service's logs and metrics. */
  readonly workspaceId: pulumi.Input<string>;
  /** Redundancy. @default "Standard_GZRS" in production, "Standard_ZRS" in staging, "Standard_LRS" in development */
  readonly sku?: "Standard_LRS" | "Standard_ZRS" | "Standard_GRS" | "Standard_GZRS" | "Standard_RAGRS" | "Standard_RAGZRS";
  /** Days deleted blobs and containers can be restored. @default 30 in production, 7 elsewhere */
  readonly softDeleteDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: EncryptionKeyTransforms &
    PrivateEndpointTransforms &
    DiagnosticsTransforms & {
      account?: Transform<storage.StorageAccountArgs>;
      blobService?: Transform<storage.BlobServicePropertiesArgs>;
      container?: Transform<storage.BlobContainerArgs>;
      lifecycle?: Transform<storage.ManagementPolicyArgs>;
    };
}

/**
 * A bucket on Azure: a StorageV2 account holding one private container `data`. HTTPS only, TLS 1.2,
 * no anonymous access, shared keys off (Entra ID roles only), public network access disabled with a
 * private blob endpoint, infrastructure encryption plus a customer-managed key (its own Key Vault key and
 * identity), geo-zone-redundant in production; blob and container soft delete, versioning and change
 * feed as the spec says, lifecycle rules, and blob logs and metrics to Log Analytics. Protected in
 * production.
 *
 * `publicRead: true` is the one audited opt-out: anonymous reads of blobs (never listing), so the account
 * then accepts public network traffic.
 */
export class Bucket extends PolycloudComponent implements BucketOutputs {
  readonly account: storage.StorageAccount;
  readonly container: storage.BlobContainer;
  /** The container's name. */
  readonly bucketName: pulumi.Output<string>;
  /** The container's resource id: the scope of a service's data role. */
  readonly containerId: pulumi.Output<string>;
  readonly blobEndpoint: pulumi.Output<string>;

  constructor(name: string, args: BucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "Bucket", name, args, opts);
    const scope = scopeOf(this, name, args);
    const t = args.transform ?? {};
    const spec = args.bucket;
    const client = clientContext(this);
    const encryption = createEncryptionKey(scope, name, args.vault, client, t);
    const hardened = hardenedAccountArgs(scope, undefined, args.sku ?? replicationFor(scope.environment));
    this.account = new storage.StorageAccount(
      ...transformed(
        name,
        {
          ...hardened,
          ...(spec.publicRead ? { allowBlobPublicAccess: true, publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Allow" } } : {}),
          identity: { type: "UserAssigned", userAssignedIdentities: [encryption.identity.id] },
          encryption: {
            keySource: "Microsoft.Keyvault",
            requireInfrastructureEncryption: true,
            keyVaultProperties: { keyName: encryption.key.name, keyVaultUri: args.vault.uri },
            encryptionIdentity: { encryptionUserAssignedIdentity: encryption.identity.id },
            services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
          },
        },
        childOptions(scope, { stateful: true, dependsOn: [encryption.access] }),
        t.account,
      ),
    );
    const softDeleteDays = args.softDeleteDays ?? (scope.environment === "production" ? 30 : 7);
    const blobService = new storage.BlobServiceProperties(
      ...transformed(
        `${name}-blob`,
        {
          resourceGroupName: scope.resourceGroupName,
          accountName: this.account.name,
          blobServicesName: "default",
          isVersioningEnabled: spec.versioning,
          // Change feed with versioning is what point-in-time restore and vaulted backups need.
          changeFeed: { enabled: spec.versioning },
          deleteRetentionPolicy: { enabled: true, days: softDeleteDays },
          containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays },
        },
        childOptions(scope),
        t.blobService,
      ),
    );
    this.container = new storage.BlobContainer(
      ...transformed(
        `${name}-data`,
        { resourceGroupName: scope.resourceGroupName, accountName: this.account.name, containerName: "data", publicAccess: spec.publicRead ? "Blob" : "None" },
        childOptions(scope, { stateful: true, dependsOn: [blobService] }),
        t.container,
      ),
    );
    const rules = lifecycleRules(spec.lifecycle);
    if (rules.length > 0) {
      new storage.ManagementPolicy(
        ...transformed(
          `${name}-lifecycle`,
          { resourceGroupName: scope.resourceGroupName, accountName: this.account.name, managementPolicyName: "default", policy: { rules } },
          childOptions(scope, { dependsOn: [blobService] }),
          t.lifecycle,
        ),
      );
    }
    createPrivateEndpoint(scope, name, this.account.id, "blob", args.privateEndpoint, t);
    sendDiagnostics(scope, name, this.account.id, args.workspaceId, { logs: false }, t.diagnostics);
    sendDiagnostics(scope, `${name}-blob`, pulumi.interpolate`${this.account.id}/blobServices/default`, args.workspaceId, {}, t.diagnostics);

    this.bucketName = this.container.name;
    this.containerId = this.container.id;
    this.blobEndpoint = this.account.primaryEndpoints.apply((e) => e.blob);
    this.registerOutputs({ bucketName: this.bucketName, containerId: this.containerId, blobEndpoint: this.blobEndpoint });
  }
}

/** Lifecycle rules from the spec: expire current and noncurrent versions, move to Cool. */
export function lifecycleRules(lifecycle: CoreBucketArgs["bucket"]["lifecycle"]): inputs.storage.ManagementPolicyRuleArgs[] {
  const rule = (ruleName: string, actions: inputs.storage.ManagementPolicyActionArgs): inputs.storage.ManagementPolicyRuleArgs => ({ name: ruleName, enabled: true, type: "Lifecycle", definition: { filters: { blobTypes: ["blockBlob"] }, actions } });
  return [
    ...(lifecycle.expireNoncurrentAfterDays === undefined ? [] : [rule("expire-noncurrent", { version: { delete: { daysAfterCreationGreaterThan: lifecycle.expireNoncurrentAfterDays } } })]),
    ...(lifecycle.expireAfterDays === undefined ? [] : [rule("expire", { baseBlob: { delete: { daysAfterModificationGreaterThan: lifecycle.expireAfterDays } } })]),
    ...(lifecycle.transitionToInfrequentAccessAfterDays === undefined ? [] : [rule("cool", { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: lifecycle.transitionToInfrequentAccessAfterDays } } })]),
  ];
}
