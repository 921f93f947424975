import { PolycloudError } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { network } from "./__tests__/fixtures";
import { Network, type NetworkArgs } from "./network";

const T = {
  rg: "azure-native:resources:ResourceGroup",
  workspace: "azure-native:operationalinsights:Workspace",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  nsg: "azure-native:network:NetworkSecurityGroup",
  rule: "azure-native:network:SecurityRule",
  ip: "azure-native:network:PublicIPAddress",
  nat: "azure-native:network:NatGateway",
  zone: "azure-native:privatedns:PrivateZone",
  link: "azure-native:privatedns:VirtualNetworkLink",
  account: "azure-native:storage:StorageAccount",
  flowLog: "azure-native:network:FlowLog",
  insights: "azure-native:applicationinsights:Component",
};

const run = (extra: Partial<NetworkArgs> = {}, after?: (net: Network) => void) =>
  runProgram(() => {
    const net = new Network("shop-network", { app: "shop", network, services: ["web", "api"], ...extra });
    after?.(net);
  }, { provider: "azure" });

// The default network, planned once for every test of the defaults (plans are costly).
let defaults: Plan;
beforeAll(async () => {
  defaults = await run();
}, 60_000);

describe("Network", () => {
  it("defaults to a resource group of its own, a workspace and workspace-based Application Insights", () => {
    const plan = defaults;
    expect(plan.find(T.rg).inputs["resourceGroupName"]).toBe("shop-dev-rg");
    const workspace = plan.find(T.workspace);
    expect(workspace.inputs).toMatchObject({ resourceGroupName: "shop-dev-rg", retentionInDays: 30, features: { disableLocalAuth: true } });
    expect(plan.find(T.insights).inputs).toMatchObject({ workspaceResourceId: workspace.id, ingestionMode: "LogAnalytics" });
  });

  it("defaults to delegated subnets: Container Apps per service, PostgreSQL for the database, policies on for private endpoints", () => {
    const plan = defaults;
    const subnets = Object.fromEntries(plan.resources(T.subnet).map((s) => [s.inputs["subnetName"], s.inputs]));
    expect(Object.keys(subnets)).toEqual(["private-endpoints", "database", "service-web", "service-api"]);
    expect(subnets["service-web"]).toMatchObject({ addressPrefix: "10.0.0.64/27", defaultOutboundAccess: false, delegations: [{ serviceName: "Microsoft.App/environments" }] });
    expect(subnets["database"]).toMatchObject({ delegations: [{ serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }] });
    expect(subnets["private-endpoints"]).toMatchObject({ privateEndpointNetworkPolicies: "Enabled" });
    expect(plan.find(T.vnet).inputs["addressSpace"]).toEqual({ addressPrefixes: ["10.0.0.0/16"] });
  });

  it("defaults to an NSG on every subnet that denies the rest of the VNet and lets only the subnet itself in", () => {
    const plan = defaults;
    const groups = plan.resources(T.nsg);
    for (const subnet of plan.resources(T.subnet)) {
      const group = groups.find((g) => g.id === (subnet.inputs["networkSecurityGroup"] as { id: string }).id)!;
      const rules = plan.resources(T.rule).filter((r) => r.inputs["networkSecurityGroupName"] === group.outputs["name"]);
      expect(rules.map((r) => [r.inputs["access"], r.inputs["priority"], r.inputs["sourceAddressPrefix"]])).toEqual([
        ["Allow", 100, subnet.inputs["addressPrefix"]],
        ["Deny", 4000, "VirtualNetwork"],
      ]);
    }
  });

  it("lets a service's subnet into another's above the deny when allowFrom is called, one priority after another", async () => {
    const plan = await run({}, (net) => {
      net.allowFrom({ kind: "service", name: "api" }, { kind: "service", name: "web" }, [80, 443], "web");
      net.allowFrom({ kind: "service", name: "web" }, { kind: "internet" }, [80, 443], "internet");
      net.allowFrom({ kind: "service", name: "web" }, { kind: "frontDoor" }, [443], "front-door");
    });
    expect(plan.find(T.rule, "shop-network-service-api-allow-web").inputs).toMatchObject({ priority: 200, sourceAddressPrefix: "10.0.0.64/27", destinationAddressPrefix: "10.0.0.96/27", destinationPortRanges: ["80", "443"], protocol: "Tcp", direction: "Inbound" });
    expect(plan.find(T.rule, "shop-network-service-web-allow-internet").inputs).toMatchObject({ priority: 200, sourceAddressPrefix: "Internet" });
    expect(plan.find(T.rule, "shop-network-service-web-allow-front-door").inputs).toMatchObject({ priority: 201, sourceAddressPrefix: "AzureFrontDoor.Backend" });
  });

  it("defaults to a NAT gateway with a static Standard IP on the service subnets only", () => {
    const plan = defaults;
    expect(plan.find(T.ip).inputs).toMatchObject({ sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
    const nat = plan.find(T.nat);
    expect(nat.inputs).toMatchObject({ sku: { name: "Standard" }, publicIpAddresses: [{ id: plan.find(T.ip).id }] });
    const withNat = plan.resources(T.subnet).filter((s) => (s.inputs["natGateway"] as { id?: string } | undefined)?.id === nat.id);
    expect(withNat.map((s) => s.inputs["subnetName"])).toEqual(["service-web", "service-api"]);
  });

  it("creates no NAT gateway when nat is none, and a zone-redundant IP when perZone", async () => {
    expect((await run({ network: { ...network, nat: "none" } })).resources(T.nat)).toHaveLength(0);
    expect((await run({ network: { ...network, nat: "perZone" } })).find(T.ip).inputs["zones"]).toEqual(["1", "2", "3"]);
  });

  it("defaults to private DNS zones for every private endpoint and the database, each linked to the VNet", () => {
    const plan = defaults;
    const zones = plan.resources(T.zone).map((z) => z.inputs["privateZoneName"]);
    expect(zones).toEqual(["privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net", "privatelink.redis.azure.net", "shop-dev.private.postgres.database.azure.com"]);
    const vnet = plan.find(T.vnet);
    expect(plan.resources(T.link).map((l) => l.inputs["virtualNetwork"])).toEqual(zones.map(() => ({ id: vnet.id })));
    expect(plan.resources(T.link).every((l) => l.inputs["registrationEnabled"] === false)).toBe(true);
  });

  it("defaults to a VNet flow log kept at least 90 days, with traffic analytics, in a hardened account", () => {
    const plan = defaults;
    const account = plan.find(T.account);
    expect(account.inputs).toMatchObject({ enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false, allowSharedKeyAccess: false, publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } });
    expect(plan.find(T.flowLog).inputs).toMatchObject({
      targetResourceId: plan.find(T.vnet).id,
      storageId: account.id,
      resourceGroupName: "NetworkWatcherRG",
      networkWatcherName: "NetworkWatcher_eastus",
      retentionPolicy: { enabled: true, days: 90 },
      flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceResourceId: plan.find(T.workspace).id } },
    });
  });

  it("keeps flow logs for the log retention when it is longer than 90 days", async () => {
    expect((await run({ logRetentionDays: 365 })).find(T.flowLog).inputs["retentionPolicy"]).toEqual({ enabled: true, days: 365 });
  });

  it("builds in the given resource group and location, creating none, when resourceGroupName and location are set", async () => {
    const plan = await run({ resourceGroupName: "platform-rg", location: "westeurope", networkWatcher: { name: "nw", resourceGroupName: "nw-rg" } });
    expect(plan.resources(T.rg)).toHaveLength(0);
    expect(plan.find(T.vnet).inputs).toMatchObject({ resourceGroupName: "platform-rg", location: "westeurope" });
    expect(plan.find(T.flowLog).inputs).toMatchObject({ networkWatcherName: "nw", resourceGroupName: "nw-rg", location: "westeurope" });
  });

  it("uses the given workspace and creates none when workspaceId is set", async () => {
    const plan = await run({ workspaceId: "/workspaces/central" });
    expect(plan.resources(T.workspace)).toHaveLength(0);
    expect(plan.find(T.insights).inputs["workspaceResourceId"]).toBe("/workspaces/central");
  });

  it("tags every taggable child with the app and environment when tags are given", async () => {
    const plan = await run({ tags: { team: "payments" } });
    for (const type of [T.rg, T.vnet, T.nsg, T.nat, T.zone, T.account]) {
      for (const r of plan.resources(type)) expect(r.inputs["tags"]).toMatchObject({ team: "payments", app: "shop", environment: "development", "managed-by": "polycloud" });
    }
  });

  it("throws PolycloudError naming network.cidr, before creating anything, when the services do not fit", async () => {
    let caught: unknown;
    const plan = await runProgram(() => {
      try {
        new Network("shop-network", { app: "shop", network: { ...network, cidr: "10.0.0.0/24" }, services: ["a", "b", "c", "d", "e", "f", "g"] });
      } catch (error) {
        caught = error;
      }
    }, { provider: "azure" });
    expect(caught).toBeInstanceOf(PolycloudError);
    expect((caught as PolycloudError).problems).toEqual([{ path: "network.cidr", message: "network 10.0.0.0/24 has room for 6 service subnet(s) of /27, and 7 services need one each", fix: "use a larger network, e.g. 10.0.0.0/16" }]);
    expect(plan.resources().filter((r) => r.custom)).toEqual([]);
  });
});

