import type * as authorization from "@pulumi/azure-native/authorization";
import * as dataprotection from "@pulumi/azure-native/dataprotection";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type BackupModel, type CommonArgs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { assignRole } from "./access";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { childOptions, clientContext, placed, scopeOf, type BuiltInRole, type Placement, type Scope } from "./scope";

/** What the vault backs up: a flexible server, or the blobs of a storage account. */
export type BackupTarget =
  | { readonly kind: "database"; readonly name: string; readonly serverId: pulumi.Input<string> }
  | { readonly kind: "bucket"; readonly name: string; readonly accountId: pulumi.Input<string>; readonly containerName: pulumi.Input<string> };

export interface BackupVaultArgs extends CommonArgs, Placement {
  readonly backup: Pick<BackupModel, "schedule" | "retentionDays" | "crossRegion">;
  readonly targets: readonly BackupTarget[];
  /** Log Analytics workspace of the vault's job and alert logs. */
  readonly workspaceId: pulumi.Input<string>;
  /** Hour (UTC) of the daily vault backup. @default 2 */
  readonly hourUtc?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: DiagnosticsTransforms & {
    vault?: Transform<dataprotection.BackupVaultArgs>;
    policy?: Transform<dataprotection.BackupPolicyArgs>;
    instance?: Transform<dataprotection.BackupInstanceArgs>;
    roleAssignment?: Transform<authorization.RoleAssignmentArgs>;
  };
}

const DATASOURCE = { database: "Microsoft.DBforPostgreSQL/flexibleServers", bucket: "Microsoft.Storage/storageAccounts/blobServices" } as const;

/**
 * Backups beyond the services' own, in an Azure Backup vault: geo-redundant storage with cross-region
 * restore when the spec asks for copies in another region (locally redundant otherwise), soft delete,
 * a vaulted daily backup of the database and of each versioned bucket kept `retentionDays`, and the
 * vault's identity allowed exactly what each backup needs. Hourly recovery points come from the
 * services' own continuous backups (PostgreSQL point-in-time restore, blob versioning and soft delete):
 * vaulted backups of these data sources run at most daily.
 */
export class BackupVault extends PolycloudComponent {
  readonly vault: dataprotection.BackupVault;
  readonly instances: readonly dataprotection.BackupInstance[];

  constructor(name: string, args: BackupVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "BackupVault", name, args, opts);
    const scope = scopeOf(this, name, args);
    const t = args.transform ?? {};
    const client = clientContext(this);
    this.vault = new dataprotection.BackupVault(
      ...transformed(
        name,
        {
          ...placed(scope),
          identity: { type: "SystemAssigned" },
          properties: {
            storageSettings: [{ datastoreType: "VaultStore", type: args.backup.crossRegion ? "GeoRedundant" : "LocallyRedundant" }],
            securitySettings: { softDeleteSettings: { state: "On", retentionDurationInDays: 14 } },
            ...(args.backup.crossRegion ? { featureSettings: { crossRegionRestoreSettings: { state: "Enabled" } } } : {}),
          },
        },
        childOptions(scope, { stateful: true }),
        t.vault,
      ),
    );
    sendDiagnostics(scope, name, this.vault.id, args.workspaceId, { metrics: false }, t.diagnostics);
    const principalId = this.vault.identity.apply((i) => i?.principalId ?? "");
    const kinds = [...new Set(args.targets.map((target) => target.kind))];
    const policies = Object.fromEntries(kinds.map((kind) => [kind, this.policy(scope, kind, args, t.policy)])) as Record<BackupTarget["kind"], dataprotection.BackupPolicy>;
    this.instances = args.targets.map((target) => {
      const grant = (label: string, role: BuiltInRole, on: pulumi.Input<string>) =>
        assignRole(scope, `${name}-${target.kind}-${target.name}-${label}`, { principalId, role, scope: on, subscriptionId: client.subscriptionId }, t.roleAssignment);
      const resourceId = target.kind === "database" ? target.serverId : target.accountId;
      const grants =
        target.kind === "database"
          ? [grant("ltr", "postgresLongTermRetentionBackup", resourceId), grant("reader", "reader", pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${scope.resourceGroupName}`)]
          : [grant("backup-contributor", "storageAccountBackupContributor", resourceId)];
      return new dataprotection.BackupInstance(
        ...transformed(
          `${name}-${target.kind}-${target.name}`,
          {
            resourceGroupName: scope.resourceGroupName,
            vaultName: this.vault.name,
            properties: {
              objectType: "BackupInstance",
              friendlyName: `${target.kind}-${target.name}`,
              dataSourceInfo: { objectType: "Datasource", datasourceType: DATASOURCE[target.kind], resourceID: resourceId, resourceUri: resourceId, resourceName: target.name, ...(scope.location === undefined ? {} : { resourceLocation: scope.location }) },
              policyInfo: {
                policyId: policies[target.kind].id,
                ...(target.kind === "bucket"
                  ? { policyParameters: { backupDatasourceParametersList: [{ objectType: "BlobBackupDatasourceParameters", containersList: [target.containerName] }] } }
                  : {}),
              },
            },
            tags: scope.tags,
          },
          childOptions(scope, { dependsOn: grants }),
          t.instance,
        ),
      );
    });
    this.registerOutputs({ vaultId: this.vault.id });
  }

  private policy(scope: Scope, kind: BackupTarget["kind"], args: BackupVaultArgs, t: Transform<dataprotection.BackupPolicyArgs> | undefined): dataprotection.BackupPolicy {
    const vaultStore = { dataStoreType: "VaultStore", objectType: "DataStoreInfoBase" };
    const hour = String(args.hourUtc ?? 2).padStart(2, "0");
    return new dataprotection.BackupPolicy(
      ...transformed(
        `${scope.name}-${kind}-policy`,
        {
          resourceGroupName: scope.resourceGroupName,
          vaultName: this.vault.name,
          properties: {
            objectType: "BackupPolicy",
            datasourceTypes: [DATASOURCE[kind]],
            policyRules: [
              {
                objectType: "AzureBackupRule",
                name: "daily",
                dataStore: vaultStore,
                backupParameters: { objectType: "AzureBackupParams", backupType: kind === "database" ? "Full" : "Discrete" },
                trigger: {
                  objectType: "ScheduleBasedTriggerContext",
                  schedule: { repeatingTimeIntervals: [`R/2024-01-01T${hour}:00:00+00:00/P1D`], timeZone: "UTC" },
                  taggingCriteria: [{ isDefault: true, taggingPriority: 99, tagInfo: { tagName: "Default" } }],
                },
              },
              {
                objectType: "AzureRetentionRule",
                name: "Default",
                isDefault: true,
                lifecycles: [{ sourceDataStore: vaultStore, deleteAfter: { objectType: "AbsoluteDeleteOption", duration: `P${args.backup.retentionDays}D` } }],
              },
            ],
          },
        },
        childOptions(scope),
        t,
      ),
    );
  }
}
