/**
 * `@polycloud/aws/conformance`: what an AWS plan shows, in the conformance suite's terms. The reader
 * derives an {@link Observation} from the recorded resources only (task definitions, security group
 * rules, IAM policies, encryption settings, alarms, topic subscriptions, backup selections, `protect`);
 * the model tells it names, nothing else. Read an update's plan: a preview has no provider outputs
 * (ARNs, ids) to match resources by.
 *
 * A separate entry point, so that `@polycloud/aws` never loads `@polycloud/testing` (an optional peer).
 */
import { SEVERITIES } from "@polycloud/core";
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


const T = {
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  secret: "aws:secretsmanager/secret:Secret",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  bucket: "aws:s3/bucket:Bucket",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  rds: "aws:rds/instance:Instance",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  composite: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  lambda: "aws:lambda/function:Function",
  selection: "aws:backup/selection:Selection",
} as const;

/** The model's parts the reader finds components for. */

/** What a security group guards. */
type Guarded =
  | { readonly kind: "loadBalancer"; readonly service: string }
  | { readonly kind: "tasks"; readonly service: string }
  | { readonly kind: "database" }
  | { readonly kind: "cache" };

interface Rule {
  readonly securityGroupId: string;
  /** A security group id, or undefined for an address range. */
  readonly peerGroup?: string;
  readonly cidr?: string;
  readonly fromPort: number;
  readonly toPort: number;
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
}

const asArray = <V>(value: V | readonly V[] | undefined): V[] => (value === undefined ? [] : Array.isArray(value) ? [...(value as V[])] : [value as V]);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** An IAM wildcard pattern (`*`, `?`) as a case-sensitive (ARNs) or case-insensitive (actions) test. */
function glob(pattern: string, ignoreCase = false): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, ignoreCase ? "i" : "");
}

function parseJson<V>(value: unknown): V | undefined {
  if (typeof value !== "string") return value as V | undefined;
  try {
    return JSON.parse(value) as V;
  } catch {
    return undefined;
  }
}

/** Reads an AWS plan of `model` into an Observation. */
export const conformanceReader: ConformanceReader = (plan: Plan, model: AppModel): Observation => new Reader(plan, model).observe();

