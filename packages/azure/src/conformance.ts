/**
 * `@polycloud/azure/conformance`: what an Azure plan shows, in the conformance suite's terms. The
 * reader derives an {@link Observation} from the recorded resources only: container apps' Key Vault
 * references and env, NSG rules of each subnet (with the subnets' address ranges, and the stores'
 * public network access), role assignments on bucket containers, the stores' customer-managed keys,
 * scheduled query rules and the action groups they notify, backup instances, and `protect`. The model
 * only tells it names. Read an update's plan: a preview has no provider outputs (ids) to match by.
 *
 * A separate entry point, so that `@polycloud/azure` never loads `@polycloud/testing` (an optional peer).
 */
import type { AppModel, ResourceRef, Severity } from "@polycloud/core";
import type { Plan, RecordedResource } from "@polycloud/testing";
import type {
  ConformanceReader,
  Observation,
  ObservedAlert,
  ObservedBucketAccess,
  ObservedEncryption,
  ObservedSecretSource,
  ObservedService,
  Peer,
  Reachability,
  Target,
  Waiver,
} from "@polycloud/testing/conformance";
import { ModelComponents } from "@polycloud/testing/conformance";
import { BUILT_IN_ROLES } from "./scope";

const T = {
  containerApp: "azure-native:app:ContainerApp",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  secret: "azure-native:keyvault:Secret",
  key: "azure-native:keyvault:Key",
  vault: "azure-native:keyvault:Vault",
  subnet: "azure-native:network:Subnet",
  nsg: "azure-native:network:NetworkSecurityGroup",
  rule: "azure-native:network:SecurityRule",
  server: "azure-native:dbforpostgresql:Server",
  pgDatabase: "azure-native:dbforpostgresql:Database",
  redis: "azure-native:redisenterprise:RedisEnterprise",
  account: "azure-native:storage:StorageAccount",
  container: "azure-native:storage:BlobContainer",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  queryRule: "azure-native:monitor:ScheduledQueryRule",
  actionGroup: "azure-native:monitor:ActionGroup",
  backupInstance: "azure-native:dataprotection:BackupInstance",
  backupPolicy: "azure-native:dataprotection:BackupPolicy",
} as const;

/** The PostgreSQL and Azure Managed Redis ports the network must guard. */
const PORTS = { database: 5432, cache: 10000 } as const;

const asArray = <V>(value: unknown): V[] => (Array.isArray(value) ? (value as V[]) : []);
const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const same = (a: unknown, b: unknown) => typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();

/** Minutes of an ISO 8601 duration such as `PT5M`, `PT1H`, `P1D`. */
export function isoToMinutes(duration: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration);
  if (match === null) throw new Error(`not an ISO 8601 duration of days, hours and minutes: ${duration}`);
  return Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** Reads an Azure plan of `model` into an Observation. */
export const conformanceReader: ConformanceReader = (plan: Plan, model: AppModel): Observation => new Reader(plan, model).observe();

/**
 * The guarantees Azure cannot give, with the reason. Key Vault secrets are encrypted by Key Vault with
 * keys it manages in HSMs: Key Vault offers no customer-managed key for the secrets it holds (the vault
 * itself is the stack's: RBAC only, purge protection, no public network access).
 */
export const conformanceWaivers: readonly Waiver[] = [
  {
    property: "encryption",
    resources: ["secret"],
    reason: "Key Vault encrypts the secrets it holds with its own HSM-protected keys and offers no customer-managed key for them; the vault is the stack's, RBAC-only, purge-protected and private",
  },
];

class Reader {
  private readonly components: ModelComponents;

  constructor(
    private readonly plan: Plan,
    private readonly model: AppModel,
  ) {
    this.components = new ModelComponents(plan, model);
  }

  observe(): Observation {
    return {
      services: this.services(),
      reachability: this.reachability(),
      bucketAccess: this.bucketAccess(),
      encryption: this.encryption(),
      alerts: this.alerts(),
      routes: this.routes(),
      backedUp: this.backedUp(),
      protected: this.protectedResources(),
    };
  }

  // ---- secrets ----------------------------------------------------------------------------------

