/**
 * `@polycloud/kubernetes/conformance`: what a Kubernetes plan shows, in the conformance suite's terms.
 * The reader derives an {@link Observation} from the recorded objects only: containers' env and
 * projected secret volumes (which Secret and key, owned by which component), NetworkPolicies evaluated
 * into reachability, the MinIO setup Jobs' users and policies, PrometheusRule alerts, the
 * AlertmanagerConfig's receivers (webhook and Slack URLs read back from their Secret), pg_dump CronJobs
 * and CloudNativePG ScheduledBackups, and `protect`. The model only tells it names: the services,
 * buckets and secrets to look for, and where the ingress controller runs.
 *
 * A separate entry point, so that `@polycloud/kubernetes` never loads `@polycloud/testing` (an optional peer).
 */
import { SEVERITIES } from "@polycloud/core";
import type { AppModel, KubernetesOptions, ResourceRef, Severity } from "@polycloud/core";
import type { Plan, RecordedResource } from "@polycloud/testing";
import type {
  ConformanceReader,
  Observation,
  ObservedAlert,
  ObservedBucketAccess,
  ObservedSecretSource,
  ObservedService,
  Peer,
  Reachability,
  Target,
  Waiver,
} from "@polycloud/testing/conformance";
import { canConnect, networkPolicies, type Endpoint, type NamespacedPolicy } from "./netpol";
import { durationMinutes, ESCALATES_LABEL } from "./promql";


const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  cluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  scheduledBackup: "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
  cronJob: "kubernetes:batch/v1:CronJob",
  job: "kubernetes:batch/v1:Job",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  secret: "kubernetes:core/v1:Secret",
  externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
  namespace: "kubernetes:core/v1:Namespace",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  password: "random:index/randomPassword:RandomPassword",
  rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  alertmanagerConfig: "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
} as const;

/** The component types whose children the reader attributes to the model's parts. */
const COMPONENT = {
  webService: "polycloud:kubernetes:WebService",
  database: "polycloud:kubernetes:Database",
  cache: "polycloud:kubernetes:Cache",
  bucket: "polycloud:kubernetes:Bucket",
  secretStore: "polycloud:kubernetes:SecretStore",
} as const;

/** CloudNativePG runs the instances itself: its pods carry these labels and serve PostgreSQL on 5432. */
const CNPG_PORTS = { postgresql: 5432, metrics: 9187, status: 8000 } as const;

/** S3 actions that only read: a MinIO policy with any other action (or a wildcard) can write. */
const READ_ACTIONS = new Set(["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"]);

/** MinIO's built-in policies, by what they allow. */
const BUILTIN_POLICIES: Readonly<Record<string, "read" | "readwrite">> = { readonly: "read", readwrite: "readwrite", writeonly: "readwrite", consoleAdmin: "readwrite", diagnostics: "readwrite" };

/** Where connections are probed from that no grant covers: the internet, another namespace's pod, an unlabelled pod of the namespace. */
const PROBE_ADDRESS = "203.0.113.10";
const PROBE_NAMESPACE = "polycloud-conformance-probe";

interface Container {
  readonly name?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } } }[];
  readonly envFrom?: readonly { readonly secretRef?: { readonly name: string } }[];
  readonly volumeMounts?: readonly { readonly name: string }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}
