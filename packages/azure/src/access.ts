/**
 * Role assignments: the one way an identity is allowed anything on Azure here (Key Vault in RBAC
 * mode, blob data roles, encryption keys). Each names exactly one principal, role and scope.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, roleDefinitionId, type BuiltInRole, type Scope } from "./scope";

/**
 * Assigns `role` on `scope` to a managed identity (`principalType: ServicePrincipal`, so Azure does
 * not look the principal up in Entra ID and a fresh identity is not refused while it replicates).
 */
export function assignRole(
  owner: Scope,
  name: string,
  grant: { readonly principalId: pulumi.Input<string>; readonly role: BuiltInRole; readonly scope: pulumi.Input<string>; readonly subscriptionId: pulumi.Input<string> },
  transform?: Transform<authorization.RoleAssignmentArgs>,
  options: pulumi.CustomResourceOptions = {},
): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    ...transformed(
      name,
      { principalId: grant.principalId, principalType: "ServicePrincipal", roleDefinitionId: roleDefinitionId(grant.subscriptionId, grant.role), scope: grant.scope },
      { ...childOptions(owner), ...options },
      transform,
    ),
  );
}