  private services(): Record<string, ObservedService> {
    const observed: Record<string, ObservedService> = {};
    for (const name of Object.keys(this.model.services)) {
      const apps = this.components.under({ kind: "service", name }, T.containerApp);
      if (apps.length === 0) continue;
      const secrets: ObservedService["secrets"][number][] = [];
      const plainEnv: string[] = [];
      for (const app of apps) {
        const references = new Map(asArray<Record<string, unknown>>(record(app.inputs["configuration"])["secrets"]).map((s) => [text(s["name"]), s]));
        for (const container of asArray<Record<string, unknown>>(record(app.inputs["template"])["containers"])) {
          for (const env of asArray<Record<string, unknown>>(container["env"])) {
            const envName = text(env["name"]) ?? "";
            const secretRef = text(env["secretRef"]);
            if (secretRef === undefined) {
              plainEnv.push(envName);
              continue;
            }
            const reference = references.get(secretRef);
            // A Container Apps secret with a literal value is a value in the app's configuration, not a reference.
            if (reference === undefined || text(reference["keyVaultUrl"]) === undefined) plainEnv.push(envName);
            else secrets.push({ envName, source: this.secretSource(text(reference["keyVaultUrl"])!) });
          }
        }
      }
      observed[name] = { secrets, plainEnv };
    }
    return observed;
  }

  /** The Key Vault secret a reference URL names (versionless or with a version), and whose it is. */
  private secretSource(url: string): ObservedSecretSource {
    const secret = this.plan.resources(T.secret).find((s) => {
      const uri = text(record(s.outputs["properties"])["secretUri"]);
      return uri !== undefined && (url === uri || url.startsWith(`${uri}/`));
    });
    const owner = secret === undefined ? undefined : this.components.ownerOf(secret);
    if (secret !== undefined && owner !== undefined) {
      if (owner.kind === "database" || owner.kind === "cache") return { kind: owner.kind };
      const name = text(secret.inputs["secretName"]);
      if (owner.kind === "secrets" && name !== undefined && name in this.model.secrets) return { kind: "secret", name };
    }
    return { kind: "unknown", reference: url };
  }

  // ---- reachability -----------------------------------------------------------------------------

  private reachability(): Reachability[] {
    const edges: Reachability[] = [];
    const add = (from: Peer, to: Target) => {
      if (!edges.some((e) => JSON.stringify(e) === JSON.stringify({ from, to }))) edges.push({ from, to });
    };
    const subnets = this.components.under({ kind: "network" }, T.subnet);
    const serviceOfCidr = new Map<string, string>();
    for (const subnet of subnets) {
      const name = text(subnet.inputs["subnetName"]) ?? "";
      if (name.startsWith("service-") && text(subnet.inputs["addressPrefix"]) !== undefined) serviceOfCidr.set(text(subnet.inputs["addressPrefix"])!, name.slice("service-".length));
    }
    const groups = this.plan.resources(T.nsg);
    const rules = this.plan.resources(T.rule);
    for (const subnet of subnets) {
      const name = text(subnet.inputs["subnetName"]) ?? "";
      const cidr = text(subnet.inputs["addressPrefix"]);
      // What the subnet holds, and on which ports it is that target.
      const targets: [Target, number | undefined][] = name.startsWith("service-")
        ? [[{ kind: "service", name: name.slice("service-".length) }, undefined]]
        : name === "database"
          ? [[{ kind: "database" }, PORTS.database]]
          : name === "private-endpoints"
            ? [[{ kind: "cache" }, PORTS.cache]]
            : [];
      const group = groups.find((g) => same(g.id, record(subnet.inputs["networkSecurityGroup"])["id"]));
      const inbound = group === undefined ? [] : rules.filter((r) => same(r.inputs["networkSecurityGroupName"], group.outputs["name"]) && r.inputs["direction"] === "Inbound");
      const denyAt = Math.min(...inbound.filter((r) => r.inputs["access"] === "Deny" && ["VirtualNetwork", "*"].includes(String(r.inputs["sourceAddressPrefix"]))).map((r) => Number(r.inputs["priority"])));
      for (const [target, port] of targets) {
        if (target.kind === "cache" && this.model.cache === undefined) continue;
        if (target.kind === "database" && this.model.database === undefined) continue;
        // Without an NSG, or without a deny of the VNet, Azure's default rule lets the whole VNet in.
        if (!Number.isFinite(denyAt)) add({ kind: "anywhere" }, target);
        for (const rule of inbound.filter((r) => r.inputs["access"] === "Allow" && Number(r.inputs["priority"]) < denyAt && opensPort(r, port))) {
          const source = String(rule.inputs["sourceAddressPrefix"] ?? "*");
          if (source === cidr) continue;
          const caller = serviceOfCidr.get(source);
          if (caller !== undefined) add({ kind: "service", name: caller }, target);
          else if ((source === "Internet" || source === "AzureFrontDoor.Backend") && target.kind === "service" && this.model.services[target.name]?.public === true) add({ kind: "loadBalancer" }, target);
          else add({ kind: "anywhere" }, target);
        }
      }
    }
    if (this.components.under({ kind: "database" }, T.server).some((s) => record(s.inputs["network"])["publicNetworkAccess"] !== "Disabled")) add({ kind: "anywhere" }, { kind: "database" });
    if (this.components.under({ kind: "cache" }, T.redis).some((c) => c.inputs["publicNetworkAccess"] !== "Disabled")) add({ kind: "anywhere" }, { kind: "cache" });
    return edges;
  }