interface PodTemplate {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly containers: readonly Container[];
    readonly volumes?: readonly { readonly name: string; readonly projected?: { readonly sources?: readonly { readonly secret?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string }[] } }[] } }[];
  };
}
interface Matcher {
  readonly name: string;
  readonly value?: string;
  readonly matchType?: string;
  readonly regex?: boolean;
}
interface AlertmanagerRoute {
  readonly receiver?: string;
  readonly matchers?: readonly Matcher[];
  readonly routes?: readonly AlertmanagerRoute[];
}
interface SecretKeySelector {
  readonly name: string;
  readonly key: string;
}
interface Receiver {
  readonly name: string;
  readonly emailConfigs?: readonly { readonly to?: string }[];
  readonly webhookConfigs?: readonly { readonly url?: string; readonly urlSecret?: SecretKeySelector }[];
  readonly slackConfigs?: readonly { readonly apiURL?: SecretKeySelector }[];
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const nameOf = (r: RecordedResource): string | undefined => text((r.inputs["metadata"] as { name?: unknown } | undefined)?.name);
const namespaceOf = (r: RecordedResource): string => text((r.inputs["metadata"] as { namespace?: unknown } | undefined)?.namespace) ?? "";
const key = (secretName: string, secretKey: string) => `${secretName}/${secretKey}`;

/** Reads a Kubernetes plan of `model` into an Observation. */
export const conformanceReader: ConformanceReader = (plan: Plan, model: AppModel): Observation => new Reader(plan, model).observe();

/** The guarantees Kubernetes cannot give, with the reason: the suite reports them as waived, not passed. */
export const conformanceWaivers: readonly Waiver[] = [
  {
    property: "encryption",
    reason:
      "Kubernetes Secrets and volumes are encrypted at rest by the cluster (etcd encryption with a KMS provider, the StorageClass's disk encryption), if at all: not with a key this stack creates or controls, and nothing in the plan can show it",
  },
  {
    property: "backups",
    resources: ["bucket"],
    reason:
      "a bucket is a MinIO volume in the cluster: versioning keeps overwritten and deleted objects on that same volume, and nothing in the plan copies it elsewhere; back the volume up with cluster tooling (Velero, VolumeSnapshots) or use a cloud backend's bucket",
  },
];

class Reader {
  private readonly policies: NamespacedPolicy[];
  /** Secrets and ExternalSecret targets by name, with the component that owns them. */
  private readonly secrets = new Map<string, { resource: RecordedResource; owner: RecordedResource | undefined }>();
  /** Bucket credentials: Secret name -> the bucket and the access its MinIO user has. */
  private readonly bucketCredentials = new Map<string, { bucket: string; access: "read" | "readwrite" }>();
  private readonly options: KubernetesOptions;

  constructor(
    private readonly plan: Plan,
    private readonly model: AppModel,
  ) {
    if (model.provider !== "kubernetes") throw new TypeError(`the Kubernetes conformance reader reads Kubernetes plans, not ${model.provider}`);
    this.options = (model as AppModel<"kubernetes">).options;
    this.policies = networkPolicies(plan.resources());
    for (const secret of plan.resources(T.secret)) this.secrets.set(nameOf(secret) ?? "", { resource: secret, owner: this.owner(secret) });
    for (const external of plan.resources(T.externalSecret)) {
      const target = text((external.inputs["spec"] as { target?: { name?: unknown } } | undefined)?.target?.name) ?? nameOf(external) ?? "";
      this.secrets.set(target, { resource: external, owner: this.owner(external) });
    }
    this.readBucketUsers();
  }

  observe(): Observation {
    return {
      services: Object.fromEntries(Object.keys(this.model.services).map((name) => [name, this.service(name)])),
      reachability: this.reachability(),
      bucketAccess: this.bucketAccess(),
      encryption: [],
      alerts: this.alerts(),
      routes: this.routes(),
      backedUp: this.backedUp(),
      protected: this.protectedRefs(),
    };
  }

  /** The nearest polycloud Kubernetes component above a resource. */
  private owner(resource: RecordedResource): RecordedResource | undefined {
    let parent = this.plan.parentOf(resource);
    while (parent !== undefined && !parent.type.startsWith("polycloud:kubernetes:")) parent = this.plan.parentOf(parent);
    return parent;
  }

  private components(type: string): RecordedResource[] {
    return this.plan.resources(type);
  }

  /** The Bucket component of a bucket: the one whose registered `bucketName` it is. */
  private bucketComponent(name: string): RecordedResource | undefined {
    return this.components(COMPONENT.bucket).find((b) => b.outputs["bucketName"] === name);
  }

  /** A service's workload (Deployment or Argo Rollout) and its application container. */
  private workload(service: string): { resource: RecordedResource; template: PodTemplate; container: Container } | undefined {
    const resource = this.plan
      .resources()
      .find((r) => (r.type === T.deployment || r.type === T.rollout) && nameOf(r) === service && this.owner(r)?.type === COMPONENT.webService);
    if (resource === undefined) return undefined;
    const template = (resource.inputs["spec"] as { template: PodTemplate }).template;
    const container = template.spec.containers.find((c) => c.name === service) ?? template.spec.containers[0];
    return container === undefined ? undefined : { resource, template, container };
  }

