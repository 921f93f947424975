import * as app from "@pulumi/azure-native/app";
import * as authorization from "@pulumi/azure-native/authorization";
import * as cdn from "@pulumi/azure-native/cdn";
import * as dataprotection from "@pulumi/azure-native/dataprotection";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import * as storage from "@pulumi/azure-native/storage";
import { runProgram, secretConfig, type Plan } from "@polycloud/testing";
import { evaluatePolicies } from "@polycloud/policy";
import "@polycloud/policy/jest";
import { resourceGraph } from "../resource-graph";
import program from "./index";

const project = "azure-web-service";
// Azure's built-in role definition ids.
const ROLE = { keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6", storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", storageAccountBackupContributor: "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1" };
const roleOf = (assignment: { inputs: { roleDefinitionId: string } }) => assignment.inputs.roleDefinitionId.split("/").pop();

// One development plan that the tests below only read: a domain and the Stripe key from the stack's config.
let plan: Plan;
beforeAll(async () => {
  plan = await runProgram(program, { project, provider: "azure", config: { [`${project}:domain`]: "app.example.org", [`${project}:stripe-key`]: secretConfig("sk_test_example") }, timeoutMs: 20_000 });
});

/** A subnet's NSG rules as [priority, access, source, ports], by priority. */
function rulesOf(subject: Plan, subnet: string): [number, string, string, unknown][] {
  const nsg = subject.find(network.NetworkSecurityGroup, `shop-network-${subnet}-nsg`).outputs.name;
  return subject
    .resources(network.SecurityRule)
    .filter((r) => r.inputs.networkSecurityGroupName === nsg)
    .map((r): [number, string, string, unknown] => [r.inputs.priority!, r.inputs.access, r.inputs.sourceAddressPrefix!, r.inputs.destinationPortRanges ?? r.inputs.destinationPortRange])
    .sort(([a], [b]) => a - b);
}
const prefixOf = (subject: Plan, subnet: string) => subject.find(network.Subnet, `shop-network-${subnet}`).inputs.addressPrefix!;

