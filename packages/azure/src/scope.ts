/**
 * What every child of an Azure component shares: its parent, resource group, location, tags,
 * protection and names. The common args are resolved once, by core's `componentDefaults` through the
 * component's base class, never from the preset table here.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { normalizeTags, physicalName, PolycloudError, tagProblems, TAG_RULES, type Environment, type NameKind } from "@polycloud/core";
import { childOptionsOf, type ChildOptions, type PolycloudComponent } from "@polycloud/core/component";

/** Where a component's resources live: a resource group and its location. */
export interface Placement {
  /** Name of the resource group every child is created in. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure location of every child, e.g. `westeurope`. @default - the resource group's */
  readonly location?: pulumi.Input<string>;
}

/** What every child of a component shares. */
export interface Scope extends Placement {
  readonly parent: PolycloudComponent;
  /** The component's logical name; children's logical names start with it. */
  readonly name: string;
  /** The component's name inside physical names: its logical name without a leading `<app>-`. */
  readonly label: string;
  readonly app: string;
  readonly environment: Environment;
  readonly tags: Record<string, string>;
  readonly protect: boolean;
  readonly logRetentionDays: number;
  /** Mixed into globally unique physical names, so two stacks of one app get different names. */
  readonly uniqueSeed: string;
}

/** The scope a component's children share, from the component's resolved defaults. */
export function scopeOf(component: PolycloudComponent, name: string, placement: Placement): Scope {
  const { app, environment, tags, protect, logRetentionDays } = component.defaults;
  // Before any child exists: tags Azure would refuse are bad input, said as core says it.
  PolycloudError.throwIfAny(
    tagProblems("azure", { ...tags }, { app, environment }).map((message) => ({ path: "tags", message, fix: `follow Azure's tag rules: ${TAG_RULES.azure.description}` })),
    `${name} cannot be tagged on Azure`,
  );
  return {
    parent: component,
    name,
    label: name.startsWith(`${app}-`) ? name.slice(app.length + 1) : name,
    app,
    environment,
    tags: normalizeTags("azure", tags, { app, environment }),
    protect,
    logRetentionDays,
    uniqueSeed: `${pulumi.getProject()}/${pulumi.getStack()}`,
    resourceGroupName: placement.resourceGroupName,
    ...(placement.location === undefined ? {} : { location: placement.location }),
  };
}

/** Child resource options: parented to the component, protected when stateful, aliased to previous names. */
export function childOptions(scope: Scope, options: ChildOptions = {}): pulumi.CustomResourceOptions {
  return childOptionsOf(scope.parent, scope.protect, options);
}

/** Resource group, location and tags: the args every regional, taggable child starts from. */
export function placed(scope: Scope): { resourceGroupName: pulumi.Input<string>; location?: pulumi.Input<string>; tags: Record<string, string> } {
  return { resourceGroupName: scope.resourceGroupName, ...(scope.location === undefined ? {} : { location: scope.location }), tags: scope.tags };
}

/** A physical name by the kind's naming rule: `<app>-<env>-<label>[-<suffix>]`; globally unique kinds get a hash of the stack. */
export function physicalNameOf(scope: Scope, kind: NameKind<"azure">, suffix?: string): string {
  const name = suffix === undefined ? scope.label : `${scope.label}-${suffix}`;
  return physicalName("azure", kind, { app: scope.app, environment: scope.environment, name }, { uniqueSeed: scope.uniqueSeed });
}

/** The subscription and tenant the stack deploys to, looked up once per component. */
export interface ClientContext {
  readonly subscriptionId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
}

export function clientContext(parent: pulumi.Resource): ClientContext {
  const client = authorization.getClientConfigOutput({ parent });
  return { subscriptionId: client.subscriptionId, tenantId: client.tenantId };
}

/** Built-in role definitions by name, with their fixed GUIDs (Azure built-in roles reference). */
export const BUILT_IN_ROLES = {
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultCryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  storageAccountBackupContributor: "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  containerAppsContributor: "358470bc-b998-42bd-ab17-a7e34c199c0f",
  postgresLongTermRetentionBackup: "c088a766-074b-43ba-90d4-1fb21feae531",
} as const;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** The subscription-scoped id of a built-in role. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: BuiltInRole): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}
