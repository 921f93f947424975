/** Rules over Azure resources (`@pulumi/azure-native` type tokens). */
import { ANYWHERE, at, list, plainSecretEnv, portSpecIncludes, record, ruleBook, show } from "../util";
import type { PolicyResource, Rule } from "../types";

const { resource } = ruleBook("azure");

const STORAGE = "azure-native:storage:StorageAccount";
const NSG = "azure-native:network:NetworkSecurityGroup";
const NSG_RULE = "azure-native:network:SecurityRule";
const VAULT = "azure-native:keyvault:Vault";
const PG = "azure-native:dbforpostgresql:Server";
const CONTAINER_APP = "azure-native:app:ContainerApp";
const WEB_APP = ["azure-native:web:WebApp", "azure-native:web:WebAppSlot"];
const REDIS = "azure-native:redis:Redis";
const AKS = "azure-native:containerservice:ManagedCluster";
const SQL = "azure-native:sql:Server";
const FIREWALL = ["azure-native:sql:FirewallRule", "azure-native:dbforpostgresql:FirewallRule", "azure-native:dbformysql:FirewallRule"];

/** The security rules a resource declares: an NSG's inline `securityRules`, or a SecurityRule itself. */
function securityRules(r: PolicyResource): Record<string, unknown>[] {
  return r.type === NSG ? list(r.inputs["securityRules"]).map((x) => record(at(x, "properties") ?? x)) : [record(r.inputs)];
}

/** Inbound Allow rules from the internet that include `port` (any port when undefined). */
function internetInbound(r: PolicyResource, port?: number): string[] {
  return securityRules(r)
    .filter((x) => x["direction"] === "Inbound" && x["access"] === "Allow")
    .filter((x) => [x["sourceAddressPrefix"], ...list(x["sourceAddressPrefixes"])].some((p) => ANYWHERE.has(String(p))))
    .filter((x) => {
      const ports = [x["destinationPortRange"], ...list(x["destinationPortRanges"])];
      return port === undefined ? ports.some((p) => String(p) === "*") : ports.some((p) => portSpecIncludes(p, port));
    })
    .map((x) => String(x["name"] ?? r.name));
}

function inboundPortRule(id: string, port: number, service: string, references: readonly string[]): Rule {
  return resource(
    {
      id,
      title: `No NSG rule allows ${service} (port ${port}) from the internet`,
      severity: "mandatory",
      remediation: `Allow ${service} only from known address prefixes, or use Azure Bastion.`,
      references,
      types: [NSG, NSG_RULE],
    },
    (r) => {
      const rules = internetInbound(r, port);
      return rules.length === 0 ? undefined : `rule(s) ${rules.join(", ")} allow port ${port} from the internet`;
    },
  );
}

const props = (r: PolicyResource, path: string) => at(r.inputs, `properties.${path}`);

