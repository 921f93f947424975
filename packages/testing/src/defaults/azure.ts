/**
 * Azure (azure-native) defaults: ARM resource ids
 * (`/subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`), auto-names like
 * the provider's (`<name><8 chars>`), `location` from the resource group, and the endpoints
 * programs read (vault URI, server FQDN, connection string, container app FQDN).
 *
 * Subscription and tenant: `azure-native:subscriptionId` / `azure-native:tenantId`, else fixed GUIDs.
 */
import type { PropertyBag } from "../types";
import { alnum, hex, lowerFirst, obj, parseToken, plural, str, uuid } from "./common";
import type { DefaultsEnv, Generated, Generator, InvokeDefault, ResourceRequest } from "./common";

export const DEFAULT_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const DEFAULT_TENANT = "00000000-0000-4000-8000-000000000002";
export const DEFAULT_LOCATION = "eastus";
const API_VERSION = "2024-01-01";

function subscriptionOf(env: DefaultsEnv, provider: PropertyBag | undefined): string {
  return (provider === undefined ? undefined : str(provider, "subscriptionId")) ?? env.config("azure-native:subscriptionId") ?? DEFAULT_SUBSCRIPTION;
}
function tenantOf(env: DefaultsEnv, provider: PropertyBag | undefined): string {
  return (provider === undefined ? undefined : str(provider, "tenantId")) ?? env.config("azure-native:tenantId") ?? DEFAULT_TENANT;
}

/** Resource provider namespace per azure-native module. */
const NAMESPACES: Record<string, string> = {
  network: "Microsoft.Network",
  privatedns: "Microsoft.Network",
  dns: "Microsoft.Network",
  storage: "Microsoft.Storage",
  keyvault: "Microsoft.KeyVault",
  dbforpostgresql: "Microsoft.DBforPostgreSQL",
  dbformysql: "Microsoft.DBforMySQL",
  redis: "Microsoft.Cache",
  cache: "Microsoft.Cache",
  redisenterprise: "Microsoft.Cache",
  app: "Microsoft.App",
  managedidentity: "Microsoft.ManagedIdentity",
  authorization: "Microsoft.Authorization",
  operationalinsights: "Microsoft.OperationalInsights",
  insights: "Microsoft.Insights",
  monitor: "Microsoft.Insights",
  applicationinsights: "Microsoft.Insights",
  alertsmanagement: "Microsoft.AlertsManagement",
  containerregistry: "Microsoft.ContainerRegistry",
  containerservice: "Microsoft.ContainerService",
  containerinstance: "Microsoft.ContainerInstance",
  web: "Microsoft.Web",
  sql: "Microsoft.Sql",
  compute: "Microsoft.Compute",
  cdn: "Microsoft.Cdn",
  documentdb: "Microsoft.DocumentDB",
  cosmosdb: "Microsoft.DocumentDB",
  eventhub: "Microsoft.EventHub",
  servicebus: "Microsoft.ServiceBus",
  recoveryservices: "Microsoft.RecoveryServices",
  dataprotection: "Microsoft.DataProtection",
};

/** How a type is addressed: its type path under the namespace, parents from inputs, and its name input. */
interface Shape {
  /** Segments below the namespace: `[typeSegment, nameInputKey]` pairs, the last one is the resource. */
  readonly path: ReadonlyArray<readonly [string, string]>;
  /** ARM type, e.g. `Microsoft.Network/virtualNetworks/subnets`. */
  readonly namespace?: string;
  /** Auto-names are lower-case letters and digits only (storage accounts, registries). */
  readonly compact?: boolean;
  readonly location?: "global";
}

