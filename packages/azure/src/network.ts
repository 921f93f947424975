import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, PolycloudError, transformed, type NetworkArgs as CoreNetworkArgs, type NetworkOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { childOptions, physicalNameOf, placed, scopeOf, type Scope } from "./scope";
import { hardenedAccountArgs, replicationFor } from "./storage-account";
import { planSubnets, type SubnetPlan } from "./subnets";

/** The private DNS zones of the private endpoints and the database, by what they resolve. */
export const PRIVATE_DNS_ZONES = {
  blob: "privatelink.blob.core.windows.net",
  vault: "privatelink.vaultcore.azure.net",
  redis: "privatelink.redis.azure.net",
} as const;
export type PrivateZoneKey = keyof typeof PRIVATE_DNS_ZONES | "postgres";

/** A subnet of the network: the private endpoints', the database's, or a service's. */
export type SubnetKey = { readonly kind: "privateEndpoints" } | { readonly kind: "database" } | { readonly kind: "service"; readonly name: string };

/** Who an NSG rule lets in: a service's subnet, the internet, or Azure Front Door's backends. */
export type RuleSource = { readonly kind: "service"; readonly name: string } | { readonly kind: "internet" } | { readonly kind: "frontDoor" };

/** The address prefix (or service tag) of a rule source that is not a subnet of the network. */
const SOURCE_TAGS = { internet: "Internet", frontDoor: "AzureFrontDoor.Backend" } as const;

export interface NetworkArgs extends CoreNetworkArgs {
  /** Services that get a subnet (and a Container Apps environment) each, in order. @default [] */
  readonly services?: readonly string[];
  /**
   * Name of an existing resource group to build in.
   * @default - a resource group `<app>-<env>-rg` is created
   */
  readonly resourceGroupName?: string;
  /** Azure location of everything, e.g. `westeurope`. @default - the provider's `azure-native:location` (or the existing group's) */
  readonly location?: string;
  /**
   * The Network Watcher the VNet flow log belongs to. Azure creates one per region when a virtual
   * network is first created there.
   * @default { name: "NetworkWatcher_<location>", resourceGroupName: "NetworkWatcherRG" }
   */
  readonly networkWatcher?: { readonly name: pulumi.Input<string>; readonly resourceGroupName: pulumi.Input<string> };
  /** Log Analytics workspace id to send diagnostics to. @default - a workspace is created */
  readonly workspaceId?: pulumi.Input<string>;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: DiagnosticsTransforms & {
    resourceGroup?: Transform<resources.ResourceGroupArgs>;
    workspace?: Transform<operationalinsights.WorkspaceArgs>;
    applicationInsights?: Transform<applicationinsights.ComponentArgs>;
    virtualNetwork?: Transform<network.VirtualNetworkArgs>;
    subnet?: Transform<network.SubnetArgs>;
    securityGroup?: Transform<network.NetworkSecurityGroupArgs>;
    securityRule?: Transform<network.SecurityRuleArgs>;
    natIp?: Transform<network.PublicIPAddressArgs>;
    natGateway?: Transform<network.NatGatewayArgs>;
    privateZone?: Transform<privatedns.PrivateZoneArgs>;
    zoneLink?: Transform<privatedns.VirtualNetworkLinkArgs>;
    flowLogAccount?: Transform<storage.StorageAccountArgs>;
    flowLog?: Transform<network.FlowLogArgs>;
  };
}

/** NSG priorities: allow rules count up from here, the VNet deny sits below them. */
const FIRST_ALLOW_PRIORITY = 200;
const DENY_VNET_PRIORITY = 4000;

/**
 * The application's network on Azure: a resource group (or a given one), a Log Analytics workspace,
 * a VNet with a private-endpoint subnet, a database subnet delegated to PostgreSQL Flexible Server,
 * and one subnet per service delegated to Container Apps; a network security group on every subnet
 * that denies traffic from the rest of the VNet unless a grant allows it ({@link Network.allowFrom});
 * workspace-based Application Insights for the services' telemetry; a NAT gateway with a static public IP for the services' egress; private DNS zones linked to the
 * VNet for every private endpoint and for the database; and a VNet flow log (traffic analytics to the
 * workspace, kept at least 90 days) in a hardened storage account.
 *
 * @example
 * const net = new Network("shop-network", { app: "shop", network: spec.network, services: ["web"] });
 */