  /** Every Secret key a container reads: env `secretKeyRef`s, projected secret files (named by the variable) and whole-Secret `envFrom`. */
  private references(template: PodTemplate, container: Container): { envName: string; secretName: string; key?: string }[] {
    const env = (container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef === undefined ? [] : [{ envName: e.name, secretName: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key }]));
    const mounted = new Set((container.volumeMounts ?? []).map((m) => m.name));
    const files = (template.spec.volumes ?? [])
      .filter((v) => mounted.has(v.name))
      .flatMap((v) => v.projected?.sources ?? [])
      .flatMap((s) => (s.secret === undefined ? [] : (s.secret.items ?? []).map((item) => ({ envName: item.path, secretName: s.secret!.name, key: item.key }))));
    const whole = (container.envFrom ?? []).flatMap((e) => (e.secretRef === undefined ? [] : [{ envName: `(every key of Secret ${e.secretRef.name})`, secretName: e.secretRef.name }]));
    return [...env, ...files, ...whole];
  }

  /** What a reference resolves to in the model's terms: the component that owns the Secret says which. */
  private source(secretName: string, secretKey: string | undefined): ObservedSecretSource {
    const found = this.secrets.get(secretName);
    const unknown = { kind: "unknown", reference: secretKey === undefined ? secretName : key(secretName, secretKey) } as const;
    switch (found?.owner?.type) {
      case COMPONENT.database:
        return { kind: "database" };
      case COMPONENT.cache:
        return { kind: "cache" };
      case COMPONENT.secretStore:
        return secretKey === "value" ? { kind: "secret", name: secretName } : unknown;
      default:
        return unknown;
    }
  }

  private service(name: string): ObservedService {
    const workload = this.workload(name);
    if (workload === undefined) return { secrets: [], plainEnv: [] };
    // Bucket credentials are bucket grants, read as such (bucketAccess), not secret bindings.
    const secrets = this.references(workload.template, workload.container)
      .filter((r) => !this.bucketCredentials.has(r.secretName))
      .map((r) => ({ envName: r.envName, source: this.source(r.secretName, r.key) }));
    const plainEnv = (workload.container.env ?? []).filter((e) => e.value !== undefined && e.valueFrom === undefined).map((e) => e.name);
    return { secrets, plainEnv };
  }

  // ---- reachability ---------------------------------------------------------------------------

