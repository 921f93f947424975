import { PolycloudError, type BucketSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { ENDPOINTS, RG, VAULT, WORKSPACE } from "./__tests__/fixtures";
import { Bucket, type BucketArgs } from "./bucket";

const T = {
  account: "azure-native:storage:StorageAccount",
  blob: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  lifecycle: "azure-native:storage:ManagementPolicy",
  key: "azure-native:keyvault:Key",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  endpoint: "azure-native:network:PrivateEndpoint",
  diagnostics: "azure-native:monitor:DiagnosticSetting",
};

const spec = (overrides: Partial<BucketSpec> = {}): BucketSpec => ({ name: "assets", versioning: true, publicRead: false, lifecycle: {}, ...overrides });
const run = (bucket: BucketSpec, extra: Partial<BucketArgs> = {}) =>
  runProgram(() => {
    new Bucket("shop-bucket-assets", { app: "shop", bucket, resourceGroupName: RG, vault: VAULT, privateEndpoint: ENDPOINTS, workspaceId: WORKSPACE, ...extra });
  }, { provider: "azure" });

describe("Bucket", () => {
  // The defaults, planned once for every test of them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run(spec());
  }, 60_000);

  it("defaults to a hardened StorageV2 account: HTTPS only, TLS 1.2, no anonymous access, no shared keys, no public network", () => {
    const plan = defaults;
    const account = plan.find(T.account);
    // Storage account names are 3-24 lowercase letters and digits: the app part is shortened first.
    expect(account.inputs["accountName"]).toMatch(/^shodevbucketassets[0-9a-f]{6}$/);
    expect(account.inputs).toMatchObject({
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
      publicNetworkAccess: "Disabled",
      networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
    });
  });

  it("defaults to infrastructure encryption with a customer-managed key the account's identity may use", () => {
    const plan = defaults;
    const account = plan.find(T.account);
    const key = plan.find(T.key);
    const identity = plan.find(T.identity);
    expect(key.inputs).toMatchObject({ vaultName: VAULT.name, properties: { kty: "RSA", keySize: 3072, rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P1Y" } }, { action: { type: "notify" } }] } } });
    expect(account.inputs).toMatchObject({
      identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
      encryption: { keySource: "Microsoft.Keyvault", requireInfrastructureEncryption: true, keyVaultProperties: { keyName: key.outputs["name"], keyVaultUri: VAULT.uri }, encryptionIdentity: { encryptionUserAssignedIdentity: identity.id } },
    });
    const access = plan.find(T.role);
    expect(access.inputs).toMatchObject({ principalId: identity.outputs["principalId"], principalType: "ServicePrincipal", scope: key.id, roleDefinitionId: expect.stringMatching(/\/roleDefinitions\/e147488a-f6f5-4113-8e2d-b22465e65bf6$/) });
    // The account checks the key at creation: the identity must be allowed first.
    expect(account.dependencies).toContain(access.urn);
  });

  it("defaults to a private container, soft delete, versioning with change feed, a private endpoint and blob logs", () => {
    const plan = defaults;
    const account = plan.find(T.account);
    expect(plan.find(T.container).inputs).toMatchObject({ containerName: "data", publicAccess: "None" });
    expect(plan.find(T.blob).inputs).toMatchObject({ isVersioningEnabled: true, changeFeed: { enabled: true }, deleteRetentionPolicy: { enabled: true, days: 7 }, containerDeleteRetentionPolicy: { enabled: true, days: 7 } });
    expect(plan.find(T.endpoint).inputs).toMatchObject({ privateLinkServiceConnections: [{ privateLinkServiceId: account.id, groupIds: ["blob"] }] });
    expect(plan.resources(T.diagnostics).map((d) => d.inputs["resourceUri"])).toEqual([account.id, `${account.id}/blobServices/default`]);
    expect(plan.resources(T.lifecycle)).toHaveLength(0);
  });

  it("is geo-zone-redundant, keeps deletes 30 days and is protected in production", async () => {
    const plan = await run(spec(), { environment: "production" });
    expect(plan.find(T.account).inputs["sku"]).toEqual({ name: "Standard_GZRS" });
    expect((plan.find(T.blob).inputs["deleteRetentionPolicy"] as { days: number }).days).toBe(30);
    for (const type of [T.account, T.container, T.key]) expect(plan.find(type).options.protect).toBe(true);
  });

  it("turns versioning and change feed off when versioning is off", async () => {
    const plan = await run(spec({ versioning: false }));
    expect(plan.find(T.blob).inputs).toMatchObject({ isVersioningEnabled: false, changeFeed: { enabled: false } });
  });

  it("adds expiration and Cool tiering rules when lifecycle days are set", async () => {
    const plan = await run(spec({ lifecycle: { expireNoncurrentAfterDays: 30, expireAfterDays: 365, transitionToInfrequentAccessAfterDays: 60 } }));
    expect(plan.find(T.lifecycle).inputs["policy"]).toEqual({
      rules: [
        { name: "expire-noncurrent", enabled: true, type: "Lifecycle", definition: { filters: { blobTypes: ["blockBlob"] }, actions: { version: { delete: { daysAfterCreationGreaterThan: 30 } } } } },
        { name: "expire", enabled: true, type: "Lifecycle", definition: { filters: { blobTypes: ["blockBlob"] }, actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 365 } } } } },
        { name: "cool", enabled: true, type: "Lifecycle", definition: { filters: { blobTypes: ["blockBlob"] }, actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 60 } } } } },
      ],
    });
  });

  it("allows anonymous blob reads, and public network access, only when publicRead is set", async () => {
    const plan = await run(spec({ publicRead: true }));
    expect(plan.find(T.account).inputs).toMatchObject({ allowBlobPublicAccess: true, publicNetworkAccess: "Enabled", allowSharedKeyAccess: false });
    expect(plan.find(T.container).inputs["publicAccess"]).toBe("Blob");
  });

  it("uses the given redundancy and soft-delete days when sku and softDeleteDays are set", async () => {
    const plan = await run(spec(), { sku: "Standard_RAGZRS", softDeleteDays: 14 });
    expect(plan.find(T.account).inputs["sku"]).toEqual({ name: "Standard_RAGZRS" });
    expect((plan.find(T.blob).inputs["deleteRetentionPolicy"] as { days: number }).days).toBe(14);
  });

  it("applies a transform to its diagnostic settings", async () => {
    const plan = await run(spec(), { transform: { diagnostics: { logAnalyticsDestinationType: "AzureDiagnostics" } } });
    expect(plan.resources(T.diagnostics).map((d) => d.inputs["logAnalyticsDestinationType"])).toEqual(["AzureDiagnostics", "AzureDiagnostics"]);
  });

  it("applies a transform to the account, merging tags", async () => {
    const plan = await run(spec(), { tags: { team: "web" }, transform: { account: { tags: { cost: "42" }, accessTier: "Cool" } } });
    expect(plan.find(T.account).inputs).toMatchObject({ accessTier: "Cool", tags: { team: "web", cost: "42", app: "shop" } });
  });

  it("throws PolycloudError naming tags, before creating anything, when a tag is one Azure refuses", async () => {
    let caught: unknown;
    const plan = await runProgram(() => {
      try {
        new Bucket("shop-bucket-assets", { app: "shop", bucket: spec(), resourceGroupName: RG, vault: VAULT, privateEndpoint: ENDPOINTS, workspaceId: WORKSPACE, tags: { "microsoft-owned": "x" } });
      } catch (error) {
        caught = error;
      }
    }, { provider: "azure" });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([{ path: "tags", message: expect.stringContaining("microsoft-owned"), fix: expect.stringMatching(/^follow Azure's tag rules: names 1-512 characters/) }]);
    expect(plan.resources().filter((r) => r.custom)).toEqual([]);
  });
});