const storage: Rule[] = [
  resource(
    {
      id: "PC-AZ-ST-001",
      title: "Storage accounts accept HTTPS only",
      severity: "mandatory",
      remediation: "Leave enableHttpsTrafficOnly at true.",
      references: ["CKV_AZURE_3", "AVD-AZU-0008"],
      types: [STORAGE],
    },
    (r) => (r.inputs["enableHttpsTrafficOnly"] === false ? "enableHttpsTrafficOnly is false" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-ST-002",
      title: "Storage accounts require TLS 1.2",
      severity: "mandatory",
      remediation: 'Set minimumTlsVersion: "TLS1_2".',
      references: ["CKV_AZURE_44", "AVD-AZU-0011"],
      types: [STORAGE],
    },
    (r) => (["TLS1_2", "TLS1_3"].includes(String(r.inputs["minimumTlsVersion"])) ? undefined : `minimumTlsVersion is ${show(r.inputs["minimumTlsVersion"])}`),
  ),
  resource(
    {
      id: "PC-AZ-ST-003",
      title: "Storage accounts do not allow public blob access",
      severity: "mandatory",
      remediation: "Set allowBlobPublicAccess: false.",
      references: ["CKV_AZURE_190", "CKV_AZURE_59"],
      types: [STORAGE],
    },
    (r) => (r.inputs["allowBlobPublicAccess"] === true ? "allowBlobPublicAccess is true" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-ST-004",
      title: "Storage account network rules deny by default",
      severity: "advisory",
      remediation: 'Set publicNetworkAccess: "Disabled" (private endpoints) or networkRuleSet.defaultAction: "Deny".',
      references: ["CKV_AZURE_35", "AVD-AZU-0012"],
      types: [STORAGE],
    },
    (r) => (r.inputs["publicNetworkAccess"] === "Disabled" || at(r.inputs, "networkRuleSet.defaultAction") === "Deny" ? undefined : "the account is reachable from any network"),
  ),
  resource(
    {
      id: "PC-AZ-ST-005",
      title: "Storage accounts disable Shared Key authorization",
      severity: "advisory",
      remediation: "Set allowSharedKeyAccess: false and grant access with Entra ID roles.",
      references: ["CKV2_AZURE_40"],
      types: [STORAGE],
    },
    (r) => (r.inputs["allowSharedKeyAccess"] === false ? undefined : "allowSharedKeyAccess is not false"),
  ),
  resource(
    {
      id: "PC-AZ-ST-006",
      title: "Storage accounts replicate across zones or regions",
      severity: "advisory",
      remediation: "Use a ZRS, GRS or GZRS sku for data that must survive a zone or region outage.",
      references: ["CKV_AZURE_206", "AVD-AZU-0058"],
      types: [STORAGE],
    },
    (r) => (/_(ZRS|GRS|RAGRS|GZRS|RAGZRS)$/.test(String(at(r.inputs, "sku.name"))) ? undefined : `sku.name is ${show(at(r.inputs, "sku.name"))}`),
  ),
  resource(
    {
      id: "PC-AZ-ST-007",
      title: "Blob containers are private",
      severity: "mandatory",
      remediation: 'Set publicAccess: "None".',
      references: ["CKV_AZURE_34", "AVD-AZU-0007"],
      types: ["azure-native:storage:BlobContainer"],
    },
    (r) => (r.inputs["publicAccess"] === undefined || r.inputs["publicAccess"] === "None" ? undefined : `publicAccess is ${show(r.inputs["publicAccess"])}`),
  ),
  resource(
    {
      id: "PC-AZ-ST-008",
      title: "Blob soft delete is on",
      severity: "advisory",
      remediation: "Set deleteRetentionPolicy { enabled: true, days: 7 or more }.",
      references: ["CKV2_AZURE_38", "AVD-AZU-0056"],
      types: ["azure-native:storage:BlobServiceProperties"],
    },
    (r) => (at(r.inputs, "deleteRetentionPolicy.enabled") === true ? undefined : "deleteRetentionPolicy is not enabled"),
  ),
];

const vault: Rule[] = [
  resource(
    {
      id: "PC-AZ-KV-001",
      title: "Key vaults have purge protection",
      severity: "mandatory",
      remediation: "Set properties.enablePurgeProtection: true.",
      references: ["CKV_AZURE_110", "AVD-AZU-0016"],
      types: [VAULT],
    },
    (r) => (props(r, "enablePurgeProtection") === true ? undefined : `properties.enablePurgeProtection is ${show(props(r, "enablePurgeProtection"))}`),
  ),
  resource(
    {
      id: "PC-AZ-KV-002",
      title: "Key vaults keep soft delete",
      severity: "mandatory",
      remediation: "Leave properties.enableSoftDelete at true.",
      references: ["CKV_AZURE_42"],
      types: [VAULT],
    },
    (r) => (props(r, "enableSoftDelete") === false ? "properties.enableSoftDelete is false" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-KV-003",
      title: "Key vault firewalls deny by default",
      severity: "advisory",
      remediation: 'Set properties.networkAcls.defaultAction: "Deny" (with bypass AzureServices) or publicNetworkAccess: "Disabled".',
      references: ["CKV_AZURE_109", "AVD-AZU-0013"],
      types: [VAULT],
    },
    (r) => (props(r, "networkAcls.defaultAction") === "Deny" || props(r, "publicNetworkAccess") === "Disabled" ? undefined : "the vault is reachable from any network"),
  ),
  resource(
    {
      id: "PC-AZ-KV-004",
      title: "Key vaults use Azure RBAC",
      severity: "advisory",
      remediation: "Set properties.enableRbacAuthorization: true and grant roles instead of access policies.",
      references: [],
      types: [VAULT],
    },
    (r) => (props(r, "enableRbacAuthorization") === true ? undefined : "properties.enableRbacAuthorization is not true"),
  ),
  resource(
    {
      id: "PC-AZ-KV-005",
      title: "Key Vault keys expire or rotate",
      severity: "advisory",
      remediation: "Set properties.attributes.expires or a properties.rotationPolicy.",
      references: ["CKV_AZURE_40", "AVD-AZU-0014"],
      types: ["azure-native:keyvault:Key"],
    },
    (r) => (props(r, "attributes.expires") !== undefined || props(r, "rotationPolicy") !== undefined ? undefined : "no expiry and no rotation policy"),
  ),
  resource(
    {
      id: "PC-AZ-KV-006",
      title: "Key Vault secrets have a content type",
      severity: "advisory",
      remediation: 'Set properties.contentType (e.g. "text/plain", "application/x-pem-file").',
      references: ["CKV_AZURE_114", "AVD-AZU-0015"],
      types: ["azure-native:keyvault:Secret"],
    },
    (r) => (props(r, "contentType") === undefined ? "properties.contentType is unset" : undefined),
  ),
];