const SHAPES: Record<string, Shape> = {
  "network:Subnet": { path: [["virtualNetworks", "virtualNetworkName"], ["subnets", "subnetName"]] },
  "network:SecurityRule": { path: [["networkSecurityGroups", "networkSecurityGroupName"], ["securityRules", "securityRuleName"]] },
  "network:PublicIPAddress": { path: [["publicIPAddresses", "publicIpAddressName"]] },
  "network:PrivateDnsZoneGroup": { path: [["privateEndpoints", "privateEndpointName"], ["privateDnsZoneGroups", "privateDnsZoneGroupName"]] },
  "privatedns:PrivateZone": { path: [["privateDnsZones", "privateZoneName"]], location: "global" },
  "network:PrivateZone": { path: [["privateDnsZones", "privateZoneName"]], location: "global" },
  "privatedns:VirtualNetworkLink": { path: [["privateDnsZones", "privateZoneName"], ["virtualNetworkLinks", "virtualNetworkLinkName"]], location: "global" },
  "privatedns:PrivateRecordSet": { path: [["privateDnsZones", "privateZoneName"], ["A", "relativeRecordSetName"]] },
  "dns:Zone": { path: [["dnszones", "zoneName"]], location: "global" },
  "storage:StorageAccount": { path: [["storageAccounts", "accountName"]], compact: true },
  "storage:BlobContainer": { path: [["storageAccounts", "accountName"], ["blobServices", "=default"], ["containers", "containerName"]] },
  "storage:BlobServiceProperties": { path: [["storageAccounts", "accountName"], ["blobServices", "=default"]] },
  "storage:ManagementPolicy": { path: [["storageAccounts", "accountName"], ["managementPolicies", "=default"]] },
  "keyvault:Vault": { path: [["vaults", "vaultName"]] },
  "keyvault:Secret": { path: [["vaults", "vaultName"], ["secrets", "secretName"]] },
  "keyvault:Key": { path: [["vaults", "vaultName"], ["keys", "keyName"]] },
  "dbforpostgresql:Server": { path: [["flexibleServers", "serverName"]] },
  "dbforpostgresql:Database": { path: [["flexibleServers", "serverName"], ["databases", "databaseName"]] },
  "dbforpostgresql:FirewallRule": { path: [["flexibleServers", "serverName"], ["firewallRules", "firewallRuleName"]] },
  "dbforpostgresql:Configuration": { path: [["flexibleServers", "serverName"], ["configurations", "configurationName"]] },
  "dbforpostgresql:Administrator": { path: [["flexibleServers", "serverName"], ["administrators", "objectId"]] },
  "redis:Redis": { path: [["redis", "name"]] },
  "cache:Redis": { path: [["redis", "name"]] },
  "redis:FirewallRule": { path: [["redis", "cacheName"], ["firewallRules", "ruleName"]] },
  "redisenterprise:RedisEnterprise": { path: [["redisEnterprise", "clusterName"]] },
  "redisenterprise:Database": { path: [["redisEnterprise", "clusterName"], ["databases", "databaseName"]] },
  "app:ManagedEnvironment": { path: [["managedEnvironments", "environmentName"]] },
  "app:ContainerApp": { path: [["containerApps", "containerAppName"]] },
  "managedidentity:UserAssignedIdentity": { path: [["userAssignedIdentities", "resourceName"]] },
  "operationalinsights:Workspace": { path: [["workspaces", "workspaceName"]] },
  "applicationinsights:Component": { path: [["components", "resourceName"]] },
  "insights:Component": { path: [["components", "resourceName"]] },
  "monitor:ActionGroup": { path: [["actionGroups", "actionGroupName"]], location: "global" },
  "insights:ActionGroup": { path: [["actionGroups", "actionGroupName"]], location: "global" },
  "monitor:MetricAlert": { path: [["metricAlerts", "ruleName"]], location: "global" },
  "insights:MetricAlert": { path: [["metricAlerts", "ruleName"]], location: "global" },
  "containerregistry:Registry": { path: [["registries", "registryName"]], compact: true },
  "containerservice:ManagedCluster": { path: [["managedClusters", "resourceName"]] },
  "web:WebApp": { path: [["sites", "name"]] },
  "web:AppServicePlan": { path: [["serverfarms", "name"]] },
  "sql:Server": { path: [["servers", "serverName"]] },
  "sql:Database": { path: [["servers", "serverName"], ["databases", "databaseName"]] },
};

/** The name input of a type without a shape: `<lowerFirst(Type)>Name`, `resourceName`, or `name`. */
function guessNameKey(req: ResourceRequest, typeName: string): string {
  const candidates = [`${lowerFirst(typeName)}Name`, "resourceName", "name"];
  return candidates.find((k) => req.properties?.has(k) === true || k in req.inputs) ?? candidates[0]!;
}