/**
 * The guarantees AWS cannot give, with the reason. None: every store, bucket and secret is encrypted
 * with a key of the stack, and AWS Backup covers every backup target.
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

  /** The resource of `type` whose output `arn` (or id) is `value`. */
  private byArn(type: string, value: unknown): RecordedResource | undefined {
    if (typeof value !== "string") return undefined;
    return this.plan.resources(type).find((r) => r.outputs["arn"] === value || r.id === value);
  }

  /** The KMS key a key reference (ARN, id, alias name or alias ARN) names, as its URN. */
  private keyUrn(reference: unknown): string | undefined {
    if (typeof reference !== "string") return undefined;
    const key = this.plan.resources(T.key).find((k) => k.outputs["arn"] === reference || k.outputs["keyId"] === reference || k.id === reference);
    if (key !== undefined) return key.urn;
    const alias = this.plan.resources(T.alias).find((a) => a.outputs["arn"] === reference || a.inputs["name"] === reference);
    return alias === undefined || alias.inputs["targetKeyId"] === reference ? undefined : this.keyUrn(alias.inputs["targetKeyId"]);
  }

  // ---- secrets ----------------------------------------------------------------------------------

  private services(): Record<string, ObservedService> {
    const observed: Record<string, ObservedService> = {};
    for (const name of Object.keys(this.model.services)) {
      const definitions = this.components.under({ kind: "service", name }, T.taskDefinition);
      if (definitions.length === 0) continue;
      const containers = definitions.flatMap((d) => asArray(parseJson<Record<string, unknown>[]>(d.inputs["containerDefinitions"])));
      observed[name] = {
        secrets: containers.flatMap((c) =>
          asArray(c["secrets"] as { name: string; valueFrom: string }[] | undefined).map((s) => ({ envName: s.name, source: this.secretSource(s.valueFrom) })),
        ),
        plainEnv: containers.flatMap((c) => asArray(c["environment"] as { name: string }[] | undefined).map((e) => e.name)),
      };
    }
    return observed;
  }

  /** What a `valueFrom` points at: a secret of the plan (the ARN, or the ARN and `:<json-key>::`) and whose it is. */
  private secretSource(valueFrom: string): ObservedSecretSource {
    const secret = this.plan.resources(T.secret).find((s) => {
      const arn = s.outputs["arn"];
      return typeof arn === "string" && (valueFrom === arn || valueFrom.startsWith(`${arn}:`));
    });
    const owner = secret === undefined ? undefined : this.components.ownerOf(secret);
    if (secret !== undefined && owner !== undefined) {
      if (owner.kind === "database" || owner.kind === "cache") return { kind: owner.kind };
      const store = this.components.get({ kind: "secrets" });
      if (owner.kind === "secrets" && store !== undefined && secret.name.startsWith(`${store.name}-`)) return { kind: "secret", name: secret.name.slice(store.name.length + 1) };
    }
    return { kind: "unknown", reference: valueFrom };
  }

  // ---- reachability -----------------------------------------------------------------------------

  private reachability(): Reachability[] {
    const guarded = new Map<string, Guarded>();
    for (const group of this.plan.resources(T.securityGroup)) {
      const owner = this.components.ownerOf(group);
      const id = group.id ?? text(group.outputs["id"]);
      if (owner === undefined || id === undefined) continue;
      const component = this.components.get(owner)!;
      if (owner.kind === "service" && group.name === `${component.name}-lb-sg`) guarded.set(id, { kind: "loadBalancer", service: owner.name });
      if (owner.kind === "service" && group.name === `${component.name}-task-sg`) guarded.set(id, { kind: "tasks", service: owner.name });
      if ((owner.kind === "database" || owner.kind === "cache") && group.name === `${component.name}-sg`) guarded.set(id, { kind: owner.kind });
    }
    const { ingress, egress } = this.rules();
    const lets = (rules: readonly Rule[], group: string, port: number, peer: (rule: Rule) => boolean) =>
      rules.some((r) => r.securityGroupId === group && r.fromPort <= port && port <= r.toPort && peer(r));
    /** `from` may send to `to` on `port`: an egress rule naming `to`, or an address range. */
    const egressAllows = (from: string, to: string, port: number) => lets(egress, from, port, (r) => r.peerGroup === to || r.cidr !== undefined);
    const groupOf = (wanted: Guarded) => [...guarded].find(([, g]) => JSON.stringify(g) === JSON.stringify(wanted))?.[0];

    const edges: Reachability[] = [];
    const add = (from: Peer, to: Target) => {
      if (!edges.some((e) => JSON.stringify(e) === JSON.stringify({ from, to }))) edges.push({ from, to });
    };
    for (const rule of ingress) {
      const target = guarded.get(rule.securityGroupId);
      if (target === undefined) continue;
      const to: Target = target.kind === "database" || target.kind === "cache" ? { kind: target.kind } : { kind: "service", name: target.service };
      // A service's load balancer reaches the service only when it may reach the service's tasks.
      if (target.kind === "loadBalancer") {
        const tasks = groupOf({ kind: "tasks", service: target.service });
        const forwards = tasks !== undefined && ingress.some((r) => r.securityGroupId === tasks && r.peerGroup === rule.securityGroupId && egressAllows(rule.securityGroupId, tasks, r.fromPort));
        if (!forwards) continue;
      }
      if (rule.peerGroup === undefined) {
        // An address range: the load balancer's entry from outside, or anywhere straight into tasks or stores.
        add(target.kind === "loadBalancer" ? { kind: "loadBalancer" } : { kind: "anywhere" }, to);
        continue;
      }
      const source = guarded.get(rule.peerGroup);
      // A service's own load balancer forwarding to its tasks is the service, not a caller.
      if (source?.kind === "loadBalancer" && target.kind === "tasks" && source.service === target.service) continue;
      if (!egressAllows(rule.peerGroup, rule.securityGroupId, rule.fromPort)) continue;
      add(source?.kind === "tasks" ? { kind: "service", name: source.service } : { kind: "anywhere" }, to);
    }
    return edges;
  }

  /** Every security group rule of the plan: standalone rule resources and inline ones. */
  private rules(): { ingress: Rule[]; egress: Rule[] } {
    const standalone = (type: string) =>
      this.plan.resources(type).flatMap((r): Rule[] => {
        const port = { fromPort: Number(r.inputs["fromPort"] ?? 0), toPort: Number(r.inputs["toPort"] ?? 65535) };
        const all = r.inputs["ipProtocol"] === "-1" ? { fromPort: 0, toPort: 65535 } : port;
        const peerGroup = text(r.inputs["referencedSecurityGroupId"]);
        const cidr = text(r.inputs["cidrIpv4"]) ?? text(r.inputs["cidrIpv6"]) ?? text(r.inputs["prefixListId"]);
        return [{ securityGroupId: String(r.inputs["securityGroupId"]), ...all, ...(peerGroup === undefined ? {} : { peerGroup }), ...(cidr === undefined ? {} : { cidr }) }];
      });
    const inline = (direction: "ingress" | "egress") =>
      this.plan.resources(T.securityGroup).flatMap((group) =>
        asArray(group.inputs[direction] as Record<string, unknown>[] | undefined).flatMap((rule): Rule[] => {
          const securityGroupId = group.id ?? String(group.outputs["id"]);
          const ports = rule["protocol"] === "-1" ? { fromPort: 0, toPort: 65535 } : { fromPort: Number(rule["fromPort"] ?? 0), toPort: Number(rule["toPort"] ?? 65535) };
          return [
            ...asArray(rule["securityGroups"] as string[] | undefined).map((peerGroup) => ({ securityGroupId, ...ports, peerGroup })),
            ...[...asArray(rule["cidrBlocks"] as string[] | undefined), ...asArray(rule["ipv6CidrBlocks"] as string[] | undefined)].map((cidr) => ({ securityGroupId, ...ports, cidr })),
          ];
        }),
      );
    return { ingress: [...standalone(T.ingress), ...inline("ingress")], egress: [...standalone(T.egress), ...inline("egress")] };
  }

  // ---- bucket access ----------------------------------------------------------------------------

  private bucketAccess(): ObservedBucketAccess[] {
    const buckets = Object.keys(this.model.buckets).flatMap((name) => {
      const bucket = this.dataBucket(name);
      const arn = text(bucket?.outputs["arn"]);
      return arn === undefined ? [] : [{ name, arn }];
    });
    const observed: ObservedBucketAccess[] = [];
    for (const service of Object.keys(this.model.services)) {
      const statements = this.taskRoleStatements(service);
      for (const bucket of buckets) {
        const allows = (action: string) =>
          statements.some(
            (s) =>
              s.Effect === "Allow" &&
              asArray(s.Action).some((a) => glob(a, true).test(action)) &&
              asArray(s.Resource).some((r) => glob(r).test(`${bucket.arn}/object`)),
          );
        const access = allows("s3:PutObject") ? "readwrite" : allows("s3:GetObject") ? "read" : undefined;
        if (access !== undefined) observed.push({ service, bucket: bucket.name, access });
      }
    }
    return observed;
  }

  /** The policy statements of a service's task role: its inline policies and the AWS managed S3 policies attached to it. */
  private taskRoleStatements(service: string): Statement[] {
    const roleArns = this.components.under({ kind: "service", name: service }, T.taskDefinition).map((d) => d.inputs["taskRoleArn"]);
    const roles = roleArns.flatMap((arn) => {
      const role = this.byArn(T.role, arn);
      return role === undefined ? [] : [role];
    });
    const named = (r: RecordedResource) => roles.some((role) => r.inputs["role"] === role.id || r.inputs["role"] === role.outputs["name"] || r.inputs["role"] === role.outputs["arn"]);
    const inline = this.plan
      .resources(T.rolePolicy)
      .filter(named)
      .flatMap((p) => asArray(parseJson<{ Statement?: Statement | Statement[] }>(p.inputs["policy"])?.Statement));
    const managed = this.plan
      .resources(T.rolePolicyAttachment)
      .filter(named)
      .flatMap((a): Statement[] => {
        const arn = String(a.inputs["policyArn"]);
        if (arn.endsWith(":policy/AmazonS3FullAccess")) return [{ Effect: "Allow", Action: "s3:*", Resource: "*" }];
        if (arn.endsWith(":policy/AmazonS3ReadOnlyAccess")) return [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" }];
        return [];
      });
    return [...inline, ...managed];
  }

  private dataBucket(name: string): RecordedResource | undefined {
    const component = this.components.get({ kind: "bucket", name });
    return this.components.under({ kind: "bucket", name }, T.bucket).find((b) => b.name === component?.name);
  }

  // ---- encryption -------------------------------------------------------------------------------

  private encryption(): ObservedEncryption[] {
    const observed: ObservedEncryption[] = [];
    const add = (resource: ResourceRef, keyUrn: string | undefined) => observed.push({ resource, ...(keyUrn === undefined ? {} : { keyUrn }) });
    if (this.model.database !== undefined) {
      const instance = this.components.under({ kind: "database" }, T.rds)[0];
      add({ kind: "database" }, instance?.inputs["storageEncrypted"] === true ? this.keyUrn(instance.inputs["kmsKeyId"]) : undefined);
    }
    if (this.model.cache !== undefined) {
      const group = this.components.under({ kind: "cache" }, T.redis)[0];
      add({ kind: "cache" }, group?.inputs["atRestEncryptionEnabled"] === true ? this.keyUrn(group.inputs["kmsKeyId"]) : undefined);
    }
    for (const name of Object.keys(this.model.buckets)) {
      const bucket = this.dataBucket(name);
      const configuration = this.plan
        .resources(T.bucketEncryption)
        .find((c) => bucket !== undefined && (c.inputs["bucket"] === bucket.id || c.inputs["bucket"] === bucket.outputs["bucket"]));
      const rule = asArray(configuration?.inputs["rules"] as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } }[] | undefined)
        .map((r) => r.applyServerSideEncryptionByDefault)
        .find((d) => d?.sseAlgorithm?.startsWith("aws:kms") === true);
      add({ kind: "bucket", name }, this.keyUrn(rule?.kmsMasterKeyId));
    }
    const store = this.components.get({ kind: "secrets" });
    for (const name of Object.keys(this.model.secrets)) {
      const secret = this.components.under({ kind: "secrets" }, T.secret).find((s) => s.name === `${store?.name}-${name}`);
      add({ kind: "secret", name }, this.keyUrn(secret?.inputs["kmsKeyId"]));
    }
    return observed;
  }

  // ---- alerts and routes ------------------------------------------------------------------------

  /** Severity of each alert topic, by ARN: the Monitoring component's topics are named `<component>-<severity>`. */
  private topics(): Map<string, Severity> {
    const monitoring = this.components.get({ kind: "monitoring" });
    const topics = new Map<string, Severity>();
    for (const topic of this.components.under({ kind: "monitoring" }, T.topic)) {
      const severity = SEVERITIES.find((s) => topic.name === `${monitoring?.name}-${s}`);
      const arn = text(topic.outputs["arn"]);
      if (severity !== undefined && arn !== undefined) topics.set(arn, severity);
    }
    return topics;
  }

  private alerts(): ObservedAlert[] {
    const topics = this.topics();
    const alarms = [...this.plan.resources(T.alarm), ...this.plan.resources(T.composite)];
    const nameOf = (alarm: RecordedResource) => text(alarm.outputs[alarm.type === T.alarm ? "name" : "alarmName"]) ?? text(alarm.inputs[alarm.type === T.alarm ? "name" : "alarmName"]) ?? alarm.name;
    const byName = new Map(alarms.map((a) => [nameOf(a), a]));
    // Minutes an alarm's condition must hold, and its period in minutes.
    const pending = (alarm: RecordedResource, seen: ReadonlySet<string> = new Set()): { minutes: number; period: number } => {
      if (alarm.type === T.composite) {
        // A composite alarm fires once all its members do: as late as its slowest member.
        const members = [...String(alarm.inputs["alarmRule"] ?? "").matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => byName.get(m[1]!)).filter((m) => m !== undefined && !seen.has(m.urn));
        const timings = members.map((m) => pending(m!, new Set([...seen, alarm.urn])));
        return timings.reduce((slowest, t) => (t.minutes > slowest.minutes ? t : slowest), { minutes: 0, period: 1 });
      }
      const queries = asArray(alarm.inputs["metricQueries"] as { metric?: { period?: number } }[] | undefined);
      const period = Number(alarm.inputs["period"] ?? Math.max(0, ...queries.map((q) => Number(q.metric?.period ?? 0))));
      const datapoints = Number(alarm.inputs["datapointsToAlarm"] ?? alarm.inputs["evaluationPeriods"] ?? 1);
      return { minutes: (period * datapoints) / 60, period: period / 60 };
    };
    return alarms.flatMap((alarm): ObservedAlert[] => {
      const severity = asArray(alarm.inputs["alarmActions"] as string[] | undefined)
        .map((arn) => topics.get(arn))
        .find((s) => s !== undefined);
      if (severity === undefined) return [];
      const escalates = text((alarm.inputs["tags"] as Record<string, unknown> | undefined)?.["polycloud:escalates"]);
      const timing = pending(alarm);
      return [{ id: nameOf(alarm), severity, pendingMinutes: timing.minutes, periodMinutes: timing.period, ...(escalates === undefined ? {} : { escalates }) }];
    });
  }

  private routes(): Record<Severity, string[]> {
    const routes: Record<Severity, string[]> = { critical: [], warning: [], info: [] };
    for (const [arn, severity] of this.topics()) {
      for (const subscription of this.plan.resources(T.subscription).filter((s) => s.inputs["topic"] === arn)) {
        const endpoint = String(subscription.inputs["endpoint"]);
        if (subscription.inputs["protocol"] !== "lambda") {
          routes[severity].push(endpoint);
          continue;
        }
        // The Slack forwarder posts to the webhooks its environment lists for this topic.
        const forwarder = this.byArn(T.lambda, endpoint);
        const hooks = parseJson<Record<string, string[]>>((forwarder?.inputs["environment"] as { variables?: Record<string, unknown> } | undefined)?.variables?.["SLACK_WEBHOOKS"]);
        routes[severity].push(...(hooks?.[arn] ?? [`lambda ${endpoint}`]));
      }
    }
    return routes;
  }

  // ---- backups and protection -------------------------------------------------------------------

  /** The resources holding each stateful part's data, with the keys that encrypt them (losing the key loses the data). */
  private dataHolders(): { ref: ResourceRef; resources: RecordedResource[] }[] {
    const withKey = (resource: RecordedResource | undefined, keyReference: unknown): RecordedResource[] => {
      if (resource === undefined) return [];
      const keyUrn = this.keyUrn(keyReference);
      const key = keyUrn === undefined ? undefined : this.plan.get(keyUrn);
      return key === undefined ? [resource] : [resource, key];
    };
    const holders: { ref: ResourceRef; resources: RecordedResource[] }[] = [];
    if (this.model.database !== undefined) {
      const instance = this.components.under({ kind: "database" }, T.rds)[0];
      holders.push({ ref: { kind: "database" }, resources: withKey(instance, instance?.inputs["kmsKeyId"]) });
    }
    if (this.model.cache !== undefined) {
      const group = this.components.under({ kind: "cache" }, T.redis)[0];
      holders.push({ ref: { kind: "cache" }, resources: withKey(group, group?.inputs["kmsKeyId"]) });
    }
    const encryption = this.encryption();
    for (const name of Object.keys(this.model.buckets)) {
      const keyUrn = encryption.find((e) => e.resource.kind === "bucket" && e.resource.name === name)?.keyUrn;
      const bucket = this.dataBucket(name);
      holders.push({ ref: { kind: "bucket", name }, resources: [...(bucket === undefined ? [] : [bucket]), ...(keyUrn === undefined ? [] : [this.plan.get(keyUrn)!])] });
    }
    const store = this.components.get({ kind: "secrets" });
    for (const name of Object.keys(this.model.secrets)) {
      const secret = this.components.under({ kind: "secrets" }, T.secret).find((s) => s.name === `${store?.name}-${name}`);
      holders.push({ ref: { kind: "secret", name }, resources: withKey(secret, secret?.inputs["kmsKeyId"]) });
    }
    return holders;
  }

  private backedUp(): ResourceRef[] {
    const selected = new Set(this.plan.resources(T.selection).flatMap((s) => asArray(s.inputs["resources"] as string[] | undefined)));
    return this.dataHolders()
      .filter((h) => h.ref.kind === "database" || h.ref.kind === "bucket")
      .filter((h) => selected.has(String(h.resources[0]?.outputs["arn"])))
      .map((h) => h.ref);
  }

  private protectedResources(): ResourceRef[] {
    return this.dataHolders()
      .filter((h) => h.resources.length > 0 && h.resources.every((r) => r.options.protect))
      .map((h) => h.ref);
  }
}