  // ---- bucket access ----------------------------------------------------------------------------

  private bucketAccess(): ObservedBucketAccess[] {
    const principals = new Map<string, string>();
    for (const name of Object.keys(this.model.services)) {
      for (const identity of this.components.under({ kind: "service", name }, T.identity)) principals.set(String(identity.outputs["principalId"]), name);
    }
    const access: ObservedBucketAccess[] = [];
    for (const bucket of Object.keys(this.model.buckets)) {
      const scopes = [...this.components.under({ kind: "bucket", name: bucket }, T.container), ...this.components.under({ kind: "bucket", name: bucket }, T.account)].map((r) => r.id);
      for (const assignment of this.plan.resources(T.roleAssignment).filter((a) => scopes.some((s) => same(s, a.inputs["scope"])))) {
        const service = principals.get(String(assignment.inputs["principalId"]));
        const role = String(assignment.inputs["roleDefinitionId"]).split("/").pop();
        const level = role === BUILT_IN_ROLES.storageBlobDataReader ? "read" : role === BUILT_IN_ROLES.storageBlobDataContributor || role === STORAGE_BLOB_DATA_OWNER ? "readwrite" : undefined;
        if (service !== undefined && level !== undefined) access.push({ service, bucket, access: level });
      }
    }
    return access;
  }

  // ---- encryption -------------------------------------------------------------------------------

  private encryption(): ObservedEncryption[] {
    const keys = this.plan.resources(T.key);
    const vaults = this.plan.resources(T.vault);
    const byUri = (uri: unknown) => keys.find((k) => typeof uri === "string" && (uri === k.outputs["keyUriWithVersion"] || uri === k.outputs["keyUri"]))?.urn;
    const observed: ObservedEncryption[] = [];
    const add = (resource: ResourceRef, keyUrn: string | undefined) => observed.push({ resource, ...(keyUrn === undefined ? {} : { keyUrn }) });
    for (const server of this.components.under({ kind: "database" }, T.server)) {
      const encryption = record(server.inputs["dataEncryption"]);
      add({ kind: "database" }, encryption["type"] === "AzureKeyVault" ? byUri(encryption["primaryKeyURI"]) : undefined);
    }
    for (const cluster of this.components.under({ kind: "cache" }, T.redis)) {
      add({ kind: "cache" }, byUri(record(record(cluster.inputs["encryption"])["customerManagedKeyEncryption"])["keyEncryptionKeyUrl"]));
    }
    for (const bucket of Object.keys(this.model.buckets)) {
      for (const account of this.components.under({ kind: "bucket", name: bucket }, T.account)) {
        const encryption = record(account.inputs["encryption"]);
        const properties = record(encryption["keyVaultProperties"]);
        const vault = vaults.find((v) => same(record(v.outputs["properties"])["vaultUri"], properties["keyVaultUri"]));
        const key = encryption["keySource"] === "Microsoft.Keyvault" && vault !== undefined ? keys.find((k) => same(k.outputs["name"], properties["keyName"]) && same(k.inputs["vaultName"], vault.outputs["name"])) : undefined;
        add({ kind: "bucket", name: bucket }, key?.urn);
      }
    }
    return observed;
  }

  // ---- alerts -----------------------------------------------------------------------------------