describe("Network diagnostics", () => {
  it("defaults to sending NSG events, the VNet's, NAT's and IP's metrics and the workspace's audit to the workspace", () => {
    const plan = defaults;
    const workspace = plan.find(T.workspace).id;
    const settings = plan.resources("azure-native:monitor:DiagnosticSetting").filter((d) => d.inputs["workspaceId"] === workspace);
    const on = (id: string | undefined) => settings.find((d) => d.inputs["resourceUri"] === id)?.inputs;
    expect(on(plan.find(T.vnet).id)).toMatchObject({ metrics: [{ category: "AllMetrics", enabled: true }] });
    expect(on(plan.find(T.vnet).id)?.["logs"]).toBeUndefined();
    for (const group of plan.resources(T.nsg)) expect(on(group.id)).toMatchObject({ logs: [{ categoryGroup: "allLogs", enabled: true }] });
    expect(on(plan.find(T.nat).id)).toMatchObject({ metrics: [{ category: "AllMetrics" }] });
    expect(on(plan.find(T.ip).id)).toMatchObject({ logs: [{ categoryGroup: "allLogs" }], metrics: [{ category: "AllMetrics" }] });
    expect(on(workspace)).toMatchObject({ logs: [{ categoryGroup: "allLogs" }] });
  });
});
