import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { join } from "node:path";
import { buildModel, loadSpec, parseSpec, PolycloudError, type AppModel, type SpecInput } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { backend } from "./backend";
import { FULL_SPEC, model, SMTP, SMTP_CONFIG } from "./__tests__/fixtures";
import { canConnect, networkPolicies, type Endpoint } from "./netpol";
import { kubernetesObjects, validateKubernetesObjects } from "./validation";

/** Every operator, from stack config (`polycloud:kubernetes.<option>`, nested by dotted path or JSON). */
const OPERATORS = {
  "polycloud:kubernetes.argoRollouts": "true",
  "polycloud:kubernetes.cloudNativePg": JSON.stringify({ objectStore: { destinationPath: "s3://backups/shop", credentialsSecret: "backup-creds" } }),
  "polycloud:kubernetes.externalSecretStore.name": "aws-secrets-manager",
  "polycloud:kubernetes.selectorLabels.release": "kube-prometheus-stack",
};

const full = model();

function build(m: AppModel<"kubernetes">, options: { preview?: boolean; provider?: boolean; secretValues?: Record<string, pulumi.Input<string>> } = {}): Promise<Plan> {
  return runProgram(
    () => {
      const parent = new pulumi.ComponentResource("polycloud:platform:Platform", "shop");
      const provider = options.provider === true ? new k8s.Provider("cluster", { kubeconfig: "{}" }) : undefined;
      const built = backend.build(m, parent, { ...(provider === undefined ? {} : { provider }), ...(options.secretValues === undefined ? {} : { secretValues: options.secretValues }) });
      return { urls: built.services.map((svc) => svc.url), alertCount: built.monitoring.alertCount, namespace: built.network.networkId };
    },
    { project: "shop", ...(options.preview === undefined ? {} : { preview: options.preview }) },
  );
}

interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  securityContext?: unknown;
  containers: Container[];
  initContainers?: Container[];
}
interface Container {
  securityContext?: unknown;
  resources?: { limits?: Record<string, string> };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
}

const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:argoproj.io/v1alpha1:Rollout"];

/** Every pod template of the plan: Deployments, StatefulSets, Rollouts, Jobs and CronJobs. */
function podTemplates(plan: Plan): { name: string; spec: PodSpec }[] {
  return plan.resources().flatMap((r) => {
    const name = `${r.type} ${r.name}`;
    if ([...WORKLOADS, "kubernetes:batch/v1:Job"].includes(r.type)) return [{ name, spec: r.inputs.spec.template.spec as PodSpec }];
    if (r.type === "kubernetes:batch/v1:CronJob") return [{ name, spec: r.inputs.spec.jobTemplate.spec.template.spec as PodSpec }];
    return [];
  });
}

/** The pods of each workload, by object name, as the NetworkPolicy evaluator sees them. */
function pods(plan: Plan): Record<string, Endpoint & { kind: "pod" }> {
  return Object.fromEntries(
    plan
      .resources()
      .filter((r) => WORKLOADS.includes(r.type))
      .map((w) => {
        const template = w.inputs.spec.template as { metadata: { labels: Record<string, string> }; spec: PodSpec };
        const namedPorts = Object.fromEntries(template.spec.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => (p.name === undefined ? [] : [[p.name, p.containerPort]]))));
        return [w.inputs.metadata.name as string, { kind: "pod", namespace: w.inputs.metadata.namespace as string, labels: template.metadata.labels, namedPorts }];
      }),
  );
}

/** The env of a service's container: plain values, and `<secret>/<key>` for references. */
function env(plan: Plan, service: string): [string, string | undefined][] {
  const workload = plan.resources().find((r) => ["kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"].includes(r.type) && r.inputs.metadata.name === service)!;
  const container = (workload.inputs.spec.template.spec as PodSpec).containers[0]!;
  return (container.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef ? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : e.value]);
}

