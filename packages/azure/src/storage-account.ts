/**
 * The hardening every storage account gets (data buckets and the flow-log account): StorageV2,
 * HTTPS only, TLS 1.2, no anonymous blob access, no shared keys (Entra ID only), network default
 * Deny with trusted Azure services let through, no cross-tenant replication.
 */
import type * as storage from "@pulumi/azure-native/storage";
import { physicalNameOf, placed, type Scope } from "./scope";

/** Replication of a storage account: geo-zone-redundant in production, locally redundant elsewhere. */
export function replicationFor(environment: Scope["environment"]): "Standard_GZRS" | "Standard_ZRS" | "Standard_LRS" {
  return environment === "production" ? "Standard_GZRS" : environment === "staging" ? "Standard_ZRS" : "Standard_LRS";
}

/** Hardened storage account args; the caller adds encryption and identity. */
export function hardenedAccountArgs(scope: Scope, suffix: string | undefined, sku: string): storage.StorageAccountArgs {
  return {
    ...placed(scope),
    accountName: physicalNameOf(scope, "storageAccount", suffix),
    kind: "StorageV2",
    sku: { name: sku },
    accessTier: "Hot",
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    allowCrossTenantReplication: false,
    publicNetworkAccess: "Disabled",
    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
  };
}