const data: Rule[] = [
  resource(
    {
      id: "PC-AZ-PG-001",
      title: "PostgreSQL flexible servers are not on the public network",
      severity: "mandatory",
      remediation: 'Set network.publicNetworkAccess: "Disabled" and use a delegated subnet or a private endpoint.',
      references: ["CKV2_AZURE_57", "AVD-AZU-0022"],
      types: [PG],
    },
    (r) => (at(r.inputs, "network.publicNetworkAccess") === "Disabled" || at(r.inputs, "network.delegatedSubnetResourceId") !== undefined ? undefined : "network.publicNetworkAccess is not Disabled"),
  ),
  resource(
    {
      id: "PC-AZ-PG-002",
      title: "PostgreSQL flexible servers have geo-redundant backups",
      severity: "advisory",
      remediation: 'Set backup.geoRedundantBackup: "Enabled".',
      references: ["CKV_AZURE_136"],
      types: [PG],
    },
    (r) => (at(r.inputs, "backup.geoRedundantBackup") === "Enabled" ? undefined : `backup.geoRedundantBackup is ${show(at(r.inputs, "backup.geoRedundantBackup"))}`),
  ),
  resource(
    {
      id: "PC-AZ-PG-003",
      title: "PostgreSQL flexible servers are highly available",
      severity: "advisory",
      remediation: 'Set highAvailability.mode: "ZoneRedundant" in production.',
      references: [],
      types: [PG],
    },
    (r) => (["ZoneRedundant", "SameZone"].includes(String(at(r.inputs, "highAvailability.mode"))) ? undefined : `highAvailability.mode is ${show(at(r.inputs, "highAvailability.mode"))}`),
  ),
  resource(
    {
      id: "PC-AZ-PG-004",
      title: "PostgreSQL requires TLS",
      severity: "mandatory",
      remediation: 'Leave the require_secure_transport server parameter at "on".',
      references: ["AVD-AZU-0020"],
      types: ["azure-native:dbforpostgresql:Configuration"],
    },
    (r) => (r.inputs["configurationName"] === "require_secure_transport" && String(r.inputs["value"]).toLowerCase() === "off" ? "require_secure_transport is off" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-DB-001",
      title: "Database firewalls do not admit the whole internet",
      severity: "mandatory",
      remediation: "Allow only the client address ranges that need the database, or use private endpoints.",
      references: ["CKV_AZURE_11", "CKV2_AZURE_26", "AVD-AZU-0029"],
      types: FIREWALL,
    },
    (r) => (r.inputs["startIpAddress"] === "0.0.0.0" && r.inputs["endIpAddress"] === "255.255.255.255" ? "the rule admits 0.0.0.0-255.255.255.255" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-SQL-001",
      title: "SQL servers require TLS 1.2",
      severity: "mandatory",
      remediation: 'Set minimalTlsVersion: "1.2".',
      references: ["CKV_AZURE_52", "AVD-AZU-0026"],
      types: [SQL],
    },
    (r) => (["1.2", "1.3"].includes(String(r.inputs["minimalTlsVersion"])) ? undefined : `minimalTlsVersion is ${show(r.inputs["minimalTlsVersion"])}`),
  ),
  resource(
    {
      id: "PC-AZ-SQL-002",
      title: "SQL servers disable public network access",
      severity: "advisory",
      remediation: 'Set publicNetworkAccess: "Disabled" and connect through a private endpoint.',
      references: ["CKV_AZURE_113"],
      types: [SQL],
    },
    (r) => (r.inputs["publicNetworkAccess"] === "Disabled" ? undefined : `publicNetworkAccess is ${show(r.inputs["publicNetworkAccess"])}`),
  ),
  resource(
    {
      id: "PC-AZ-REDIS-001",
      title: "Azure Cache for Redis accepts TLS only",
      severity: "mandatory",
      remediation: 'Leave enableNonSslPort at false and set minimumTlsVersion: "1.2".',
      references: ["CKV_AZURE_91", "CKV_AZURE_148"],
      types: [REDIS],
    },
    (r) => (r.inputs["enableNonSslPort"] === true ? "enableNonSslPort is true" : r.inputs["minimumTlsVersion"] !== undefined && r.inputs["minimumTlsVersion"] !== "1.2" ? `minimumTlsVersion is ${show(r.inputs["minimumTlsVersion"])}` : undefined),
  ),
  resource(
    {
      id: "PC-AZ-REDIS-002",
      title: "Azure Cache for Redis disables public network access",
      severity: "advisory",
      remediation: 'Set publicNetworkAccess: "Disabled" and use a private endpoint.',
      references: ["CKV_AZURE_89"],
      types: [REDIS],
    },
    (r) => (r.inputs["publicNetworkAccess"] === "Disabled" ? undefined : `publicNetworkAccess is ${show(r.inputs["publicNetworkAccess"])}`),
  ),
  resource(
    {
      id: "PC-AZ-REDIS-003",
      title: "Azure Managed Redis databases encrypt client traffic",
      severity: "mandatory",
      remediation: 'Set clientProtocol: "Encrypted".',
      references: [],
      types: ["azure-native:redisenterprise:Database"],
    },
    (r) => (r.inputs["clientProtocol"] === "Plaintext" ? 'clientProtocol is "Plaintext"' : undefined),
  ),
];