describe("azure-web-service example", () => {
  it("serves the API over HTTPS on the configured domain with a managed certificate, and exports its endpoints", () => {
    const certificate = plan.find(app.ManagedCertificate);
    expect(certificate.inputs.properties).toMatchObject({ subjectName: "app.example.org", domainControlValidation: "CNAME" });
    expect(plan.find(app.ContainerApp).inputs.configuration?.ingress).toMatchObject({ external: true, allowInsecure: false, customDomains: [{ name: "app.example.org", bindingType: "SniEnabled", certificateId: certificate.id }] });
    // SLO burn rates (3 availability, 3 latency), p95 latency (critical and warning), error rate, the app's CPU and
    // memory, the database's 3 and the cache's 2, and the escalations of the warnings among them (1 + 1 + 1 + 1, 2, 2, 2).
    expect(plan.outputs).toMatchObject({ url: "https://app.example.org", alertCount: 6 + 2 + 1 + 2 + 3 + 2 + (4 + 2 + 2 + 2), databaseEndpoint: plan.find(dbforpostgresql.Server).outputs.fullyQualifiedDomainName });
    expect(plan.outputs.alertCount).toBe(plan.resources("azure-native:monitor:ScheduledQueryRule").length);
    expect(plan.outputs.assetsUrl).toMatch(/^https:\/\/shopdevassets[0-9a-f]{6}\.blob\.core\.windows\.net\/data$/);
    // No DNS zone: the CNAME and the certificate's ownership TXT to create by hand.
    expect(plan.outputs.dnsRecords).toMatchObject({ cname: "app.example.org", txtName: "asuid.app.example.org" });
    // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
    expect(plan).toPassPolicies();
    // The one accepted finding: the Application Insights connection string in the app's plain environment.
    expect(evaluatePolicies(plan).suppressed.map((f) => [f.ruleId, f.name, f.reason])).toEqual([
      ["PC-AZ-APP-002", "shop-api", "the Application Insights connection string is an ingestion address that Microsoft does not treat as a secret"],
    ]);
    expect(resourceGraph(plan)).toMatchSnapshot();
  });

  it("injects the three secrets as Key Vault references through the service's identity, and keeps the Stripe key's value out of the plan", () => {
    const { configuration, template } = plan.find(app.ContainerApp).inputs;
    const identity = plan.find(managedidentity.UserAssignedIdentity, "shop-api-identity");
    const uriOf = (name: string) => plan.find(keyvault.Secret, name).outputs.properties?.secretUri;
    expect(configuration?.secrets).toEqual([
      { name: "stripe-key", keyVaultUrl: uriOf("shop-secrets-stripe-key"), identity: identity.id },
      { name: "database-url", keyVaultUrl: uriOf("shop-database-url"), identity: identity.id },
      { name: "redis-url", keyVaultUrl: uriOf("shop-cache-url"), identity: identity.id },
    ]);
    const env = template?.containers?.[0]?.env ?? [];
    expect(env.filter((e) => e.secretRef !== undefined)).toEqual([
      { name: "STRIPE_KEY", secretRef: "stripe-key" },
      { name: "DATABASE_URL", secretRef: "database-url" },
      { name: "REDIS_URL", secretRef: "redis-url" },
    ]);
    expect(env.filter((e) => e.value !== undefined).map((e) => e.name)).toEqual(["LOG_LEVEL", "AZURE_CLIENT_ID", "OTEL_SERVICE_NAME", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
    // The identity reads exactly these three secrets.
    const reads = plan.resources(authorization.RoleAssignment).filter((a) => roleOf(a) === ROLE.keyVaultSecretsUser);
    expect(reads.map((a) => [a.inputs.principalId, a.inputs.scope])).toEqual(["shop-secrets-stripe-key", "shop-database-url", "shop-cache-url"].map((name) => [identity.outputs.principalId, plan.find(keyvault.Secret, name).id]));
    // The value is the vault secret's, a Pulumi secret, and appears nowhere in the recorded plan.
    const stripeKey = plan.find(keyvault.Secret, "shop-secrets-stripe-key");
    expect(stripeKey.inputs.properties.value).toBe("sk_test_example");
    expect(stripeKey.secretInputs).toContain("properties.value");
    expect(JSON.stringify(plan.toJSON())).not.toContain("sk_test_example");
  });

  it("lets only the service's subnet reach the database and the private endpoints, only its identity into Redis, and grants it alone the assets container", () => {
    const api = prefixOf(plan, "service-api");
    // Each subnet admits itself, then its grants, and denies the rest of the VNet.
    expect(rulesOf(plan, "database")).toEqual([
      [100, "Allow", prefixOf(plan, "database"), "*"],
      [200, "Allow", api, ["5432"]],
      [4000, "Deny", "VirtualNetwork", "*"],
    ]);
    expect(rulesOf(plan, "private-endpoints")).toEqual([
      [100, "Allow", prefixOf(plan, "private-endpoints"), "*"],
      [200, "Allow", api, ["10000"]],
      [201, "Allow", api, ["443"]],
      [4000, "Deny", "VirtualNetwork", "*"],
    ]);
    expect(rulesOf(plan, "service-api")).toEqual([
      [100, "Allow", api, "*"],
      [200, "Allow", "Internet", ["80", "443"]],
      [4000, "Deny", "VirtualNetwork", "*"],
    ]);
    const principal = plan.find(managedidentity.UserAssignedIdentity, "shop-api-identity").outputs.principalId;
    expect(plan.resources(redisenterprise.AccessPolicyAssignment).map((a) => a.inputs.user.objectId)).toEqual([principal]);
    // On the assets account: the service's blob data role on its container, and the Backup vault's role to back it up.
    const account = plan.find(storage.StorageAccount, "shop-assets");
    const onAssets = plan.resources(authorization.RoleAssignment).filter((a) => String(a.inputs.scope).startsWith(account.id!));
    expect(onAssets.map((a) => [a.inputs.principalId, roleOf(a), a.inputs.scope])).toEqual([
      [principal, ROLE.storageBlobDataContributor, plan.find(storage.BlobContainer).id],
      [plan.find(dataprotection.BackupVault).outputs.identity?.principalId, ROLE.storageAccountBackupContributor, account.id],
    ]);
  });

  it("in production protects the stores, makes them zone-redundant and puts Front Door's WAF in front of the service", async () => {
    const production = await runProgram(program, { project, provider: "azure", config: { [`${project}:environment`]: "production" }, timeoutMs: 20_000 });
    expect(production).toPassPolicies();
    const stateful = [dbforpostgresql.Server, redisenterprise.RedisEnterprise, keyvault.Vault, keyvault.Key, dataprotection.BackupVault] as const;
    const stores = [...stateful.flatMap((type) => production.resources(type)), production.find(storage.StorageAccount, "shop-assets")];
    // The server, the cache, the vault, the three stores' keys, the Backup vault and the assets account.
    expect(stores).toHaveLength(8);
    expect(stores.filter((r) => r.options.protect !== true).map((r) => r.name)).toEqual([]);
    expect(production.find(dbforpostgresql.Server).inputs.highAvailability).toMatchObject({ mode: "ZoneRedundant" });
    expect(production.find(redisenterprise.RedisEnterprise).inputs.highAvailability).toBe("Enabled");
    expect(production.find(app.ManagedEnvironment).inputs.zoneRedundant).toBe(true);
    expect(production.find(storage.StorageAccount, "shop-assets").inputs.sku).toEqual({ name: "Standard_GZRS" });
    // The WAF cannot be bypassed: the service's subnet admits Front Door's backends, not the internet, and Front Door holds the certificate.
    expect(rulesOf(production, "service-api")[1]).toEqual([200, "Allow", "AzureFrontDoor.Backend", ["80", "443"]]);
    production.hasResource(cdn.AFDCustomDomain, { hostName: "shop.example.com" });
    production.resourceCountIs(app.ManagedCertificate, 0);
    // Development has none of it.
    expect(plan.find(dbforpostgresql.Server).options.protect).not.toBe(true);
    expect(plan.find(dbforpostgresql.Server).inputs.highAvailability).not.toMatchObject({ mode: "ZoneRedundant" });
    expect(plan.find(app.ManagedEnvironment).inputs.zoneRedundant).toBe(false);
    plan.resourceCountIs(cdn.AFDCustomDomain, 0);
  });
});