  private alerts(): ObservedAlert[] {
    const groups = this.components.under({ kind: "monitoring" }, T.actionGroup);
    return this.components.under({ kind: "monitoring" }, T.queryRule).map((rule) => {
      const condition = record(asArray(record(rule.inputs["criteria"])["allOf"])[0]);
      const periods = Number(record(condition["failingPeriods"])["minFailingPeriodsToAlert"] ?? 1);
      const frequency = isoToMinutes(String(rule.inputs["evaluationFrequency"]));
      const notified = asArray<string>(record(rule.inputs["actions"])["actionGroups"]).flatMap((id) => groups.filter((g) => same(g.id, id)));
      const severity = notified.length === 1 ? severityOfGroup(notified[0]!) : undefined;
      const escalates = text(record(rule.inputs["tags"])["polycloud-escalates"]);
      return {
        id: rule.name,
        severity: severity ?? SEVERITY_BY_NUMBER[Number(rule.inputs["severity"])] ?? "info",
        pendingMinutes: frequency * periods,
        periodMinutes: frequency,
        ...(escalates === undefined ? {} : { escalates }),
      };
    });
  }

  private routes(): Record<Severity, string[]> {
    const routes: Record<Severity, string[]> = { critical: [], warning: [], info: [] };
    for (const group of this.components.under({ kind: "monitoring" }, T.actionGroup)) {
      const severity = severityOfGroup(group);
      if (severity === undefined || group.inputs["enabled"] === false) continue;
      routes[severity].push(
        ...asArray<Record<string, unknown>>(group.inputs["emailReceivers"]).map((r) => String(r["emailAddress"])),
        ...asArray<Record<string, unknown>>(group.inputs["webhookReceivers"]).map((r) => String(r["serviceUri"])),
      );
    }
    return routes;
  }

  // ---- backups and protection -------------------------------------------------------------------

  private backedUp(): ResourceRef[] {
    const policies = this.plan.resources(T.backupPolicy).map((p) => p.id);
    const covered = this.plan
      .resources(T.backupInstance)
      .filter((i) => policies.some((p) => same(p, record(record(i.inputs["properties"])["policyInfo"])["policyId"])))
      .map((i) => record(record(i.inputs["properties"])["dataSourceInfo"])["resourceID"]);
    const refs: ResourceRef[] = [];
    if (this.components.under({ kind: "database" }, T.server).some((s) => covered.some((id) => same(id, s.id)))) refs.push({ kind: "database" });
    for (const bucket of Object.keys(this.model.buckets)) {
      if (this.components.under({ kind: "bucket", name: bucket }, T.account).some((a) => covered.some((id) => same(id, a.id)))) refs.push({ kind: "bucket", name: bucket });
    }
    return refs;
  }

  private protectedResources(): ResourceRef[] {
    const all = (resources: RecordedResource[]) => resources.length > 0 && resources.every((r) => r.options.protect);
    const refs: ResourceRef[] = [];
    if (all([...this.components.under({ kind: "database" }, T.server), ...this.components.under({ kind: "database" }, T.pgDatabase)])) refs.push({ kind: "database" });
    for (const bucket of Object.keys(this.model.buckets)) {
      if (all([...this.components.under({ kind: "bucket", name: bucket }, T.account), ...this.components.under({ kind: "bucket", name: bucket }, T.container)])) refs.push({ kind: "bucket", name: bucket });
    }
    return refs;
  }
}

/** Storage Blob Data Owner: also read-write. */
const STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

const SEVERITY_BY_NUMBER: Readonly<Record<number, Severity>> = { 0: "critical", 1: "critical", 2: "warning", 3: "info", 4: "info" };

function severityOfGroup(group: RecordedResource): Severity | undefined {
  const tag = text(record(group.inputs["tags"])["polycloud-severity"]);
  return tag === "critical" || tag === "warning" || tag === "info" ? tag : undefined;
}

/** An NSG rule opens `port` (any port when undefined: a service's ingress is 80 and 443, any of them counts). */
function opensPort(rule: RecordedResource, port: number | undefined): boolean {
  const ranges = [...asArray<string>(rule.inputs["destinationPortRanges"]), ...(text(rule.inputs["destinationPortRange"]) === undefined ? [] : [text(rule.inputs["destinationPortRange"])!])];
  if (port === undefined) return ranges.length > 0;
  return ranges.some((range) => {
    if (range === "*") return true;
    const [from, to] = range.split("-").map(Number);
    return from !== undefined && port >= from && port <= (to ?? from);
  });
}
