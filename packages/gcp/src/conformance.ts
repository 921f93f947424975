/**
 * `@polycloud/gcp/conformance`: what a Google Cloud plan shows, in the conformance suite's terms. The
 * reader derives an {@link Observation} from the recorded resources only (Cloud Run services and their
 * invoker bindings, egress firewall rules and private service access ranges, bucket IAM members, keys
 * named by each store, alert policies and notification channels, backup settings, `protect`); the model
 * tells it component names, nothing else. Read an update's plan: a preview has no provider outputs (ids)
 * to match resources by.
 *
 * A separate entry point, so that `@polycloud/gcp` never loads `@polycloud/testing` (an optional peer).
 */
import { SEVERITIES, type AppModel, type ResourceRef, type Severity } from "@polycloud/core";
import type { Plan, RecordedResource } from "@polycloud/testing";
import type { ConformanceReader, Observation, ObservedAlert, ObservedBucketAccess, ObservedEncryption, ObservedSecretSource, ObservedService, Peer, Reachability, Target, Waiver } from "@polycloud/testing/conformance";
import { ModelComponents } from "@polycloud/testing/conformance";

const T = {
  run: "gcp:cloudrunv2/service:Service",
  invoker: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  account: "gcp:serviceaccount/account:Account",
  secret: "gcp:secretmanager/secret:Secret",
  secretVersion: "gcp:secretmanager/secretVersion:SecretVersion",
  key: "gcp:kms/cryptoKey:CryptoKey",
  firewall: "gcp:compute/firewall:Firewall",
  address: "gcp:compute/globalAddress:GlobalAddress",
  neg: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
  backendService: "gcp:compute/backendService:BackendService",
  urlMap: "gcp:compute/uRLMap:URLMap",
  httpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
  httpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
  forwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
  bucket: "gcp:storage/bucket:Bucket",
  bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  sql: "gcp:sql/databaseInstance:DatabaseInstance",
  redis: "gcp:redis/instance:Instance",
  policy: "gcp:monitoring/alertPolicy:AlertPolicy",
  channel: "gcp:monitoring/notificationChannel:NotificationChannel",
} as const;

/** Bucket roles by the access they give (predefined roles only). */
const READ_ROLES = new Set(["roles/storage.objectViewer", "roles/storage.legacyObjectReader"]);
const WRITE_ROLES = new Set(["roles/storage.objectUser", "roles/storage.objectAdmin", "roles/storage.admin", "roles/storage.objectCreator"]);

/** The ports of each store, as the backend serves them. */
const STORE_PORTS: Readonly<Record<"database" | "cache", number>> = { database: 5432, cache: 6378 };


const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const asArray = <V>(value: V | readonly V[] | undefined): V[] => (value === undefined ? [] : Array.isArray(value) ? [...(value as V[])] : [value as V]);
const obj = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});
const seconds = (duration: unknown): number => Number(/^(\d+(?:\.\d+)?)s$/.exec(String(duration ?? "0s"))?.[1] ?? 0);

/** Reads a Google Cloud plan of `model` into an Observation. */
export const conformanceReader: ConformanceReader = (plan: Plan, model: AppModel): Observation => new Reader(plan, model).observe();

/**
 * The guarantees Google Cloud cannot give, with the reason. None: every store, bucket and secret is
 * encrypted with a Cloud KMS key of the stack, and every backup target is backed up.
 */
