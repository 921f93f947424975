import { PolycloudError, type DatabaseSpec } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { database, onNetwork, VAULT } from "./__tests__/fixtures";
import { Database, storageSizeFor, type DatabaseArgs } from "./database";

const T = {
  server: "azure-native:dbforpostgresql:Server",
  db: "azure-native:dbforpostgresql:Database",
  configuration: "azure-native:dbforpostgresql:Configuration",
  secret: "azure-native:keyvault:Secret",
  key: "azure-native:keyvault:Key",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  subnet: "azure-native:network:Subnet",
  zone: "azure-native:privatedns:PrivateZone",
  diagnostics: "azure-native:monitor:DiagnosticSetting",
};

const run = (spec: DatabaseSpec = database(), extra: Partial<DatabaseArgs> = {}, environment: "development" | "production" = "development") =>
  onNetwork((network) => new Database("shop-database", { app: "shop", environment, database: spec, network, vault: VAULT, ...extra }), { environment });

describe("Database", () => {
  // The default database, planned once for every test of the defaults (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run();
  }, 60_000);

  it("defaults to a flexible server in the delegated subnet and private zone, with public access disabled", () => {
    const plan = defaults;
    const server = plan.find(T.server);
    const subnet = plan.find(T.subnet, { subnetName: "database" });
    const zone = plan.find(T.zone, (z) => String(z.inputs["privateZoneName"]).endsWith(".postgres.database.azure.com"));
    expect(server.inputs).toMatchObject({
      serverName: expect.stringMatching(/^shop-dev-database-[0-9a-f]{6}$/),
      version: "16",
      network: { delegatedSubnetResourceId: subnet.id, privateDnsZoneArmResourceId: zone.id, publicNetworkAccess: "Disabled" },
      storage: { storageSizeGB: 64, autoGrow: "Enabled" },
      sku: { tier: "GeneralPurpose", name: "Standard_D2ds_v5" },
    });
  });

  it("defaults to Entra ID authentication with a generated administrator password, and TLS 1.2 required", () => {
    const plan = defaults;
    const server = plan.find(T.server);
    expect(server.inputs["authConfig"]).toEqual({ activeDirectoryAuth: "Enabled", passwordAuth: "Enabled", tenantId: "00000000-0000-4000-8000-000000000002" });
    expect(server.secretInputs).toContain("administratorLoginPassword");
    const settings = Object.fromEntries(plan.resources(T.configuration).map((c) => [c.inputs["configurationName"], c.inputs["value"]]));
    expect(settings).toEqual({ require_secure_transport: "ON", ssl_min_protocol_version: "TLSv1.2", log_connections: "ON", log_disconnections: "ON" });
  });

  it("defaults to a customer-managed key through its own identity", () => {
    const plan = defaults;
    const server = plan.find(T.server);
    const key = plan.find(T.key);
    const identity = plan.find(T.identity);
    expect(server.inputs["dataEncryption"]).toEqual({ type: "AzureKeyVault", primaryKeyURI: key.outputs["keyUriWithVersion"], primaryUserAssignedIdentityId: identity.id });
    expect(server.inputs["identity"]).toEqual({ type: "UserAssigned", userAssignedIdentities: { [identity.id!]: {} } });
  });

  it("defaults to the spec's database and retention, no standby, local backups, logs to the workspace", async () => {
    const plan = await run(database({ backup: { retentionDays: 14, window: "03:00-04:00" } }));
    expect(plan.find(T.server).inputs).toMatchObject({ highAvailability: { mode: "Disabled" }, backup: { backupRetentionDays: 14, geoRedundantBackup: "Disabled" } });
    expect(plan.find(T.db).inputs).toMatchObject({ databaseName: "app", charset: "UTF8" });
    expect(plan.resources(T.diagnostics).some((d) => d.inputs["resourceUri"] === plan.find(T.server).id)).toBe(true);
  });

  it("keeps DATABASE_URL, with sslmode=require, as a secret in the vault", () => {
    const plan = defaults;
    const secret = plan.find(T.secret);
    expect(secret.inputs).toMatchObject({ vaultName: VAULT.name, secretName: "database-url", properties: { contentType: "text/uri-list" } });
    expect(secret.secretInputs).toContain("properties.value");
    expect((secret.inputs["properties"] as { value: string }).value).toMatch(/^postgresql:\/\/pgadmin:[A-Za-z0-9]{32}@shop-dev-database-[0-9a-f]{6}\.postgres\.database\.azure\.com:5432\/app\?sslmode=require$/);
  });

  it("is zone-redundant and protected in production, with geo-redundant backups when asked", async () => {
    const plan = await run(database({ highAvailability: true }), { geoRedundantBackup: true }, "production");
    const server = plan.find(T.server);
    expect(server.inputs).toMatchObject({ highAvailability: { mode: "ZoneRedundant" }, backup: { geoRedundantBackup: "Enabled" } });
    for (const r of [server, plan.find(T.db), plan.find(T.key), plan.find(T.secret)]) expect(r.options.protect).toBe(true);
  });

  it("sets the Entra ID administrator when entraAdministrator is given, and none by default", async () => {
    expect(defaults.resources("azure-native:dbforpostgresql:Administrator")).toHaveLength(0);
    const plan = await run(database(), { entraAdministrator: { objectId: "11111111-1111-4111-8111-111111111111", principalName: "dba-group", principalType: "group" } });
    expect(plan.find("azure-native:dbforpostgresql:Administrator").inputs).toMatchObject({ serverName: plan.find(T.server).outputs["name"], objectId: "11111111-1111-4111-8111-111111111111", principalName: "dba-group", principalType: "group", tenantId: "00000000-0000-4000-8000-000000000002" });
  });

  it("applies the settings one after another (a server takes one change at a time)", () => {
    const plan = defaults;
    const [first, ...rest] = plan.resources(T.configuration);
    expect(first!.dependencies).toContain(plan.find(T.server).urn);
    rest.forEach((c, i) => expect(c.dependencies).toContain(plan.resources(T.configuration)[i]!.urn));
  });

  it.each([
    [20, 32],
    [64, 64],
    [65, 128],
    [5000, 8192],
  ])("rounds %i GiB of storage up to %i, a size the server offers", (gb, size) => {
    expect(storageSizeFor(gb)).toBe(size);
  });

  it.each([
    ["a version Azure does not offer", database({ version: "12", majorVersion: 12 }), "database.version", '"12" is not offered by Azure Database for PostgreSQL Flexible Server; allowed: 13, 14, 15, 16, 17'],
    ["a retention beyond 35 days", database({ backup: { retentionDays: 90, window: "03:00-04:00" } }), "database.backup.retentionDays", "90 is outside what a flexible server keeps; allowed: 7 to 35"],
  ])("throws PolycloudError naming the field, before creating anything, when given %s", async (_, spec, path, message) => {
    let caught: unknown;
    const plan = await onNetwork((network) => {
      try {
        new Database("shop-database", { app: "shop", database: spec, network, vault: VAULT });
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([expect.objectContaining({ path, message, fix: expect.any(String) })]);
    expect(plan.resources().filter((r) => r.custom && r.parent !== undefined && plan.get(r.parent)?.type === "polycloud:azure:Database")).toEqual([]);
  });
});
