/**
 * Customer-managed keys: a Key Vault key per data store, and the user-assigned identity the store
 * unwraps it with (allowed exactly that key, as Key Vault Crypto Service Encryption User).
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import type * as authorization from "@pulumi/azure-native/authorization";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { assignRole } from "./access";
import { childOptions, placed, type ClientContext, type Scope } from "./scope";

/** The Key Vault a component keeps its keys and connection secrets in. */
export interface VaultRef {
  /** The vault's name (in the component's resource group). */
  readonly name: pulumi.Input<string>;
  /** The vault's resource id, for role assignments. */
  readonly id: pulumi.Input<string>;
  /** The vault's URI, `https://<name>.vault.azure.net/`. */
  readonly uri: pulumi.Input<string>;
}

export interface EncryptionKeyTransforms {
  key?: Transform<keyvault.KeyArgs>;
  keyIdentity?: Transform<managedidentity.UserAssignedIdentityArgs>;
  keyRoleAssignment?: Transform<authorization.RoleAssignmentArgs>;
}

/** A store's key, the identity that uses it, and the role assignment between them. */
export interface EncryptionKey {
  readonly key: keyvault.Key;
  readonly identity: managedidentity.UserAssignedIdentity;
  /** Created before the store, which checks the key at creation. */
  readonly access: authorization.RoleAssignment;
}

/**
 * An RSA 3072 key `<name>-key`, rotated yearly (notified 30 days before expiry), and identity
 * `<name>-key-identity` allowed to wrap and unwrap with it.
 */
export function createEncryptionKey(scope: Scope, name: string, vault: VaultRef, client: ClientContext, transforms: EncryptionKeyTransforms = {}): EncryptionKey {
  const key = new keyvault.Key(
    ...transformed(
      `${name}-key`,
      {
        resourceGroupName: scope.resourceGroupName,
        vaultName: vault.name,
        properties: {
          kty: "RSA",
          keySize: 3072,
          keyOps: ["wrapKey", "unwrapKey"],
          rotationPolicy: {
            attributes: { expiryTime: "P2Y" },
            lifetimeActions: [
              { action: { type: "rotate" }, trigger: { timeAfterCreate: "P1Y" } },
              { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
            ],
          },
        },
        tags: scope.tags,
      },
      childOptions(scope, { stateful: true }),
      transforms.key,
    ),
  );
  const identity = new managedidentity.UserAssignedIdentity(
    ...transformed(`${name}-key-identity`, { ...placed(scope) }, childOptions(scope), transforms.keyIdentity),
  );
  const access = assignRole(
    scope,
    `${name}-key-access`,
    { principalId: identity.principalId, role: "keyVaultCryptoServiceEncryptionUser", scope: key.id, subscriptionId: client.subscriptionId },
    transforms.keyRoleAssignment,
  );
  return { key, identity, access };
}