export const conformanceWaivers: readonly Waiver[] = [];

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

  private runService(service: string): RecordedResource | undefined {
    return this.components.under({ kind: "service", name: service }, T.run)[0];
  }

  /** The service whose account is `member` (`serviceAccount:<email>`). */
  private serviceOfMember(member: string): string | undefined {
    return Object.keys(this.model.services).find((name) => {
      const run = this.runService(name);
      const email = text(obj(run?.inputs["template"])["serviceAccount"]);
      return email !== undefined && member === `serviceAccount:${email}`;
    });
  }

  /** The key (its URN) a key reference (a CryptoKey id) names. */
  private keyUrn(reference: unknown): string | undefined {
    if (typeof reference !== "string") return undefined;
    return this.plan.resources(T.key).find((k) => k.id === reference)?.urn;
  }

  // ---- secrets ----------------------------------------------------------------------------------

  private services(): Record<string, ObservedService> {
    const observed: Record<string, ObservedService> = {};
    for (const name of Object.keys(this.model.services)) {
      const run = this.runService(name);
      if (run === undefined) continue;
      const containers = asArray(obj(run.inputs["template"])["containers"] as Record<string, unknown>[] | undefined);
      const envs = containers.flatMap((c) => asArray(c["envs"] as Record<string, unknown>[] | undefined));
      observed[name] = {
        secrets: envs.flatMap((e) => {
          const ref = text(obj(obj(e["valueSource"])["secretKeyRef"])["secret"]);
          return ref === undefined ? [] : [{ envName: String(e["name"]), source: this.secretSource(ref) }];
        }),
        plainEnv: envs.filter((e) => e["valueSource"] === undefined).map((e) => String(e["name"])),
      };
    }
    return observed;
  }

  private secretSource(reference: string): ObservedSecretSource {
    const secret = this.plan.resources(T.secret).find((s) => s.id === reference || s.outputs["name"] === reference || s.inputs["secretId"] === reference);
    const owner = secret === undefined ? undefined : this.components.ownerOf(secret);
    if (secret !== undefined && owner !== undefined) {
      if (owner.kind === "database" || owner.kind === "cache") return { kind: owner.kind };
      const store = this.components.get({ kind: "secrets" });
      if (owner.kind === "secrets" && store !== undefined && secret.name.startsWith(`${store.name}-`)) return { kind: "secret", name: secret.name.slice(store.name.length + 1) };
    }
    return { kind: "unknown", reference };
  }

  // ---- reachability -----------------------------------------------------------------------------

  private reachability(): Reachability[] {
    const edges: Reachability[] = [];
    const add = (from: Peer, to: Target) => {
      if (!edges.some((e) => JSON.stringify(e) === JSON.stringify({ from, to }))) edges.push({ from, to });
    };
    // Stores: egress firewall rules on their private service access range.
    const network = this.components.get({ kind: "network" });
    for (const store of ["database", "cache"] as const) {
      if ((store === "database" ? this.model.database : this.model.cache) === undefined) continue;
      const range = network === undefined ? undefined : this.plan.descendants(network).find((r) => r.type === T.address && r.name === `${network.name}-${store}-range`);
      if (range === undefined) continue;
      const cidr = `${String(range.outputs["address"])}/${String(range.inputs["prefixLength"])}`;
      const rules = this.plan.resources(T.firewall).filter((f) => f.inputs["direction"] === "EGRESS" && asArray(f.inputs["destinationRanges"] as string[] | undefined).includes(cidr));
      const denies = rules.filter((f) => asArray(f.inputs["denies"] as unknown[] | undefined).length > 0 && asArray(f.inputs["targetTags"] as string[] | undefined).length === 0);
      const denyPriority = Math.min(...denies.map((f) => Number(f.inputs["priority"] ?? 1000)));
      if (denies.length === 0) add({ kind: "anywhere" }, { kind: store });
      for (const rule of rules.filter((f) => asArray(f.inputs["allows"] as unknown[] | undefined).length > 0 && Number(f.inputs["priority"] ?? 1000) < denyPriority)) {
        const opens = asArray(rule.inputs["allows"] as { protocol?: string; ports?: string[] }[]).some((a) => a.protocol === "all" || (a.protocol === "tcp" && (a.ports === undefined || a.ports.some((p) => portIn(p, STORE_PORTS[store])))));
        if (!opens) continue;
        const tags = asArray(rule.inputs["targetTags"] as string[] | undefined);
        if (tags.length === 0) add({ kind: "anywhere" }, { kind: store });
        for (const service of Object.keys(this.model.services).filter((s) => this.tagsOf(s).some((t) => tags.includes(t)))) add({ kind: "service", name: service }, { kind: store });
      }
    }
    // Services: ingress setting and run.invoker members.
    for (const name of Object.keys(this.model.services)) {
      const run = this.runService(name);
      if (run === undefined) continue;
      const ingress = String(run.inputs["ingress"] ?? "INGRESS_TRAFFIC_ALL");
      const runName = text(run.outputs["name"]) ?? text(run.inputs["name"]);
      const members = this.plan
        .resources(T.invoker)
        .filter((m) => m.inputs["role"] === "roles/run.invoker" && (m.inputs["name"] === runName || m.inputs["name"] === run.id))
        .map((m) => String(m.inputs["member"]));
      for (const member of members) {
        if (member === "allUsers" || member === "allAuthenticatedUsers") {
          if (ingress === "INGRESS_TRAFFIC_ALL") add({ kind: "anywhere" }, { kind: "service", name });
          else if (ingress === "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" && this.servedByLoadBalancer(runName)) add({ kind: "loadBalancer" }, { kind: "service", name });
          else if (ingress === "INGRESS_TRAFFIC_INTERNAL_ONLY") add({ kind: "anywhere" }, { kind: "service", name });
          continue;
        }
        const caller = this.serviceOfMember(member);
        if (caller === undefined) {
          add({ kind: "anywhere" }, { kind: "service", name });
          continue;
        }
        // Internal ingress admits a caller only when its requests leave through the VPC.
        if (ingress !== "INGRESS_TRAFFIC_ALL" && this.egressOf(caller) !== "ALL_TRAFFIC") continue;
        add({ kind: "service", name: caller }, { kind: "service", name });
      }
    }
    return edges;
  }

  private vpcAccess(service: string): Record<string, unknown> {
    return obj(obj(this.runService(service)?.inputs["template"])["vpcAccess"]);
  }

  private tagsOf(service: string): string[] {
    return asArray(this.vpcAccess(service)["networkInterfaces"] as { tags?: string[] }[] | undefined).flatMap((i) => asArray(i.tags));
  }

  private egressOf(service: string): string | undefined {
    return text(this.vpcAccess(service)["egress"]);
  }

  /** A forwarding rule -> proxy -> URL map -> backend service -> serverless NEG chain ends at the Cloud Run service. */
  private servedByLoadBalancer(runName: string | undefined): boolean {
    const negs = this.plan.resources(T.neg).filter((n) => obj(n.inputs["cloudRun"])["service"] === runName).map((n) => n.id);
    const backends = this.plan.resources(T.backendService).filter((b) => asArray(b.inputs["backends"] as { group?: string }[] | undefined).some((g) => negs.includes(g.group))).map((b) => b.id);
    const maps = this.plan.resources(T.urlMap).filter((m) => backends.includes(text(m.inputs["defaultService"]))).map((m) => m.id);
    const proxies = [...this.plan.resources(T.httpProxy), ...this.plan.resources(T.httpsProxy)].filter((p) => maps.includes(text(p.inputs["urlMap"]))).map((p) => p.id);
    return this.plan.resources(T.forwardingRule).some((f) => proxies.includes(text(f.inputs["target"])));
  }

  // ---- bucket access ----------------------------------------------------------------------------

  private dataBucket(name: string): RecordedResource | undefined {
    const component = this.components.get({ kind: "bucket", name });
    return this.components.under({ kind: "bucket", name }, T.bucket).find((b) => b.name === component?.name);
  }

  private bucketAccess(): ObservedBucketAccess[] {
    const observed: ObservedBucketAccess[] = [];
    for (const bucket of Object.keys(this.model.buckets)) {
      const resource = this.dataBucket(bucket);
      const bucketName = text(resource?.outputs["name"]) ?? text(resource?.inputs["name"]);
      const byService = new Map<string, "read" | "readwrite">();
      for (const member of this.plan.resources(T.bucketMember).filter((m) => m.inputs["bucket"] === bucketName)) {
        const service = this.serviceOfMember(String(member.inputs["member"]));
        const role = String(member.inputs["role"]);
        if (service === undefined) continue;
        if (WRITE_ROLES.has(role)) byService.set(service, "readwrite");
        else if (READ_ROLES.has(role) && byService.get(service) !== "readwrite") byService.set(service, "read");
      }
      for (const [service, access] of byService) observed.push({ service, bucket, access });
    }
    return observed;
  }

  // ---- encryption -------------------------------------------------------------------------------

  private secretsOf(name: string): RecordedResource | undefined {
    const store = this.components.get({ kind: "secrets" });
    return this.components.under({ kind: "secrets" }, T.secret).find((s) => s.name === `${store?.name}-${name}`);
  }

  /** The key of every replica of a secret, when they all use the same one. */
  private secretKey(secret: RecordedResource | undefined): unknown {
    const replication = obj(secret?.inputs["replication"]);
    const replicas = asArray(obj(replication["userManaged"])["replicas"] as { customerManagedEncryption?: { kmsKeyName?: string } }[] | undefined);
    const keys = [...new Set(replicas.map((r) => r.customerManagedEncryption?.kmsKeyName))];
    if (replicas.length > 0) return keys.length === 1 ? keys[0] : undefined;
    return obj(obj(replication["auto"])["customerManagedEncryption"])["kmsKeyName"];
  }

  /** Each stateful part, its data-holding resource and the key named to encrypt it. */
  private dataHolders(): { ref: ResourceRef; resource?: RecordedResource; keyReference: unknown }[] {
    const holders: { ref: ResourceRef; resource?: RecordedResource; keyReference: unknown }[] = [];
    const add = (ref: ResourceRef, resource: RecordedResource | undefined, keyReference: unknown) => holders.push({ ref, ...(resource === undefined ? {} : { resource }), keyReference });
    if (this.model.database !== undefined) {
      const instance = this.components.under({ kind: "database" }, T.sql)[0];
      add({ kind: "database" }, instance, instance?.inputs["encryptionKeyName"]);
    }
    if (this.model.cache !== undefined) {
      const instance = this.components.under({ kind: "cache" }, T.redis)[0];
      add({ kind: "cache" }, instance, instance?.inputs["customerManagedKey"]);
    }
    for (const name of Object.keys(this.model.buckets)) {
      const bucket = this.dataBucket(name);
      add({ kind: "bucket", name }, bucket, obj(bucket?.inputs["encryption"])["defaultKmsKeyName"]);
    }
    for (const name of Object.keys(this.model.secrets)) {
      const secret = this.secretsOf(name);
      add({ kind: "secret", name }, secret, this.secretKey(secret));
    }
    return holders;
  }

  private encryption(): ObservedEncryption[] {
    return this.dataHolders().map((h) => {
      const keyUrn = this.keyUrn(h.keyReference);
      return { resource: h.ref, ...(keyUrn === undefined ? {} : { keyUrn }) };
    });
  }

  // ---- alerts and routes ------------------------------------------------------------------------

  /** Severity of each notification channel (its user label), by id. */
  private channelSeverities(): Map<string, Severity> {
    const severities = new Map<string, Severity>();
    for (const channel of this.components.under({ kind: "monitoring" }, T.channel)) {
      const severity = SEVERITIES.find((s) => obj(channel.inputs["userLabels"])["severity"] === s);
      if (severity !== undefined && channel.id !== undefined) severities.set(channel.id, severity);
    }
    return severities;
  }

  private alerts(): ObservedAlert[] {
    const channels = this.channelSeverities();
    return this.plan.resources(T.policy).flatMap((policy): ObservedAlert[] => {
      const labels = obj(policy.inputs["userLabels"]);
      const notified = [...new Set(asArray(policy.inputs["notificationChannels"] as string[] | undefined).map((c) => channels.get(c)))];
      // A policy's severity is the severity of the channels it notifies; a policy without channels keeps its label.
      const severity = notified.length === 1 && notified[0] !== undefined ? notified[0] : notified.length === 0 ? SEVERITIES.find((s) => s === labels["severity"]) : undefined;
      if (severity === undefined) return [];
      const durations = asArray(policy.inputs["conditions"] as Record<string, unknown>[] | undefined).map((c) => seconds(obj(c["conditionThreshold"] ?? c["conditionPrometheusQueryLanguage"])["duration"]));
      const escalates = text(labels["escalates"]);
      return [{ id: text(labels["alert"]) ?? policy.name, severity, pendingMinutes: Math.max(0, ...durations) / 60, periodMinutes: 1, ...(escalates === undefined ? {} : { escalates }) }];
    });
  }

  private routes(): Record<Severity, string[]> {
    const routes: Record<Severity, string[]> = { critical: [], warning: [], info: [] };
    const webhooks = this.slackWebhooks();
    for (const channel of this.components.under({ kind: "monitoring" }, T.channel)) {
      const severity = SEVERITIES.find((s) => obj(channel.inputs["userLabels"])["severity"] === s);
      if (severity === undefined) continue;
      const labels = obj(channel.inputs["labels"]);
      switch (channel.inputs["type"]) {
        case "email":
          routes[severity].push(String(labels["email_address"]));
          break;
        case "webhook_tokenauth":
          routes[severity].push(String(labels["url"]));
          break;
        case "pubsub":
          // The Slack forwarder posts this severity's incidents to its webhooks.
          routes[severity].push(...(webhooks[severity] ?? [`pubsub ${String(labels["topic"])}`]));
          break;
        default:
          routes[severity].push(`${String(channel.inputs["type"])} channel ${channel.name}`);
      }
    }
    return routes;
  }

  /** The webhooks the Slack forwarder posts to, by severity (its secret's value). */
  private slackWebhooks(): Partial<Record<Severity, string[]>> {
    const monitoring = this.components.get({ kind: "monitoring" });
    const version = this.components.under({ kind: "monitoring" }, T.secretVersion).find((v) => v.name === `${monitoring?.name}-slack-webhooks-version`);
    try {
      return JSON.parse(String(version?.inputs["secretData"] ?? "{}")) as Partial<Record<Severity, string[]>>;
    } catch {
      return {};
    }
  }

  // ---- backups and protection -------------------------------------------------------------------

  private backedUp(): ResourceRef[] {
    const retention = Math.min(this.model.backup.retentionDays, 90) * 86400;
    return this.dataHolders().flatMap((h): ResourceRef[] => {
      if (h.resource === undefined) return [];
      if (h.ref.kind === "database") {
        const backup = obj(obj(h.resource.inputs["settings"])["backupConfiguration"]);
        return backup["enabled"] === true && backup["pointInTimeRecoveryEnabled"] === true ? [h.ref] : [];
      }
      if (h.ref.kind === "bucket") {
        const versioned = obj(h.resource.inputs["versioning"])["enabled"] === true;
        const softDelete = Number(obj(h.resource.inputs["softDeletePolicy"])["retentionDurationSeconds"] ?? 0);
        return versioned && softDelete >= retention ? [h.ref] : [];
      }
      return [];
    });
  }

  private protectedResources(): ResourceRef[] {
    return this.dataHolders()
      .filter((h) => {
        const keyUrn = this.keyUrn(h.keyReference);
        const key = keyUrn === undefined ? undefined : this.plan.get(keyUrn);
        return h.resource !== undefined && h.resource.options.protect && (key === undefined || key.options.protect);
      })
      .map((h) => h.ref);
  }
}

/** A firewall port spec ("5432" or "5000-6000") includes `port`. */
function portIn(spec: string, port: number): boolean {
  const [from, to] = spec.split("-").map(Number) as [number, number | undefined];
  return to === undefined ? from === port : from <= port && port <= to;
}