/** Default outputs for an `azure-native:` resource. */
export const azureResource: Generator = (req): Generated => {
  const { module, name: typeName } = parseToken(req.type);
  const provider = req.env.providerInputs(req.provider);
  const subscription = subscriptionOf(req.env, provider);
  const tenant = tenantOf(req.env, provider);
  const seed = (purpose: string): string => `${req.urn}#${purpose}`;
  const autoname = (compact: boolean): string =>
    compact ? `${req.name.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 16)}${alnum(seed("name"), 8)}` : `${req.name}${hex(seed("name"), 8)}`;
  const rgName = str(req.inputs, "resourceGroupName") ?? "rg";
  const rgId = `/subscriptions/${subscription}/resourceGroups/${rgName}`;
  const rgLocation = req.env.outputsOf("azure-native:resources:ResourceGroup").find((o) => o["name"] === rgName)?.["location"];
  const configLocation = req.env.config("azure-native:location");
  const names: string[] = [];

  if (module === "resources" && typeName === "ResourceGroup") {
    const name = str(req.inputs, "resourceGroupName") ?? autoname(false);
    const location = str(req.inputs, "location") ?? configLocation ?? DEFAULT_LOCATION;
    return {
      id: req.id ?? `/subscriptions/${subscription}/resourceGroups/${name}`,
      outputs: { name, location, type: "Microsoft.Resources/resourceGroups", azureApiVersion: API_VERSION, properties: { provisioningState: "Succeeded" } },
      knownInPreview: ["name", "location"],
    };
  }
  if (module === "authorization" && typeName === "RoleAssignment") {
    const name = str(req.inputs, "roleAssignmentName") ?? uuid(seed("name"));
    const scope = str(req.inputs, "scope") ?? `/subscriptions/${subscription}`;
    return { id: req.id ?? `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, outputs: { name, type: "Microsoft.Authorization/roleAssignments", azureApiVersion: API_VERSION, principalType: req.inputs["principalType"] ?? "ServicePrincipal" }, knownInPreview: ["name"] };
  }

  const namespace = NAMESPACES[module] ?? `Microsoft.${module.charAt(0).toUpperCase()}${module.slice(1)}`;
  const shape = SHAPES[`${module}:${typeName}`] ?? { path: [[plural(lowerFirst(typeName)), guessNameKey(req, typeName)]] };
  const segments: string[] = [];
  let name = "";
  shape.path.forEach(([segment, key], i) => {
    const last = i === shape.path.length - 1;
    let value = key.startsWith("=") ? key.slice(1) : str(req.inputs, key);
    if (value === undefined) value = last ? autoname(shape.compact === true) : "parent";
    if (last) {
      name = value;
      if (!key.startsWith("=")) names.push(key);
    }
    segments.push(segment, value);
  });
  const armType = `${namespace}/${shape.path.map(([s]) => s).join("/")}`;
  const id = `${rgId}/providers/${namespace}/${segments.join("/")}`;
  const location = shape.location ?? str(req.inputs, "location") ?? (typeof rgLocation === "string" ? rgLocation : undefined) ?? configLocation ?? DEFAULT_LOCATION;
  const outputs: PropertyBag = { name, type: armType, azureApiVersion: API_VERSION, provisioningState: "Succeeded" };
  if (req.properties?.has("location") ?? shape.path.length === 1) outputs["location"] = location;
  const lastKey = shape.path[shape.path.length - 1]?.[1];
  if (lastKey !== undefined && !lastKey.startsWith("=")) outputs[lastKey] = name;
  Object.assign(outputs, specifics(`${module}:${typeName}`, { req, name, location, tenant, seed, id }));
  const identity = obj(req.inputs["identity"]);
  if (typeof identity["type"] === "string" && identity["type"].includes("SystemAssigned")) {
    outputs["identity"] = { ...identity, principalId: uuid(seed("principal")), tenantId: tenant };
  }
  return { id: req.id ?? id, outputs, knownInPreview: [...names, "name", "location", "type", "azureApiVersion"] };
};

interface SpecificCtx {
  readonly req: ResourceRequest;
  readonly name: string;
  readonly location: string;
  readonly tenant: string;
  readonly id: string;
  seed(purpose: string): string;
}

/** Computed outputs of well-known types. */
function specifics(key: string, c: SpecificCtx): PropertyBag {
  const properties = obj(c.req.inputs["properties"]);
  switch (key) {
    case "storage:StorageAccount": {
      const base = (svc: string): string => `https://${c.name}.${svc}.core.windows.net/`;
      return { primaryEndpoints: { blob: base("blob"), dfs: base("dfs"), file: base("file"), queue: base("queue"), table: base("table"), web: `https://${c.name}.z13.web.core.windows.net/` }, primaryLocation: c.location, statusOfPrimary: "available" };
    }
    case "keyvault:Vault":
      return { properties: { ...properties, vaultUri: `https://${c.name}.vault.azure.net/`, tenantId: properties["tenantId"] ?? c.tenant, provisioningState: "Succeeded" } };
    case "keyvault:Secret": {
      const vault = str(c.req.inputs, "vaultName") ?? "vault";
      const uri = `https://${vault}.vault.azure.net/secrets/${c.name}`;
      return { properties: { ...properties, secretUri: uri, secretUriWithVersion: `${uri}/${hex(c.seed("version"), 32)}` } };
    }
    case "keyvault:Key": {
      const vault = str(c.req.inputs, "vaultName") ?? "vault";
      const uri = `https://${vault}.vault.azure.net/keys/${c.name}`;
      return { keyUri: uri, keyUriWithVersion: `${uri}/${hex(c.seed("version"), 32)}` };
    }
    case "dbforpostgresql:Server":
      return { fullyQualifiedDomainName: `${c.name}.postgres.database.azure.com`, state: "Ready" };
    case "redis:Redis":
    case "cache:Redis":
      return { hostName: `${c.name}.redis.cache.windows.net`, port: 6379, sslPort: 6380 };
    case "redisenterprise:RedisEnterprise":
      // Azure Managed Redis: one DNS name per cluster, in its region.
      return { hostName: `${c.name}.${c.location}.redis.azure.net`, provisioningState: "Succeeded", resourceState: "Running" };
    case "redisenterprise:Database":
      return { port: Number(c.req.inputs["port"] ?? 10000), provisioningState: "Succeeded", resourceState: "Running" };
    case "app:ManagedEnvironment":
      return {
        // The id a custom domain's TXT record (asuid.<domain>) proves ownership with.
        customDomainConfiguration: { ...obj(c.req.inputs["customDomainConfiguration"]), customDomainVerificationId: hex(c.seed("verification"), 64).toUpperCase() },
        defaultDomain: `${alnum(c.seed("domain"), 8)}-${alnum(c.seed("domain2"), 8)}.${c.location}.azurecontainerapps.io`, staticIp: `20.${parseInt(hex(c.seed("ip"), 2), 16)}.${parseInt(hex(c.seed("ip2"), 2), 16)}.10`,
      };
    case "app:ContainerApp": {
      // The app's domain is its environment's (matched by the name at the end of managedEnvironmentId).
      const envName = String(c.req.inputs["managedEnvironmentId"] ?? c.req.inputs["environmentId"] ?? "").split("/").pop();
      const envDomain = c.req.env.outputsOf("azure-native:app:ManagedEnvironment").find((o) => o["name"] === envName)?.["defaultDomain"];
      const domain = typeof envDomain === "string" ? envDomain : `${alnum(c.seed("env"), 8)}-${alnum(c.seed("env2"), 8)}.${c.location}.azurecontainerapps.io`;
      const revision = `${c.name}--${alnum(c.seed("rev"), 7)}`;
      const configuration = obj(c.req.inputs["configuration"]);
      const ingress = obj(configuration["ingress"]);
      return {
        latestRevisionName: revision,
        latestReadyRevisionName: revision,
        latestRevisionFqdn: `${revision}.${domain}`,
        outboundIpAddresses: [`20.${parseInt(hex(c.seed("out"), 2), 16)}.0.1`],
        ...(configuration["ingress"] === undefined ? {} : { configuration: { ...configuration, ingress: { ...ingress, fqdn: `${c.name}${ingress["external"] === false ? ".internal" : ""}.${domain}` } } }),
      };
    }
    case "cdn:AFDEndpoint":
      // Front Door names each endpoint's host after it, with a hash: <endpoint>-<hash>.z01.azurefd.net.
      return { hostName: `${String(c.req.inputs["endpointName"] ?? c.name)}-${alnum(c.seed("host"), 16)}.z01.azurefd.net` };
    case "cdn:AFDCustomDomain":
      // The token of the domain's TXT record (_dnsauth.<domain>), which Front Door validates before it issues the certificate.
      return { validationProperties: { validationToken: alnum(c.seed("token"), 32) } };
    case "managedidentity:UserAssignedIdentity":
      return { principalId: uuid(c.seed("principal")), clientId: uuid(c.seed("client")), tenantId: c.tenant };
    case "operationalinsights:Workspace":
      return { customerId: uuid(c.seed("customer")) };
    case "applicationinsights:Component":
    case "insights:Component": {
      const key = uuid(c.seed("ikey"));
      const appId = uuid(c.seed("app"));
      return { instrumentationKey: key, appId, connectionString: `InstrumentationKey=${key};IngestionEndpoint=https://${c.location}-0.in.applicationinsights.azure.com/;LiveEndpoint=https://${c.location}.livediagnostics.monitor.azure.com/;ApplicationId=${appId}` };
    }
    case "containerregistry:Registry":
      return { loginServer: `${c.name}.azurecr.io` };
    case "containerservice:ManagedCluster": {
      const prefix = str(c.req.inputs, "dnsPrefix") ?? c.name;
      return { fqdn: `${prefix}-${alnum(c.seed("fqdn"), 8)}.hcp.${c.location}.azmk8s.io`, oidcIssuerProfile: { issuerURL: `https://${c.location}.oic.prod-aks.azure.com/${c.tenant}/${uuid(c.seed("oidc"))}/` }, identityProfile: { kubeletidentity: { clientId: uuid(c.seed("kc")), objectId: uuid(c.seed("ko")) } } };
    }
    case "web:WebApp":
      return { defaultHostName: `${c.name}.azurewebsites.net` };
    case "sql:Server":
      return { fullyQualifiedDomainName: `${c.name}.database.windows.net` };
    case "network:PublicIPAddress":
      return { ipAddress: `20.${parseInt(hex(c.seed("ip"), 2), 16)}.${parseInt(hex(c.seed("ip2"), 2), 16)}.${(parseInt(hex(c.seed("ip3"), 2), 16) % 253) + 1}` };
    case "dns:Zone":
      return { nameServers: ["ns1-01.azure-dns.com.", "ns2-01.azure-dns.net.", "ns3-01.azure-dns.org.", "ns4-01.azure-dns.info."] };
    default:
      return {};
  }
}