const network: Rule[] = [
  inboundPortRule("PC-AZ-NET-001", 22, "SSH", ["CKV_AZURE_10", "AVD-AZU-0050"]),
  inboundPortRule("PC-AZ-NET-002", 3389, "RDP", ["CKV_AZURE_9", "AVD-AZU-0048"]),
  resource(
    {
      id: "PC-AZ-NET-003",
      title: "No NSG rule allows all ports from the internet",
      severity: "mandatory",
      remediation: "Allow only the ports the workload serves, from the address prefixes that need them.",
      references: ["AVD-AZU-0047"],
      types: [NSG, NSG_RULE],
    },
    (r) => {
      const rules = internetInbound(r);
      return rules.length === 0 ? undefined : `rule(s) ${rules.join(", ")} allow every port from the internet`;
    },
  ),
  resource(
    {
      id: "PC-AZ-NET-004",
      title: "NSG flow logs are kept for 90 days",
      severity: "advisory",
      remediation: "Set retentionPolicy { enabled: true, days: 90 or more }.",
      references: ["CKV_AZURE_12", "AVD-AZU-0049"],
      types: ["azure-native:network:FlowLog"],
    },
    (r) => {
      const days = at(r.inputs, "retentionPolicy.days");
      return at(r.inputs, "retentionPolicy.enabled") === true && (days === 0 || (typeof days === "number" && days >= 90)) ? undefined : `retentionPolicy keeps ${show(days)} days`;
    },
  ),
];