export class Network extends PolycloudComponent implements NetworkOutputs {
  readonly networkId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  readonly location: pulumi.Output<string>;
  readonly workspaceId: pulumi.Output<string>;
  /** Workspace-based Application Insights: services send their telemetry here, SLO alerts read it. */
  readonly applicationInsights: applicationinsights.Component;
  readonly virtualNetwork: network.VirtualNetwork;
  readonly plan: SubnetPlan;
  /** Subnet ids: `privateEndpoints`, `database`, and `service:<name>`. */
  readonly subnetIds: Readonly<Record<string, pulumi.Output<string>>>;
  /** Private DNS zone ids by what they resolve. */
  readonly privateZoneIds: Readonly<Record<PrivateZoneKey, pulumi.Output<string>>>;
  private readonly scope: Scope;
  private readonly securityGroups: Record<string, network.NetworkSecurityGroup> = {};
  private readonly nextPriority: Record<string, number> = {};
  private readonly t: NonNullable<NetworkArgs["transform"]>;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "Network", name, args, opts);
    const services = args.services ?? [];
    this.plan = validatedPlan(args.network.cidr, services);
    this.t = args.transform ?? {};
    const group = this.createResourceGroup(name, args);
    this.resourceGroupName = group.name;
    this.location = group.location;
    this.scope = scopeOf(this, name, { resourceGroupName: group.name, location: group.location });
    this.workspaceId = args.workspaceId === undefined ? this.createWorkspace() : pulumi.output(args.workspaceId);
    this.applicationInsights = new applicationinsights.Component(
      ...transformed(
        `${name}-insights`,
        { ...placed(this.scope), kind: "web", applicationType: "web", workspaceResourceId: this.workspaceId, ingestionMode: "LogAnalytics", retentionInDays: Math.max(30, this.defaults.logRetentionDays) },
        childOptions(this.scope),
        this.t.applicationInsights,
      ),
    );

    this.virtualNetwork = new network.VirtualNetwork(
      ...transformed(`${name}-vnet`, { ...placed(this.scope), addressSpace: { addressPrefixes: [args.network.cidr] } }, childOptions(this.scope), this.t.virtualNetwork),
    );
    this.networkId = this.virtualNetwork.id;
    const egress = args.network.nat === "none" ? undefined : this.createNatGateway(args.network.nat === "perZone");
    this.subnetIds = this.createSubnets(services, egress?.nat);
    this.sendDiagnostics(egress, args.workspaceId === undefined);
    this.privateZoneIds = this.createPrivateZones();
    this.createFlowLog(args);
    this.registerOutputs({ networkId: this.networkId, resourceGroupName: this.resourceGroupName, workspaceId: this.workspaceId });
  }

  /** The id of a subnet. */
  subnetId(key: SubnetKey): pulumi.Output<string> {
    const id = this.subnetIds[subnetName(key)];
    if (id === undefined) throw new Error(`Network ${this.scope.name} has no subnet for ${subnetName(key)}; add the service to its services`);
    return id;
  }

  /**
   * Lets `source` into `target` on `ports` (TCP): an NSG rule on the target's subnet above its
   * VNet deny. A service's source is its subnet's range; the internet and Front Door are service tags.
   */
  allowFrom(target: SubnetKey, source: RuleSource, ports: readonly number[], label: string): network.SecurityRule {
    const key = subnetName(target);
    const group = this.securityGroups[key];
    if (group === undefined) throw new Error(`Network ${this.scope.name} has no subnet for ${key}`);
    const priority = this.nextPriority[key] ?? FIRST_ALLOW_PRIORITY;
    this.nextPriority[key] = priority + 1;
    const prefix = source.kind === "service" ? this.cidrOf({ kind: "service", name: source.name }) : SOURCE_TAGS[source.kind];
    return this.securityRule(group, `${key}-allow-${label}`, {
      access: "Allow",
      priority,
      sourceAddressPrefix: prefix,
      destinationAddressPrefix: this.cidrOf(target),
      destinationPortRanges: ports.map(String),
      protocol: "Tcp",
    });
  }

  private cidrOf(key: SubnetKey): string {
    const cidr = key.kind === "service" ? this.plan.services[key.name] : this.plan[key.kind];
    if (cidr === undefined) throw new Error(`Network ${this.scope.name} has no subnet for ${subnetName(key)}`);
    return cidr;
  }

  /** Logs and metrics of the network's own resources: NSG events, the NAT's and its IP's traffic, the VNet's and the workspace's. */
  private sendDiagnostics(egress: { nat: network.NatGateway; ip: network.PublicIPAddress } | undefined, ownWorkspace: boolean): void {
    const to = (label: string, id: pulumi.Input<string>, options: { logs?: boolean; metrics?: boolean }) => sendDiagnostics(this.scope, `${this.scope.name}-${label}`, id, this.workspaceId, options, this.t.diagnostics);
    to("vnet", this.virtualNetwork.id, { logs: false });
    for (const [label, group] of Object.entries(this.securityGroups)) to(`${label}-nsg`, group.id, { metrics: false });
    if (egress !== undefined) {
      to("nat", egress.nat.id, { logs: false });
      to("nat-ip", egress.ip.id, {});
    }
    // The workspace's own audit (who queried what), when it is this network's.
    if (ownWorkspace) to("logs", this.workspaceId, {});
  }

  private createResourceGroup(name: string, args: NetworkArgs): { name: pulumi.Output<string>; location: pulumi.Output<string> } {
    if (args.resourceGroupName !== undefined) {
      const existing = resources.getResourceGroupOutput({ resourceGroupName: args.resourceGroupName }, { parent: this });
      return { name: existing.name, location: args.location === undefined ? existing.location : pulumi.output(args.location) };
    }
    const { app, environment } = this.defaults;
    const scope = scopeOf(this, name, { resourceGroupName: "" });
    const group = new resources.ResourceGroup(
      ...transformed(
        `${name}-rg`,
        { resourceGroupName: physicalName("azure", "resourceGroup", { app, environment, name: "rg" }), ...(args.location === undefined ? {} : { location: args.location }), tags: scope.tags },
        childOptions(scope),
        this.t.resourceGroup,
      ),
    );
    return { name: group.name, location: group.location };
  }

  private createWorkspace(): pulumi.Output<string> {
    const workspace = new operationalinsights.Workspace(
      ...transformed(
        `${this.scope.name}-logs`,
        {
          ...placed(this.scope),
          workspaceName: physicalNameOf(this.scope, "logAnalyticsWorkspace", "logs"),
          sku: { name: "PerGB2018" },
          retentionInDays: Math.max(30, this.defaults.logRetentionDays),
          features: { disableLocalAuth: true },
        },
        childOptions(this.scope),
        this.t.workspace,
      ),
    );
    return workspace.id;
  }

  private createNatGateway(zoneRedundantIp: boolean): { nat: network.NatGateway; ip: network.PublicIPAddress } {
    const ip = new network.PublicIPAddress(
      ...transformed(
        `${this.scope.name}-nat-ip`,
        {
          ...placed(this.scope),
          sku: { name: "Standard", tier: "Regional" },
          publicIPAllocationMethod: "Static",
          publicIPAddressVersion: "IPv4",
          ...(zoneRedundantIp ? { zones: ["1", "2", "3"] } : {}),
        },
        childOptions(this.scope),
        this.t.natIp,
      ),
    );
    const nat = new network.NatGateway(
      ...transformed(
        `${this.scope.name}-nat`,
        { ...placed(this.scope), sku: { name: "Standard" }, idleTimeoutInMinutes: 4, publicIpAddresses: [{ id: ip.id }] },
        childOptions(this.scope),
        this.t.natGateway,
      ),
    );
    return { nat, ip };
  }

  /** One NSG and subnet per key; subnets one after another (a VNet accepts one subnet change at a time). */
  private createSubnets(services: readonly string[], nat: network.NatGateway | undefined): Record<string, pulumi.Output<string>> {
    const keys: SubnetKey[] = [{ kind: "privateEndpoints" }, { kind: "database" }, ...services.map((name): SubnetKey => ({ kind: "service", name }))];
    const ids: Record<string, pulumi.Output<string>> = {};
    let previous: network.Subnet | undefined;
    for (const key of keys) {
      const label = subnetName(key);
      const group = new network.NetworkSecurityGroup(
        ...transformed(`${this.scope.name}-${label}-nsg`, { ...placed(this.scope) }, childOptions(this.scope), this.t.securityGroup),
      );
      this.securityGroups[label] = group;
      const cidr = this.cidrOf(key);
      // Everything inside a subnet talks to itself (a Container Apps environment's own nodes and load balancer).
      this.securityRule(group, `${label}-allow-self`, { access: "Allow", priority: 100, sourceAddressPrefix: cidr, destinationAddressPrefix: cidr, destinationPortRange: "*", protocol: "*" });
      // Azure's default rule 65000 lets the whole VNet in; grants above this deny are the only way through.
      this.securityRule(group, `${label}-deny-vnet`, { access: "Deny", priority: DENY_VNET_PRIORITY, sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "*", destinationPortRange: "*", protocol: "*" });
      const subnet: network.Subnet = new network.Subnet(
        ...transformed(
          `${this.scope.name}-${label}`,
          {
            resourceGroupName: this.scope.resourceGroupName,
            virtualNetworkName: this.virtualNetwork.name,
            subnetName: label,
            addressPrefix: cidr,
            networkSecurityGroup: { id: group.id },
            defaultOutboundAccess: false,
            ...subnetRole(key, nat),
          },
          childOptions(this.scope, previous === undefined ? {} : { dependsOn: [previous] }),
          this.t.subnet,
        ),
      );
      previous = subnet;
      ids[label] = subnet.id;
    }
    return ids;
  }

  private securityRule(group: network.NetworkSecurityGroup, label: string, rule: Omit<network.SecurityRuleArgs, "resourceGroupName" | "networkSecurityGroupName" | "direction" | "sourcePortRange">): network.SecurityRule {
    return new network.SecurityRule(
      ...transformed(
        `${this.scope.name}-${label}`,
        { resourceGroupName: this.scope.resourceGroupName, networkSecurityGroupName: group.name, securityRuleName: label, direction: "Inbound", sourcePortRange: "*", ...rule },
        childOptions(this.scope),
        this.t.securityRule,
      ),
    );
  }

  private createPrivateZones(): Record<PrivateZoneKey, pulumi.Output<string>> {
    const { app, environment } = this.defaults;
    // A VNet-integrated flexible server needs a zone ending in .postgres.database.azure.com of its own.
    const zones: Record<PrivateZoneKey, string> = { ...PRIVATE_DNS_ZONES, postgres: `${physicalName("azure", "resourceGroup", { app, environment })}.private.postgres.database.azure.com` };
    return Object.fromEntries(
      Object.entries(zones).map(([key, zoneName]) => {
        const zone = new privatedns.PrivateZone(
          ...transformed(`${this.scope.name}-dns-${key}`, { resourceGroupName: this.scope.resourceGroupName, privateZoneName: zoneName, location: "global", tags: this.scope.tags }, childOptions(this.scope), this.t.privateZone),
        );
        new privatedns.VirtualNetworkLink(
          ...transformed(
            `${this.scope.name}-dns-${key}-link`,
            { resourceGroupName: this.scope.resourceGroupName, privateZoneName: zone.name, location: "global", virtualNetwork: { id: this.virtualNetwork.id }, registrationEnabled: false, tags: this.scope.tags },
            childOptions(this.scope),
            this.t.zoneLink,
          ),
        );
        return [key, zone.id];
      }),
    ) as Record<PrivateZoneKey, pulumi.Output<string>>;
  }

  private createFlowLog(args: NetworkArgs): void {
    const account = new storage.StorageAccount(
      ...transformed(`${this.scope.name}-flowlogs`, hardenedAccountArgs(this.scope, "flow", replicationFor("development")), childOptions(this.scope), this.t.flowLogAccount),
    );
    const watcher = args.networkWatcher ?? { name: pulumi.interpolate`NetworkWatcher_${this.location}`, resourceGroupName: "NetworkWatcherRG" };
    new network.FlowLog(
      ...transformed(
        `${this.scope.name}-flowlog`,
        {
          networkWatcherName: watcher.name,
          resourceGroupName: watcher.resourceGroupName,
          location: this.location,
          targetResourceId: this.virtualNetwork.id,
          storageId: account.id,
          enabled: true,
          format: { type: "JSON", version: 2 },
          // At least 90 days whatever the log retention, so an incident can be traced back a quarter.
          retentionPolicy: { enabled: true, days: Math.max(90, this.defaults.logRetentionDays) },
          flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceResourceId: this.workspaceId, trafficAnalyticsInterval: 10 } },
          tags: this.scope.tags,
        },
        childOptions(this.scope),
        this.t.flowLog,
      ),
    );
  }
}

function subnetName(key: SubnetKey): string {
  return key.kind === "service" ? `service-${key.name}` : key.kind === "database" ? "database" : "private-endpoints";
}

/** Delegation, NAT and endpoint policies of a subnet by what it holds. */
function subnetRole(key: SubnetKey, nat: network.NatGateway | undefined): Partial<network.SubnetArgs> {
  switch (key.kind) {
    case "service":
      return { delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }], ...(nat === undefined ? {} : { natGateway: { id: nat.id } }) };
    case "database":
      return { delegations: [{ name: "postgres-flexible", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }] };
    default:
      // NSG rules apply to private endpoints only with network policies on.
      return { privateEndpointNetworkPolicies: "Enabled" };
  }
}

/** The subnet plan, or core's error naming the network and the fix. */
function validatedPlan(cidr: string, services: readonly string[]): SubnetPlan {
  try {
    return planSubnets(cidr, services);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new PolycloudError([{ path: "network.cidr", message: error.message.replace(/: use .*$/, ""), fix: "use a larger network, e.g. 10.0.0.0/16" }], "Network cannot be built on Azure");
  }
}
