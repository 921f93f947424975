import { runProgram } from "@polycloud/testing";
import { RG, WORKSPACE } from "./__tests__/fixtures";
import { BackupVault, type BackupVaultArgs } from "./backup-vault";

const T = { vault: "azure-native:dataprotection:BackupVault", policy: "azure-native:dataprotection:BackupPolicy", instance: "azure-native:dataprotection:BackupInstance", role: "azure-native:authorization:RoleAssignment" };
const SERVER = `/subscriptions/s/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg`;
const ACCOUNT = `/subscriptions/s/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/media`;
const targets: BackupVaultArgs["targets"] = [
  { kind: "database", name: "database", serverId: SERVER },
  { kind: "bucket", name: "media", accountId: ACCOUNT, containerName: "data" },
];
const run = (backup: BackupVaultArgs["backup"], extra: Partial<BackupVaultArgs> = {}) =>
  runProgram(() => {
    new BackupVault("shop-backup", { app: "shop", resourceGroupName: RG, location: "westeurope", workspaceId: WORKSPACE, backup, targets, ...extra });
  }, { provider: "azure" });

describe("BackupVault", () => {
  it("defaults to a locally redundant vault with soft delete and a system identity", async () => {
    const plan = await run({ schedule: "daily", retentionDays: 14, crossRegion: false });
    expect(plan.find(T.vault).inputs).toMatchObject({ identity: { type: "SystemAssigned" }, properties: { storageSettings: [{ datastoreType: "VaultStore", type: "LocallyRedundant" }], securitySettings: { softDeleteSettings: { state: "On" } } } });
    expect((plan.find(T.vault).inputs["properties"] as Record<string, unknown>)["featureSettings"]).toBeUndefined();
  });

  it("stores geo-redundantly with cross-region restore when crossRegion is set, and protects the vault in production", async () => {
    const plan = await run({ schedule: "daily", retentionDays: 30, crossRegion: true }, { environment: "production" });
    expect(plan.find(T.vault).inputs).toMatchObject({ properties: { storageSettings: [{ type: "GeoRedundant" }], featureSettings: { crossRegionRestoreSettings: { state: "Enabled" } } } });
    expect(plan.find(T.vault).options.protect).toBe(true);
  });

  it("backs up the database and the bucket daily, kept for the retention, with one policy per kind", async () => {
    const plan = await run({ schedule: "hourly", retentionDays: 21, crossRegion: false }, { hourUtc: 4 });
    const policies = plan.resources(T.policy);
    expect(policies.map((p) => (p.inputs["properties"] as { datasourceTypes: string[] }).datasourceTypes)).toEqual([["Microsoft.DBforPostgreSQL/flexibleServers"], ["Microsoft.Storage/storageAccounts/blobServices"]]);
    for (const policy of policies) {
      expect(policy.inputs["properties"]).toMatchObject({
        policyRules: [
          { objectType: "AzureBackupRule", trigger: { schedule: { repeatingTimeIntervals: ["R/2024-01-01T04:00:00+00:00/P1D"] } } },
          { objectType: "AzureRetentionRule", isDefault: true, lifecycles: [{ deleteAfter: { duration: "P21D" } }] },
        ],
      });
    }
    const [database, bucket] = plan.resources(T.instance);
    expect(database!.inputs["properties"]).toMatchObject({ dataSourceInfo: { resourceID: SERVER, datasourceType: "Microsoft.DBforPostgreSQL/flexibleServers" }, policyInfo: { policyId: policies[0]!.id } });
    expect(bucket!.inputs["properties"]).toMatchObject({ dataSourceInfo: { resourceID: ACCOUNT }, policyInfo: { policyId: policies[1]!.id, policyParameters: { backupDatasourceParametersList: [{ containersList: ["data"] }] } } });
  });

  it("allows the vault's identity exactly what each backup needs, before the backup is configured", async () => {
    const plan = await run({ schedule: "daily", retentionDays: 7, crossRegion: false });
    const principal = (plan.find(T.vault).outputs["identity"] as { principalId: string }).principalId;
    const roles = plan.resources(T.role);
    expect(roles.map((r) => [r.inputs["scope"], String(r.inputs["roleDefinitionId"]).split("/").pop(), r.inputs["principalId"]])).toEqual([
      [SERVER, "c088a766-074b-43ba-90d4-1fb21feae531", principal],
      [`/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/${RG}`, "acdd72a7-3385-48ef-bd42-f606fba81ae7", principal],
      [ACCOUNT, "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1", principal],
    ]);
    const [database, bucket] = plan.resources(T.instance);
    expect(database!.dependencies).toEqual(expect.arrayContaining([roles[0]!.urn, roles[1]!.urn]));
    expect(bucket!.dependencies).toContain(roles[2]!.urn);
  });
});