  private podEndpoint(workload: RecordedResource): Endpoint & { kind: "pod" } {
    const template = (workload.inputs["spec"] as { template: PodTemplate }).template;
    const namedPorts = Object.fromEntries(template.spec.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => (p.name === undefined ? [] : [[p.name, p.containerPort] as const]))));
    return { kind: "pod", namespace: namespaceOf(workload), labels: template.metadata?.labels ?? {}, namedPorts };
  }

  /** The pod port clients reach through a component's Service named `serviceName` (its target port). */
  private servicePort(owner: RecordedResource, serviceName: string, pod: Endpoint & { kind: "pod" }): number | undefined {
    const service = this.plan.descendants(owner).find((r) => r.type === T.service && nameOf(r) === serviceName);
    const port = (service?.inputs["spec"] as { ports?: { port: number; targetPort?: number | string }[] } | undefined)?.ports?.[0];
    if (port === undefined) return undefined;
    const target = port.targetPort ?? port.port;
    return typeof target === "number" ? target : pod.namedPorts?.[target];
  }

  /** The pods and port of a store component: its StatefulSet behind its Service, or CloudNativePG's instances. */
  private storeEndpoint(owner: RecordedResource | undefined): { pod: Endpoint; port: number } | undefined {
    if (owner === undefined) return undefined;
    const children = this.plan.descendants(owner);
    const cluster = children.find((r) => r.type === T.cluster);
    if (cluster !== undefined) {
      return { pod: { kind: "pod", namespace: namespaceOf(cluster), labels: { "cnpg.io/cluster": nameOf(cluster) ?? "", "cnpg.io/podRole": "instance" }, namedPorts: CNPG_PORTS }, port: CNPG_PORTS.postgresql };
    }
    const set = children.find((r) => r.type === T.statefulSet);
    if (set === undefined) return undefined;
    const pod = this.podEndpoint(set);
    const port = this.servicePort(owner, nameOf(set) ?? "", pod);
    return port === undefined ? undefined : { pod, port };
  }

  private targets(): { target: Target; pod: Endpoint; port: number }[] {
    const targets: { target: Target; pod: Endpoint; port: number }[] = [];
    for (const name of Object.keys(this.model.services)) {
      const workload = this.workload(name);
      const owner = workload === undefined ? undefined : this.owner(workload.resource);
      if (workload === undefined || owner === undefined) continue;
      const pod = this.podEndpoint(workload.resource);
      const port = this.servicePort(owner, name, pod);
      if (port !== undefined) targets.push({ target: { kind: "service", name }, pod, port });
    }
    const store = (target: Target, owner: RecordedResource | undefined) => {
      const endpoint = this.storeEndpoint(owner);
      if (endpoint !== undefined) targets.push({ target, ...endpoint });
    };
    if (this.model.database !== undefined) store({ kind: "database" }, this.components(COMPONENT.database)[0]);
    if (this.model.cache !== undefined) store({ kind: "cache" }, this.components(COMPONENT.cache)[0]);
    for (const name of Object.keys(this.model.buckets)) store({ kind: "bucket", name }, this.bucketComponent(name));
    return targets;
  }

  /** Whether one of our Ingresses sends traffic to the Service of `service`. */
  private routedByIngress(service: string): boolean {
    return this.plan.resources(T.ingress).some((ingress) =>
      ((ingress.inputs["spec"] as { rules?: { http?: { paths?: { backend?: { service?: { name?: string } } }[] } }[] } | undefined)?.rules ?? []).some((rule) =>
        (rule.http?.paths ?? []).some((path) => path.backend?.service?.name === service),
      ),
    );
  }

  private reachability(): Reachability[] {
    const edges: Reachability[] = [];
    const targets = this.targets();
    const sources: { peer: Peer; endpoints: Endpoint[] }[] = [
      ...Object.keys(this.model.services).flatMap((name) => {
        const workload = this.workload(name);
        return workload === undefined ? [] : [{ peer: { kind: "service", name } as const, endpoints: [this.podEndpoint(workload.resource)] }];
      }),
      {
        peer: { kind: "loadBalancer" },
        endpoints: [{ kind: "pod", namespace: this.options.ingressController.namespace, labels: this.options.ingressController.podLabels }],
      },
      {
        peer: { kind: "anywhere" },
        endpoints: [
          { kind: "external", ip: PROBE_ADDRESS },
          { kind: "pod", namespace: PROBE_NAMESPACE, labels: {} },
          ...[...new Set(targets.map((t) => (t.pod.kind === "pod" ? t.pod.namespace : "")))].map((namespace): Endpoint => ({ kind: "pod", namespace, labels: {} })),
        ],
      },
    ];
    for (const { target, pod, port } of targets) {
      for (const { peer, endpoints } of sources) {
        if (peer.kind === "service" && target.kind === "service" && peer.name === target.name) continue;
        // The load balancer reaches a service only through an Ingress of the plan; a store, by the network alone.
        if (peer.kind === "loadBalancer" && target.kind === "service" && !this.routedByIngress(target.name)) continue;
        if (endpoints.some((from) => canConnect(this.policies, from, pod, port))) edges.push({ from: peer, to: target });
      }
    }
    return edges;
  }

  // ---- buckets ----------------------------------------------------------------------------------

  /**
   * The MinIO users each Bucket's setup Job creates: which Secret holds each user's keys (the Job's
   * env) and which policy the script attaches to it, read as read or readwrite from the policy's
   * actions (a built-in policy by its meaning; anything unreadable counts as readwrite).
   */
  private readBucketUsers(): void {
    for (const job of this.plan.resources(T.job)) {
      const owner = this.owner(job);
      if (owner?.type !== COMPONENT.bucket) continue;
      const bucket = text(owner.outputs["bucketName"]);
      const container = (job.inputs["spec"] as { template: PodTemplate }).template.spec.containers[0];
      if (bucket === undefined || container === undefined) continue;
      const script = [...(container.command ?? []), ...(container.args ?? [])].join("\n");
      const secretOf = new Map((container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef?.key === "AWS_ACCESS_KEY_ID" ? [[e.name, e.valueFrom.secretKeyRef.name] as const] : [])));
      for (const [, policy, variable] of script.matchAll(/mc admin policy attach \S+ (\S+) --user "\$(\w+)"/g)) {
        const secretName = secretOf.get(variable!);
        if (secretName !== undefined) this.bucketCredentials.set(secretName, { bucket, access: policyAccess(script, policy!) });
      }
    }
  }

  private bucketAccess(): ObservedBucketAccess[] {
    const seen = new Map<string, ObservedBucketAccess>();
    for (const service of Object.keys(this.model.services)) {
      const workload = this.workload(service);
      if (workload === undefined) continue;
      for (const reference of this.references(workload.template, workload.container)) {
        const credentials = this.bucketCredentials.get(reference.secretName);
        if (credentials !== undefined) seen.set(`${service} ${credentials.bucket} ${credentials.access}`, { service, ...credentials });
      }
    }
    return [...seen.values()];
  }

  // ---- alerts -----------------------------------------------------------------------------------

  private alerts(): ObservedAlert[] {
    type Rule = { alert?: string; for?: string; labels?: Record<string, string> };
    const rules = this.plan.resources(T.rule).flatMap((r) => ((r.inputs["spec"] as { groups?: { rules?: Rule[] }[] } | undefined)?.groups ?? []).flatMap((g) => g.rules ?? []));
    // Store alerts share their names across stores: the store label tells them apart.
    const id = (alert: string, labels: Record<string, string>) => (labels["store"] === undefined ? alert : `${alert}[${labels["store"]}]`);
    return rules.flatMap((rule): ObservedAlert[] => {
      const labels = rule.labels ?? {};
      const severity = labels["severity"];
      if (rule.alert === undefined || !SEVERITIES.includes(severity as Severity)) return [];
      const escalates = labels[ESCALATES_LABEL];
      return [{ id: id(rule.alert, labels), severity: severity as Severity, pendingMinutes: durationMinutes(rule.for), ...(escalates === undefined ? {} : { escalates: id(escalates, labels) }) }];
    });
  }

  /** The value of a Secret key, from the recorded stringData (or base64 data). */
  private secretValue(selector: SecretKeySelector): string | undefined {
    const inputs = this.secrets.get(selector.name)?.resource.inputs;
    const plain = text((inputs?.["stringData"] as Record<string, unknown> | undefined)?.[selector.key]);
    if (plain !== undefined) return plain;
    const encoded = text((inputs?.["data"] as Record<string, unknown> | undefined)?.[selector.key]);
    return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
  }

  private routes(): Record<Severity, string[]> {
    const routes: Record<Severity, string[]> = { critical: [], warning: [], info: [] };
    for (const config of this.plan.resources(T.alertmanagerConfig)) {
      const spec = config.inputs["spec"] as { route?: AlertmanagerRoute; receivers?: Receiver[] } | undefined;
      const route = spec?.route;
      if (route === undefined) continue;
      for (const severity of SEVERITIES) {
        const receiver = (spec?.receivers ?? []).find((r) => r.name === routeFor(route, { severity }));
        if (receiver === undefined) continue;
        routes[severity].push(
          ...(receiver.emailConfigs ?? []).flatMap((e) => (e.to === undefined ? [] : [e.to])),
          ...(receiver.webhookConfigs ?? []).flatMap((w) => {
            const url = w.url ?? (w.urlSecret === undefined ? undefined : this.secretValue(w.urlSecret));
            return url === undefined ? [] : [url];
          }),
          ...(receiver.slackConfigs ?? []).flatMap((s) => {
            const url = s.apiURL === undefined ? undefined : this.secretValue(s.apiURL);
            return url === undefined ? [] : [url];
          }),
        );
      }
    }
    return routes;
  }

  // ---- backups and protection -------------------------------------------------------------------

  private backedUp(): ResourceRef[] {
    const database = this.components(COMPONENT.database)[0];
    if (this.model.database === undefined || database === undefined) return [];
    const children = this.plan.descendants(database);
    const dumps = children.some((r) => {
      if (r.type !== T.cronJob) return false;
      const pod = (r.inputs["spec"] as { jobTemplate?: { spec?: { template?: PodTemplate } } }).jobTemplate?.spec?.template;
      return (pod?.spec.containers ?? []).some((c) => [...(c.command ?? []), ...(c.args ?? [])].some((part) => part.includes("pg_dump")));
    });
    const clusters = new Set(children.filter((r) => r.type === T.cluster).map(nameOf));
    const scheduled = this.plan.resources(T.scheduledBackup).some((b) => clusters.has(text((b.inputs["spec"] as { cluster?: { name?: unknown } } | undefined)?.cluster?.name)));
    return dumps || scheduled ? [{ kind: "database" }] : [];
  }

  /**
   * Stores, buckets and secrets whose every data-holding resource is protected: the volumes and the
   * workloads that own them, the credentials and generated values (a replaced one locks clients out),
   * and the Namespace (deleting it deletes everything in it). A secret kept by an external store has
   * nothing in the plan that holds its value.
   */
  private protectedRefs(): ResourceRef[] {
    const namespaces = this.plan.resources(T.namespace);
    const holdsData = (r: RecordedResource) => ([T.statefulSet, T.cluster, T.pvc, T.secret, T.password] as string[]).includes(r.type);
    const allProtected = (resources: readonly RecordedResource[]) => resources.length > 0 && resources.every((r) => r.options.protect);
    const store = (owner: RecordedResource | undefined) => {
      if (owner === undefined) return false;
      const data = this.plan.descendants(owner).filter(holdsData);
      const inNamespaces = new Set(data.map(namespaceOf));
      return allProtected([...data, ...namespaces.filter((n) => inNamespaces.has(nameOf(n) ?? ""))]);
    };
    const secret = (name: string) => {
      const found = this.secrets.get(name);
      if (found === undefined) return false;
      if (found.resource.type === T.externalSecret) return true;
      const generated = found.resource.dependencies.flatMap((urn) => {
        const dependency = this.plan.get(urn);
        return dependency?.type === T.password ? [dependency] : [];
      });
      return allProtected([found.resource, ...generated]);
    };
    return [
      ...(this.model.database !== undefined && store(this.components(COMPONENT.database)[0]) ? [{ kind: "database" } as const] : []),
      ...(this.model.cache !== undefined && store(this.components(COMPONENT.cache)[0]) ? [{ kind: "cache" } as const] : []),
      ...Object.keys(this.model.buckets).flatMap((name) => (store(this.bucketComponent(name)) ? [{ kind: "bucket", name } as const] : [])),
      ...Object.keys(this.model.secrets).flatMap((name) => (secret(name) ? [{ kind: "secret", name } as const] : [])),
    ];
  }
}

