import * as pulumi from "@pulumi/pulumi";
import { PolycloudError, type SecretSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { ENDPOINTS, RG, WORKSPACE } from "./__tests__/fixtures";
import { SecretStore, type SecretStoreArgs } from "./secret-store";

const T = {
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  endpoint: "azure-native:network:PrivateEndpoint",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  diagnostics: "azure-native:monitor:DiagnosticSetting",
  password: "random:index/randomPassword:RandomPassword",
};

const secrets: SecretSpec[] = [{ name: "stripe-key", description: "Stripe API key" }, { name: "session-key", generate: true }, { name: "webhook-secret", rotationDays: 30 }];
const run = (extra: Partial<SecretStoreArgs> = {}) =>
  runProgram(() => {
    new SecretStore("shop-secrets", { app: "shop", secrets, resourceGroupName: RG, privateEndpoint: ENDPOINTS, workspaceId: WORKSPACE, values: { "stripe-key": pulumi.secret("sk_live_given") }, ...extra });
  }, { provider: "azure" });

describe("SecretStore", () => {
  // The defaults, planned once for every test of them (plans are costly); plannedAt is when, from which
  // the rotated secret's expiry counts.
  let plannedAt: number;
  let defaults: Plan;
  beforeAll(async () => {
    plannedAt = Math.floor(Date.now() / 1000);
    defaults = await run();
  }, 60_000);

  it("defaults to a Key Vault with RBAC, soft delete, purge protection and no public network access", () => {
    const plan = defaults;
    const vault = plan.find(T.vault);
    expect(vault.inputs["vaultName"]).toMatch(/^shop-dev-secrets-[0-9a-f]{6}$/);
    expect(vault.inputs["properties"]).toMatchObject({
      tenantId: "00000000-0000-4000-8000-000000000002",
      sku: { family: "A", name: "standard" },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
    });
    expect(vault.options.protect).toBe(false);
  });

  it("defaults to a private endpoint for the vault, registered in the private DNS zone", () => {
    const plan = defaults;
    const endpoint = plan.find(T.endpoint);
    expect(endpoint.inputs).toMatchObject({ subnet: { id: ENDPOINTS.subnetId }, privateLinkServiceConnections: [{ privateLinkServiceId: plan.find(T.vault).id, groupIds: ["vault"] }] });
    expect(plan.find(T.zoneGroup).inputs).toMatchObject({ privateEndpointName: endpoint.outputs["name"], privateDnsZoneConfigs: [{ privateDnsZoneId: ENDPOINTS.privateDnsZoneId }] });
  });

  it("defaults to sending the vault's audit events and metrics to Log Analytics", () => {
    const plan = defaults;
    expect(plan.find(T.diagnostics).inputs).toMatchObject({ resourceUri: plan.find(T.vault).id, workspaceId: WORKSPACE, logs: [{ categoryGroup: "allLogs", enabled: true }], metrics: [{ category: "AllMetrics", enabled: true }] });
  });

  it("keeps a given value, generates one for generate: true, and leaves the rest empty and tagged missing", () => {
    const plan = defaults;
    const tag = (name: string) => (plan.find(T.secret, { secretName: name }).inputs["tags"] as Record<string, string>)["polycloud-value"];
    expect([tag("stripe-key"), tag("session-key"), tag("webhook-secret")]).toEqual(["given", "generated", "missing"]);
    expect(plan.find(T.password).inputs).toMatchObject({ length: 32, special: false });
    for (const secret of plan.resources(T.secret)) {
      expect(secret.secretInputs).toContain("properties.value");
      expect(secret.inputs["properties"]).toMatchObject({ contentType: "text/plain" });
    }
    expect(plan.find(T.secret, { secretName: "stripe-key" }).inputs["tags"]).toMatchObject({ description: "Stripe API key" });
  });

  it("sets an expiry, once, on a secret the spec rotates", () => {
    const before = plannedAt;
    const plan = defaults;
    const rotated = plan.find(T.secret, { secretName: "webhook-secret" });
    const expires = (rotated.inputs["properties"] as { attributes: { expires: number } }).attributes.expires;
    expect(expires - before).toBeGreaterThanOrEqual(30 * 86_400);
    expect(expires - before).toBeLessThan(30 * 86_400 + 120);
    expect(rotated.options.ignoreChanges).toEqual(["properties.attributes.expires"]);
    expect((plan.find(T.secret, { secretName: "stripe-key" }).inputs["properties"] as Record<string, unknown>)["attributes"]).toBeUndefined();
  });

  it("uses premium (HSM-backed keys) and protects the vault and its secrets in production", async () => {
    const plan = await run({ environment: "production" });
    expect((plan.find(T.vault).inputs["properties"] as { sku: { name: string } }).sku.name).toBe("premium");
    expect(plan.find(T.vault).options.protect).toBe(true);
    expect(plan.resources(T.secret).every((s) => s.options.protect)).toBe(true);
  });

  it("exposes each secret's versionless URI and id as its reference, under the environment variable name core derives", async () => {
    let uri: pulumi.Output<string> | undefined;
    let envName: string | undefined;
    const plan = await runProgram(() => {
      const store = new SecretStore("shop-secrets", { app: "shop", secrets, resourceGroupName: RG, privateEndpoint: ENDPOINTS, workspaceId: WORKSPACE });
      uri = store.references["stripe-key"]!.location.secretUri;
      envName = store.references["stripe-key"]!.envName;
      return { uri };
    }, { provider: "azure" });
    // As on AWS and Google Cloud: the reference can be passed to WebService as is.
    expect(envName).toBe("STRIPE_KEY");
    expect(plan.outputs["uri"]).toBe((plan.find(T.secret, { secretName: "stripe-key" }).outputs["properties"] as { secretUri: string }).secretUri);
    expect(uri).toBeDefined();
  });

  it.each([
    ["a value for an undeclared secret", { values: { "stripe-kye": "x" } }, { path: "values.stripe-kye", message: "names no declared secret; declared: stripe-key, session-key, webhook-secret", fix: "declare secret stripe-kye, or remove its value" }],
    ["a soft-delete retention Key Vault refuses", { softDeleteRetentionDays: 120 }, { path: "softDeleteRetentionDays", message: "120 is not allowed; allowed: a whole number of days from 7 to 90 (Key Vault's range)", fix: "set softDeleteRetentionDays to 90" }],
  ])("throws PolycloudError naming the field, before creating anything, when given %s", async (_, extra, problem) => {
    let caught: unknown;
    const plan = await runProgram(() => {
      try {
        new SecretStore("shop-secrets", { app: "shop", secrets, resourceGroupName: RG, privateEndpoint: ENDPOINTS, workspaceId: WORKSPACE, ...extra });
      } catch (error) {
        caught = error;
      }
    }, { provider: "azure" });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([problem]);
    expect(plan.resources().filter((r) => r.custom)).toEqual([]);
  });
});