const compute: Rule[] = [
  resource(
    {
      id: "PC-AZ-APP-001",
      title: "Container App ingress does not allow plain HTTP",
      severity: "mandatory",
      remediation: "Leave configuration.ingress.allowInsecure at false.",
      references: [],
      types: [CONTAINER_APP],
    },
    (r) => (at(r.inputs, "configuration.ingress.allowInsecure") === true ? "configuration.ingress.allowInsecure is true" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-APP-002",
      title: "No secrets in plain Container App environment variables",
      severity: "mandatory",
      remediation: "Store the value as a Container App secret (ideally a Key Vault reference) and use env[].secretRef.",
      references: [],
      types: [CONTAINER_APP],
    },
    (r) => {
      const found = list(at(r.inputs, "template.containers")).flatMap((c) => plainSecretEnv(at(c, "env")));
      return found.length === 0 ? undefined : `environment variable(s) ${found.join(", ")} look like credentials`;
    },
  ),
  resource(
    {
      id: "PC-AZ-APP-003",
      title: "Container App secrets come from Key Vault",
      severity: "advisory",
      remediation: "Give each configuration.secrets entry a keyVaultUrl and an identity instead of a value.",
      references: [],
      types: [CONTAINER_APP],
    },
    (r) => {
      const inline = list(at(r.inputs, "configuration.secrets")).map(record).filter((s) => s["value"] !== undefined && s["keyVaultUrl"] === undefined);
      return inline.length === 0 ? undefined : `secret(s) ${inline.map((s) => String(s["name"])).join(", ")} hold their value inline`;
    },
  ),
  resource(
    {
      id: "PC-AZ-WEB-001",
      title: "Web apps are HTTPS only",
      severity: "mandatory",
      remediation: "Set httpsOnly: true.",
      references: ["CKV_AZURE_14", "AVD-AZU-0072"],
      types: WEB_APP,
    },
    (r) => (r.inputs["httpsOnly"] === true ? undefined : `httpsOnly is ${show(r.inputs["httpsOnly"])}`),
  ),
  resource(
    {
      id: "PC-AZ-WEB-002",
      title: "Web apps require TLS 1.2",
      severity: "mandatory",
      remediation: 'Set siteConfig.minTlsVersion: "1.2".',
      references: ["CKV_AZURE_15", "AVD-AZU-0006"],
      types: WEB_APP,
    },
    (r) => {
      const v = at(r.inputs, "siteConfig.minTlsVersion");
      return v === undefined || v === "1.2" || v === "1.3" ? undefined : `siteConfig.minTlsVersion is ${show(v)}`;
    },
  ),
  resource(
    {
      id: "PC-AZ-WEB-003",
      title: "Web apps disable remote debugging",
      severity: "advisory",
      remediation: "Set siteConfig.remoteDebuggingEnabled: false.",
      references: ["CKV_AZURE_72"],
      types: WEB_APP,
    },
    (r) => (at(r.inputs, "siteConfig.remoteDebuggingEnabled") === true ? "siteConfig.remoteDebuggingEnabled is true" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-AKS-001",
      title: "AKS clusters use Kubernetes RBAC",
      severity: "mandatory",
      remediation: "Leave enableRBAC at true.",
      references: ["CKV_AZURE_5", "AVD-AZU-0042"],
      types: [AKS],
    },
    (r) => (r.inputs["enableRBAC"] === false ? "enableRBAC is false" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-AKS-002",
      title: "AKS API server is private or limited to known ranges",
      severity: "advisory",
      remediation: "Set apiServerAccessProfile.enablePrivateCluster: true or authorizedIPRanges.",
      references: ["CKV_AZURE_6", "AVD-AZU-0041"],
      types: [AKS],
    },
    (r) => (at(r.inputs, "apiServerAccessProfile.enablePrivateCluster") === true || list(at(r.inputs, "apiServerAccessProfile.authorizedIPRanges")).length > 0 ? undefined : "the API server is open to the internet"),
  ),
  resource(
    {
      id: "PC-AZ-AKS-003",
      title: "AKS clusters enforce network policies",
      severity: "advisory",
      remediation: 'Set networkProfile.networkPolicy ("azure", "calico" or "cilium").',
      references: ["CKV_AZURE_7", "AVD-AZU-0043"],
      types: [AKS],
    },
    (r) => (at(r.inputs, "networkProfile.networkPolicy") === undefined || at(r.inputs, "networkProfile.networkPolicy") === "none" ? "networkProfile.networkPolicy is unset" : undefined),
  ),
  resource(
    {
      id: "PC-AZ-AKS-004",
      title: "AKS local accounts are disabled",
      severity: "advisory",
      remediation: "Set disableLocalAccounts: true and sign in with Entra ID.",
      references: ["CKV_AZURE_141"],
      types: [AKS],
    },
    (r) => (r.inputs["disableLocalAccounts"] === true ? undefined : "disableLocalAccounts is not true"),
  ),
  resource(
    {
      id: "PC-AZ-LOG-001",
      title: "Log Analytics keeps logs for 90 days",
      severity: "advisory",
      remediation: "Set retentionInDays to 90 or more (365 in production).",
      references: [],
      types: ["azure-native:operationalinsights:Workspace"],
    },
    (r) => (typeof r.inputs["retentionInDays"] === "number" && r.inputs["retentionInDays"] >= 90 ? undefined : `retentionInDays is ${show(r.inputs["retentionInDays"])}`),
  ),
];

export const azureRules: readonly Rule[] = [...storage, ...vault, ...data, ...network, ...compute];
