import { PolycloudError } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { cache, onNetwork, VAULT } from "./__tests__/fixtures";
import { Cache } from "./cache";

const T = {
  cluster: "azure-native:redisenterprise:RedisEnterprise",
  db: "azure-native:redisenterprise:Database",
  policy: "azure-native:redisenterprise:AccessPolicyAssignment",
  secret: "azure-native:keyvault:Secret",
  key: "azure-native:keyvault:Key",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  endpoint: "azure-native:network:PrivateEndpoint",
  subnet: "azure-native:network:Subnet",
};

describe("Cache", () => {
  // The default cache, planned once for the tests of its defaults (plans are costly); the mock gives
  // the cluster a host name, which only REDIS_URL reads.
  const hostName = "shop-dev-cache.westeurope.redis.azure.net";
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await onNetwork((network) => new Cache("shop-cache", { app: "shop", cache: cache(), network, vault: VAULT }), { mocks: { [T.cluster]: () => ({ hostName }) } });
  }, 60_000);

  it("defaults to Azure Managed Redis with TLS 1.2, no public network, a private endpoint and a customer-managed key", () => {
    const plan = defaults;
    const cluster = plan.find(T.cluster);
    const identity = plan.find(T.identity);
    expect(cluster.inputs).toMatchObject({
      sku: { name: "Balanced_B1" },
      highAvailability: "Disabled",
      minimumTlsVersion: "1.2",
      publicNetworkAccess: "Disabled",
      identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
      encryption: { customerManagedKeyEncryption: { keyEncryptionKeyUrl: plan.find(T.key).outputs["keyUriWithVersion"], keyEncryptionKeyIdentity: { identityType: "userAssignedIdentity", userAssignedIdentityResourceId: identity.id } } },
    });
    expect(plan.find(T.endpoint).inputs).toMatchObject({ subnet: { id: plan.find(T.subnet, { subnetName: "private-endpoints" }).id }, privateLinkServiceConnections: [{ privateLinkServiceId: cluster.id, groupIds: ["redisEnterprise"] }] });
  });

  it("defaults to the encrypted protocol on 10000 and no access keys, with REDIS_URL (no credential) in the vault", () => {
    const plan = defaults;
    expect(plan.find(T.db).inputs).toMatchObject({ databaseName: "default", clientProtocol: "Encrypted", port: 10000, accessKeysAuthentication: "Disabled" });
    const secret = plan.find(T.secret);
    expect(secret.inputs).toMatchObject({ secretName: "cache-url", properties: { value: `rediss://${hostName}:10000` } });
    expect(secret.secretInputs).toContain("properties.value");
  });

  it("lets exactly the given identity use the cache when allowFrom is called", async () => {
    const plan = await onNetwork((network) => new Cache("shop-cache", { app: "shop", cache: cache(), network, vault: VAULT }).allowFrom("web", "11111111-1111-4111-8111-111111111111"));
    expect(plan.find(T.policy).inputs).toMatchObject({ accessPolicyName: "default", databaseName: "default", user: { objectId: "11111111-1111-4111-8111-111111111111" } });
  });

  it("is highly available on a larger SKU and protected in production when the spec asks", async () => {
    const plan = await onNetwork((network) => new Cache("shop-cache", { app: "shop", environment: "production", cache: cache({ highAvailability: true, size: "medium" }), network, vault: VAULT }), { environment: "production" });
    expect(plan.find(T.cluster).inputs).toMatchObject({ highAvailability: "Enabled", sku: { name: "Balanced_B5" } });
    expect(plan.find(T.cluster).options.protect).toBe(true);
  });

  it("throws PolycloudError naming cache.version when given a version Azure Managed Redis does not run", async () => {
    let caught: unknown;
    await onNetwork((network) => {
      try {
        new Cache("shop-cache", { app: "shop", cache: cache({ version: "6", majorVersion: 6 }), network, vault: VAULT });
      } catch (error) {
        caught = error;
      }
    });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([{ path: "cache.version", message: '"6" is not a Redis major Azure Managed Redis runs; allowed: 7', fix: 'set version to "7"' }]);
  });
});