/** Invokes answered out of the box. */
export const azureInvokes: Record<string, InvokeDefault> = {
  "azure-native:authorization:getClientConfig": (_inputs, env, provider) => {
    const p = env.providerInputs(provider);
    return { clientId: uuid("polycloud-test-client"), objectId: uuid("polycloud-test-object"), subscriptionId: subscriptionOf(env, p), tenantId: tenantOf(env, p) };
  },
  // A Logic App trigger's callback URL (signed; the signature is a secret in real answers too).
  "azure-native:logic:listWorkflowTriggerCallbackUrl": (inputs, env, provider) => {
    const workflow = String(inputs["workflowName"] ?? "workflow");
    const trigger = String(inputs["triggerName"] ?? "manual");
    const location = env.config("azure-native:location") ?? DEFAULT_LOCATION;
    const base = `https://prod-00.${location}.logic.azure.com/workflows/${hex(`${subscriptionOf(env, env.providerInputs(provider))}/${workflow}`, 32)}/triggers/${trigger}/paths/invoke`;
    return { value: `${base}?api-version=2016-10-01&sp=%2Ftriggers%2F${trigger}%2Frun&sv=1.0&sig=${alnum(`sig/${workflow}`, 43)}`, method: "POST", basePath: base };
  },
  "azure-native:resources:getResourceGroup": (inputs, env, provider) => {
    const name = String(inputs["resourceGroupName"] ?? "rg");
    const location = env.outputsOf("azure-native:resources:ResourceGroup").find((o) => o["name"] === name)?.["location"] ?? env.config("azure-native:location") ?? DEFAULT_LOCATION;
    return { id: `/subscriptions/${subscriptionOf(env, env.providerInputs(provider))}/resourceGroups/${name}`, name, location, type: "Microsoft.Resources/resourceGroups", properties: { provisioningState: "Succeeded" } };
  },
};