/** What a MinIO policy attached by a setup script allows: a built-in one by its meaning, a created one by its actions. */
function policyAccess(script: string, policy: string): "read" | "readwrite" {
  const builtin = BUILTIN_POLICIES[policy];
  if (builtin !== undefined) return builtin;
  const file = new RegExp(`mc admin policy create \\S+ ${escape(policy)} (\\S+)`).exec(script)?.[1];
  const document = file === undefined ? undefined : new RegExp(`printf '%s' '([^']*)' > ${escape(file)}`).exec(script)?.[1];
  if (document === undefined) return "readwrite";
  try {
    const statements = (JSON.parse(document) as { Statement?: { Effect?: string; Action?: string | string[] }[] }).Statement ?? [];
    const actions = statements.filter((s) => s.Effect !== "Deny").flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action === undefined ? [] : [s.Action]));
    return actions.every((a) => READ_ACTIONS.has(a)) ? "read" : "readwrite";
  } catch {
    return "readwrite";
  }
}

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether an Alertmanager matcher matches a label set. */
function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[matcher.name] ?? "";
  const wanted = matcher.value ?? "";
  switch (matcher.matchType ?? (matcher.regex === true ? "=~" : "=")) {
    case "=":
      return value === wanted;
    case "!=":
      return value !== wanted;
    case "=~":
      return new RegExp(`^(?:${wanted})$`).test(value);
    case "!~":
      return !new RegExp(`^(?:${wanted})$`).test(value);
    default:
      return false;
  }
}

/** The receiver an alert with these labels goes to: the first matching child route, recursively, else the route's own. */
function routeFor(route: AlertmanagerRoute, labels: Readonly<Record<string, string>>): string | undefined {
  const child = (route.routes ?? []).find((r) => (r.matchers ?? []).every((m) => matches(m, labels)));
  return child === undefined ? route.receiver : (routeFor(child, labels) ?? route.receiver);
}