describe("backend", () => {
  it("implements the Backend contract for kubernetes: it builds a model and validates nothing itself", () => {
    expect(backend.provider).toBe("kubernetes");
    expect(backend.packageName).toBe("@polycloud/kubernetes");
    expect(Object.keys(backend).sort()).toEqual(["build", "packageName", "provider"]);
  });

  it("builds every concern of a full spec in one namespace", async () => {
    const plan = await build(full);
    expect(plan.resources().filter((r) => !r.custom).map((r) => r.type).sort()).toEqual([
      "polycloud:kubernetes:Bucket",
      "polycloud:kubernetes:Cache",
      "polycloud:kubernetes:Database",
      "polycloud:kubernetes:Monitoring",
      "polycloud:kubernetes:Network",
      "polycloud:kubernetes:SecretStore",
      "polycloud:kubernetes:WebService",
      "polycloud:kubernetes:WebService",
      "polycloud:platform:Platform",
    ]);
    const namespaces = new Set(kubernetesObjects(plan).flatMap((r) => (r.type === "kubernetes:core/v1:Namespace" || r.type === "kubernetes:core/v1:ConfigMap" ? [] : [r.inputs.metadata.namespace])));
    expect([...namespaces]).toEqual(["shop-prd"]);
    // Except the dashboard, which Grafana's sidecar loads from Grafana's namespace; the init script is the database's.
    expect(plan.findAll(k8s.core.v1.ConfigMap).map((c) => `${c.inputs.metadata!.namespace}/${c.inputs.metadata!.name}`)).toEqual(["shop-prd/postgres-init", "monitoring/shop-prd-dashboard"]);
    // The one public service takes the domain.
    expect(plan.outputs.urls).toEqual(["https://shop.example.com", "http://worker.shop-prd.svc.cluster.local"]);
    // Sized from the spec: (api 10+10 canary, worker 4+4 blue-green, 3 database instances, cache, bucket) x 1.25.
    expect(plan.find(k8s.core.v1.ResourceQuota).inputs.spec!.hard!.pods).toBe("42");
  });

  it("answers each public service on the model's host when several are public", async () => {
    const input: SpecInput = { ...FULL_SPEC, services: { ...FULL_SPEC.services, worker: { ...FULL_SPEC.services!["worker"]!, public: true } } };
    const m = model(input);
    const plan = await build(m);
    expect(plan.outputs.urls).toEqual([`https://${m.services["api"]!.host}`, `https://${m.services["worker"]!.host}`]);
    // Each with its Ingress refusing /metrics on the same host.
    expect(plan.findAll(k8s.networking.v1.Ingress).map((i) => `${i.inputs.metadata!.name} ${i.inputs.spec!.rules![0]!.host}`)).toEqual([
      "api api.shop.example.com",
      "api-metrics api.shop.example.com",
      "worker worker.shop.example.com",
      "worker-metrics worker.shop.example.com",
    ]);
  });

  it("takes namespace, ingress, issuer, monitoring, storage and Grafana from the options, stack config over the spec's providers section", async () => {
    const input: SpecInput = {
      ...FULL_SPEC,
      providers: {
        kubernetes: {
          namespace: "payments",
          ingressClassName: "traefik",
          clusterIssuer: "internal-ca",
          ingressController: { namespace: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } },
          monitoringNamespace: "observability",
          storageClassName: "fast",
          grafanaUrl: "https://grafana.example.com",
        },
      },
    };
    const plan = await build(model(input, { "polycloud:kubernetes.clusterIssuer": "letsencrypt-staging" }));
    expect(plan.find(k8s.core.v1.Namespace).inputs.metadata!.name).toBe("payments");
    const ingress = plan.find(k8s.networking.v1.Ingress).inputs;
    expect(ingress.spec!.ingressClassName).toBe("traefik");
    expect(ingress.metadata!.annotations!["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-staging");
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-ingress-controller" },
      spec: { ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }] }] },
    });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-monitoring" },
      spec: { ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }] }] },
    });
    expect(plan.find(k8s.apps.v1.StatefulSet, { metadata: { name: "redis" } }).inputs.spec.volumeClaimTemplates![0]!.spec!.storageClassName).toBe("fast");
    expect(plan.find(k8s.core.v1.PersistentVolumeClaim).inputs.spec!.storageClassName).toBe("fast");
  });

  it("wires exactly each service's secret bindings and the credentials of its bucket grant, by secretKeyRef", async () => {
    const plan = await build(full);
    expect(env(plan, "api")).toEqual([
      ["LOG_LEVEL", "info"],
      ["STRIPE_KEY", "stripe-key/value"],
      ["DATABASE_URL", "postgres-app/DATABASE_URL"],
      ["REDIS_URL", "redis-app/REDIS_URL"],
      ["BUCKET_ASSETS_S3_ENDPOINT", "bucket-assets-app/S3_ENDPOINT"],
      ["BUCKET_ASSETS_S3_BUCKET", "bucket-assets-app/S3_BUCKET"],
      ["BUCKET_ASSETS_AWS_ACCESS_KEY_ID", "bucket-assets-app/AWS_ACCESS_KEY_ID"],
      ["BUCKET_ASSETS_AWS_SECRET_ACCESS_KEY", "bucket-assets-app/AWS_SECRET_ACCESS_KEY"],
    ]);
    // worker: no database grant, the cache, and read-only credentials of the bucket.
    expect(env(plan, "worker")).toEqual([
      ["REDIS_URL", "redis-app/REDIS_URL"],
      ["BUCKET_ASSETS_S3_ENDPOINT", "bucket-assets-read/S3_ENDPOINT"],
      ["BUCKET_ASSETS_S3_BUCKET", "bucket-assets-read/S3_BUCKET"],
      ["BUCKET_ASSETS_AWS_ACCESS_KEY_ID", "bucket-assets-read/AWS_ACCESS_KEY_ID"],
      ["BUCKET_ASSETS_AWS_SECRET_ACCESS_KEY", "bucket-assets-read/AWS_SECRET_ACCESS_KEY"],
    ]);
  });

  it("gives the store access labels only to the stores' clients", async () => {
    const plan = await build(full);
    const { api, worker } = pods(plan);
    expect(Object.keys(api!.labels).filter((k) => k.startsWith("access.polycloud.dev/")).sort()).toEqual([
      "access.polycloud.dev/bucket-assets",
      "access.polycloud.dev/postgres",
      "access.polycloud.dev/redis",
    ]);
    expect(Object.keys(worker!.labels).filter((k) => k.startsWith("access.polycloud.dev/")).sort()).toEqual(["access.polycloud.dev/bucket-assets", "access.polycloud.dev/redis"]);
  });

  it("lets each service reach exactly its granted stores and callees on their ports, and admits the ingress controller to public services only", async () => {
    const plan = await build(full);
    const policies = networkPolicies(plan.resources());
    const p = pods(plan);
    const { api, worker, postgres, redis } = p as Record<string, Endpoint>;
    const bucket = p["bucket-assets"]!;
    const can = (from: Endpoint, to: Endpoint, port: number) => canConnect(policies, from, to, port);
    expect([can(api!, postgres!, 5432), can(api!, redis!, 6379), can(api!, bucket, 9000)]).toEqual([true, true, true]);
    expect([can(worker!, postgres!, 5432), can(worker!, redis!, 6379), can(worker!, bucket, 9000)]).toEqual([false, true, true]);
    // api may call worker on worker's port, and nothing else; worker calls nobody.
    expect([can(api!, worker!, 9090), can(api!, worker!, 8080), can(worker!, api!, 8080)]).toEqual([true, false, false]);
    // A store never reaches out, and a pod without grants (a debug pod) reaches nothing.
    expect([can(postgres!, redis!, 6379), can(redis!, postgres!, 5432)]).toEqual([false, false]);
    const debug: Endpoint = { kind: "pod", namespace: "shop-prd", labels: { "app.kubernetes.io/name": "debug" } };
    expect([can(debug, postgres!, 5432), can(debug, api!, 8080), can(debug, worker!, 9090)]).toEqual([false, false, false]);
    const controller: Endpoint = { kind: "pod", namespace: "ingress-nginx", labels: {} };
    expect([can(controller, api!, 8080), can(controller, worker!, 9090), can(controller, postgres!, 5432)]).toEqual([true, false, false]);
  });

  it("lets the prod spec's services call each other and nothing else reach the private worker (stacks/prod.yaml)", async () => {
    const m = buildModel(loadSpec(join(__dirname, "..", "..", "..", "stacks", "prod.yaml")), "kubernetes", {});
    // The model: api and worker call each other; the load balancer reaches api only.
    expect(m.services["worker"]!.callers).toEqual([{ kind: "service", name: "api" }]);
    const plan = await build(m);
    const policies = networkPolicies(plan.resources());
    const { api, worker } = pods(plan) as Record<string, Endpoint>;
    const can = (from: Endpoint, to: Endpoint, port: number) => canConnect(policies, from, to, port);
    // Under the namespace's default-deny, each service reaches the other on its port only.
    expect([can(api!, worker!, 9090), can(worker!, api!, 8080)]).toEqual([true, true]);
    expect([can(api!, worker!, 8080), can(worker!, api!, 9090)]).toEqual([false, false]);
    // A pod of the namespace without grants, the ingress controller and Prometheus do not reach the worker's port.
    const debug: Endpoint = { kind: "pod", namespace: "shop-prd", labels: { "app.kubernetes.io/name": "debug" } };
    const controller: Endpoint = { kind: "pod", namespace: "ingress-nginx", labels: {} };
    const prometheus: Endpoint = { kind: "pod", namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } };
    expect([can(debug, worker!, 9090), can(controller, worker!, 9090), can(controller, api!, 8080)]).toEqual([false, false, true]);
    // Prometheus scrapes the named http port (9090 on the worker's pods).
    expect(can(prometheus, worker!, 9090)).toBe(true);
  });

  it.each([
    // Plain: the application's and the superuser's database passwords, the cache's, the bucket's root, readwrite and read users'.
    ["plain cluster", {}, 6, 7],
    ["cluster with every operator", OPERATORS, 5, 5],
  ] as const)("never puts a secret value in a container's plain env on a %s", async (_, config, passwords, pods) => {
    const plan = await build(model(FULL_SPEC, config));
    // Every generated password and every value of the spec's secrets; connection URLs contain them.
    const secretValues = plan.resources(random.RandomPassword).map((p) => p.outputs.result as string);
    expect(new Set(secretValues).size).toBe(passwords);
    for (const value of secretValues) expect(value).toMatch(/^[A-Za-z0-9]{32,40}$/);
    const templates = podTemplates(plan);
    // api, worker, postgres (+ its pg_dump CronJob on a plain cluster), redis, MinIO and its setup Job.
    expect(templates.length).toBe(pods);
    const plainEnv = templates
      .flatMap(({ spec }) => [...spec.containers, ...(spec.initContainers ?? [])])
      .flatMap((c) => c.env ?? [])
      .filter((e) => e.value !== undefined);
    expect(plainEnv.length).toBeGreaterThan(0);
    for (const e of plainEnv) {
      for (const secret of secretValues) expect(e.value).not.toContain(secret);
    }
  });

  describe("renders where each secret's value comes from, as the model says", () => {
    const secrets = { "stripe-key": { description: "Stripe API key" }, "session-key": { generate: true }, "webhook-token": {} };
    const spec: SpecInput = { ...FULL_SPEC, secrets, services: { ...FULL_SPEC.services, api: { ...FULL_SPEC.services!["api"]!, secrets: Object.keys(secrets) } } };

    it("stores a value from stack config, generates only what the spec says to generate, and leaves a missing one without a value", async () => {
      const m = model(spec, { "polycloud:secrets.stripe-key": "set" });
      expect(Object.fromEntries(Object.values(m.secrets).map((s) => [s.spec.name, s.value]))).toEqual({ "stripe-key": "config", "session-key": "generated", "webhook-token": "missing" });
      // The platform passes the config value; the model says where each comes from.
      const plan = await build(m, { secretValues: { "stripe-key": pulumi.secret("sk_live_given") } });
      const secret = (name: string) => plan.find(k8s.core.v1.Secret, { metadata: { name } });
      expect(secret("stripe-key").inputs.stringData).toEqual({ value: "sk_live_given" });
      expect(secret("stripe-key").secretInputs).toContain("stringData");
      const generated = plan.findAll(random.RandomPassword).filter((r) => r.name.startsWith("shop-secrets-"));
      expect(generated.map((r) => r.name)).toEqual(["shop-secrets-session-key-value"]);
      expect(secret("session-key").inputs.stringData).toEqual({ value: generated[0]!.outputs.result });
      // Missing: the Secret exists without its key; api waits in CreateContainerConfigError until the value is set.
      expect(secret("webhook-token").inputs.stringData).toBeUndefined();
      expect(secret("webhook-token").inputs.metadata!.annotations).toMatchObject({ "polycloud.dev/value": "missing" });
      expect(env(plan, "api")).toContainEqual(["WEBHOOK_TOKEN", "webhook-token/value"]);
      expect(m.warnings).toContainEqual(expect.objectContaining({ path: "secrets.webhook-token", fix: expect.stringContaining("pulumi config set --secret polycloud:secrets.webhook-token") }));
    });
  });

  it("refuses email routes when the options have no SMTP settings, before anything is built", () => {
    expect(() => buildModel(parseSpec(FULL_SPEC), "kubernetes", {})).toThrow(PolycloudError);
    expect(() => buildModel(parseSpec(FULL_SPEC), "kubernetes", {})).toThrow(/monitoring\.alerts\.critical\[0\]\.email: "oncall@example\.com" cannot be sent/);
    expect(full.options.smtp).toEqual({ ...SMTP, requireTLS: true });
    expect(buildModel(parseSpec(FULL_SPEC), "kubernetes", SMTP_CONFIG).options.smtp).toEqual({ ...SMTP, requireTLS: true });
  });

  it("sends email through the SMTP option and puts the dashboard in the monitoring namespace", async () => {
    const plan = await build(model(FULL_SPEC, { "polycloud:kubernetes.monitoringNamespace": "observability" }));
    const receivers = plan.find("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig").inputs.spec.receivers as { name: string; emailConfigs?: { smarthost: string; from: string }[] }[];
    expect(receivers.find((r) => r.name === "critical")!.emailConfigs).toEqual([expect.objectContaining({ to: "oncall@example.com", smarthost: SMTP.smarthost, from: SMTP.from })]);
    expect(plan.find(k8s.core.v1.ConfigMap, { metadata: { name: "shop-prd-dashboard" } }).inputs.metadata!.namespace).toBe("observability");
  });

  it.each([
    ["plain cluster", {}],
    ["cluster with every operator", OPERATORS],
  ])("hardens every pod template on a %s (CloudNativePG's instance pods are the operator's)", async (_, config) => {
    const plan = await build(model(FULL_SPEC, config));
    const templates = podTemplates(plan);
    expect(templates.length).toBeGreaterThan(3);
    for (const { name, spec } of templates) {
      expect([name, spec.automountServiceAccountToken, spec.serviceAccountName]).toEqual([name, false, expect.not.stringMatching(/^default$/)]);
      expect([name, spec.securityContext]).toEqual([
        name,
        { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } },
      ]);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect([name, c.securityContext]).toEqual([
          name,
          {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        ]);
        expect([name, Object.keys(c.resources?.limits ?? {}).sort()]).toEqual([name, ["cpu", "ephemeral-storage", "memory"]]);
      }
    }
  });

  it("builds with every operator the options name: Rollouts analysed on the monitoring namespace's Prometheus, a CNPG cluster, ExternalSecrets, selected monitoring objects", async () => {
    const plan = await build(model(FULL_SPEC, { ...OPERATORS, "polycloud:kubernetes.monitoringNamespace": "observability" }));
    plan.resourceCountIs(k8s.apps.v1.Deployment, 0);
    const analysis = plan.find("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate", { metadata: { name: "api-error-rate" } });
    expect(analysis.inputs.spec.metrics[0].provider.prometheus.address).toBe("http://prometheus-operated.observability.svc:9090");
    expect(plan.find("kubernetes:postgresql.cnpg.io/v1:Cluster").inputs.spec.backup.barmanObjectStore.destinationPath).toBe("s3://backups/shop");
    plan.hasResource("kubernetes:external-secrets.io/v1:ExternalSecret", { spec: { secretStoreRef: { name: "aws-secrets-manager", kind: "ClusterSecretStore" } } });
    expect(plan.find("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
  });

  it("emits only objects that validate against the Kubernetes OpenAPI schema on a plain cluster", async () => {
    const plan = await build(full);
    expect(kubernetesObjects(plan).length).toBeGreaterThan(40);
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });

  it("emits only objects that validate against the Kubernetes and CRD schemas with every operator", async () => {
    const plan = await build(model(FULL_SPEC, OPERATORS));
    const types = new Set(kubernetesObjects(plan).map((r) => r.type));
    for (const crd of ["Rollout", "AnalysisTemplate", "Cluster", "ScheduledBackup", "ExternalSecret", "ServiceMonitor", "PrometheusRule", "AlertmanagerConfig"]) {
      expect([...types].some((t) => t.endsWith(`:${crd}`))).toBe(true);
    }
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });

  it("detects a schema violation when an object is malformed", async () => {
    const plan = await runProgram(() => {
      new k8s.core.v1.Service("bad", { metadata: { name: "bad" }, spec: { ports: [{ port: "http" as unknown as number }] } });
    });
    expect(validateKubernetesObjects(plan)).toEqual([
      { urn: expect.stringMatching(/::bad$/), type: "kubernetes:core/v1:Service", kind: "Service", name: "bad", path: "spec.ports[0].port", message: "must be integer" },
    ]);
  });

  it("detects an unknown property (a typo) in an object, including a Rollout's pod template", async () => {
    const plan = await runProgram(() => {
      const spec = { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { automountServiceAcountToken: false, containers: [{ name: "x", image: "x" }] } } };
      new k8s.apps.v1.Deployment("typo", { metadata: { name: "typo" }, spec: spec as k8s.types.input.apps.v1.DeploymentSpec });
      new k8s.apiextensions.CustomResource("rollout-typo", { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "typo" }, spec });
    });
    const unknown = { path: "spec.template.spec.automountServiceAcountToken", message: "unknown property" };
    expect(validateKubernetesObjects(plan)).toEqual([
      expect.objectContaining({ kind: "Deployment", name: "typo", ...unknown }),
      expect.objectContaining({ kind: "Rollout", name: "rollout-typo", ...unknown }),
      // Argo Rollouts v1.9.1's own CRD declares the pod template too.
      expect.objectContaining({ kind: "Rollout", name: "rollout-typo", path: unknown.path, message: "unknown property (argo-rollouts v1.9.1 CRD)" }),
    ]);
  });

  it("reports an object of a type without a known schema unless told to skip it or given its model", async () => {
    const plan = await runProgram(() => {
      new k8s.rbac.v1.Role("reader", { metadata: { name: "reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] });
    });
    expect(validateKubernetesObjects(plan)).toEqual([expect.objectContaining({ kind: "Role", path: "", message: expect.stringMatching(/^no schema known for kubernetes:rbac.authorization.k8s.io\/v1:Role/) })]);
    expect(validateKubernetesObjects(plan, { skipUnknownTypes: true })).toEqual([]);
    expect(validateKubernetesObjects(plan, { models: { "kubernetes:rbac.authorization.k8s.io/v1:Role": Role } })).toEqual([]);
  });

  it.each([
    ["plain cluster", {}],
    ["cluster with every operator", OPERATORS],
  ])("registers the same resources in preview and update on a %s", async (_, config) => {
    const m = model(FULL_SPEC, config);
    const urns = async (preview: boolean) => (await build(m, { preview })).resources().map((r) => r.urn).sort();
    expect(await urns(true)).toEqual(await urns(false));
  });

  it("builds a spec without storage, with a zero storage quota", async () => {
    const plan = await build(model({ name: "shop", services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true } } }));
    expect(plan.find(k8s.core.v1.ResourceQuota).inputs.spec!.hard!["requests.storage"]).toBe("0");
  });

  it("gives every child the explicit provider when one is passed", async () => {
    const plan = await build(model({ name: "shop", services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true } } }), { provider: true });
    const objects = kubernetesObjects(plan).filter((r) => r.type !== "pulumi:providers:kubernetes");
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.every((r) => r.provider?.includes("pulumi:providers:kubernetes::cluster"))).toBe(true);
  });
});
