import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseSpec, type Backend } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { backend, createBackend } from "./backend";
import { FULL_SPEC, spec } from "./__tests__/fixtures";
import { canConnect } from "./__tests__/netpol";
import { kubernetesObjects, validateKubernetesObjects } from "./validation";

const full = parseSpec(FULL_SPEC);
const OPERATORS = createBackend({
  argoRollouts: true,
  cloudNativePg: { objectStore: { destinationPath: "s3://backups/shop", credentialsSecret: "backup-creds" } },
  externalSecretStore: { name: "aws-secrets-manager" },
  selectorLabels: { release: "kube-prometheus-stack" },
});

function build(b: Backend, s = full, options: { preview?: boolean; provider?: boolean } = {}): Promise<Plan> {
  return runProgram(
    () => {
      const parent = new pulumi.ComponentResource("polycloud:platform:Platform", "shop");
      const provider = options.provider === true ? new k8s.Provider("cluster", { kubeconfig: "{}" }) : undefined;
      const built = b.build(s, parent, provider === undefined ? {} : { provider });
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
  env?: { name: string; value?: string }[];
}

/** Every pod template of the plan: Deployments, StatefulSets, Rollouts, Jobs and CronJobs. */
function podTemplates(plan: Plan): { name: string; spec: PodSpec }[] {
  return plan.resources().flatMap((r) => {
    const name = `${r.type} ${r.name}`;
    if (["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:argoproj.io/v1alpha1:Rollout", "kubernetes:batch/v1:Job"].includes(r.type)) {
      return [{ name, spec: r.inputs.spec.template.spec as PodSpec }];
    }
    if (r.type === "kubernetes:batch/v1:CronJob") return [{ name, spec: r.inputs.spec.jobTemplate.spec.template.spec as PodSpec }];
    return [];
  });
}

/** The labels of the pods of each workload, by object name. */
function podLabels(plan: Plan): Record<string, Record<string, string>> {
  const workloads = plan.resources().filter((r) => ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:argoproj.io/v1alpha1:Rollout"].includes(r.type));
  return Object.fromEntries(workloads.map((w) => [w.inputs.metadata.name as string, w.inputs.spec.template.metadata.labels as Record<string, string>]));
}

describe("backend", () => {
  it("implements the Backend contract for kubernetes", () => {
    expect(backend.provider).toBe("kubernetes");
    expect(backend.packageName).toBe("@polycloud/kubernetes");
    expect(backend.validate(full)).toEqual([]);
  });

  it("reports what a cluster cannot honour when validating", () => {
    const problems = backend.validate(spec({ network: { cdn: true }, backup: { crossRegion: true } }));
    expect(problems.map((p) => p.path)).toEqual(["network.cdn", "backup.crossRegion"]);
  });

  it("reports services and secrets named like the stores' objects when validating", () => {
    const problems = backend.validate(
      spec({
        services: { postgres: { image: "a:1" }, "bucket-assets-setup": { image: "a:1" }, redis: { image: "a:1" } },
        database: {},
        buckets: { assets: {} },
        secrets: { "postgres-app": {}, "bucket-assets-root": {} },
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'services.postgres: "postgres" is also the name of the database\'s objects on Kubernetes',
      'services.bucket-assets-setup: "bucket-assets-setup" is also the name of bucket assets\'s objects on Kubernetes',
      'secrets.postgres-app: "postgres-app" is also the name of the database\'s Secret on Kubernetes',
      'secrets.bucket-assets-root: "bucket-assets-root" is also the name of bucket assets\'s Secret on Kubernetes',
    ]);
  });

  it("builds every concern of a full spec in one namespace", async () => {
    const plan = await build(backend);
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
    const namespaces = new Set(kubernetesObjects(plan).flatMap((r) => (r.type === "kubernetes:core/v1:Namespace" ? [] : [r.inputs.metadata.namespace])));
    expect([...namespaces]).toEqual(["shop-prd"]);
    // The one public service takes the domain.
    expect(plan.outputs.urls).toEqual(["https://shop.example.com", "http://worker.shop-prd.svc.cluster.local"]);
    // Sized from the spec: (api 10+10 canary, worker 4+4 blue-green, 3 database instances, cache, bucket) x 1.25.
    expect(plan.find(k8s.core.v1.ResourceQuota).inputs.spec!.hard!.pods).toBe("42");
  });

  it("wires DATABASE_URL, REDIS_URL, spec secrets and bucket keys into services by secretKeyRef", async () => {
    const plan = await build(backend);
    const env = plan.find(k8s.apps.v1.Deployment, { metadata: { name: "api" } }).inputs.spec.template.spec!.containers[0]!.env!;
    expect(env.map((e) => [e.name, e.valueFrom?.secretKeyRef ? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : e.value])).toEqual([
      ["LOG_LEVEL", "info"],
      ["STRIPE_KEY", "stripe-key/value"],
      ["DATABASE_URL", "postgres-app/DATABASE_URL"],
      ["REDIS_URL", "redis-app/REDIS_URL"],
      ["BUCKET_ASSETS_S3_ENDPOINT", "bucket-assets-app/S3_ENDPOINT"],
      ["BUCKET_ASSETS_S3_BUCKET", "bucket-assets-app/S3_BUCKET"],
      ["BUCKET_ASSETS_AWS_ACCESS_KEY_ID", "bucket-assets-app/AWS_ACCESS_KEY_ID"],
      ["BUCKET_ASSETS_AWS_SECRET_ACCESS_KEY", "bucket-assets-app/AWS_SECRET_ACCESS_KEY"],
    ]);
  });

  it.each([
    ["plain cluster", backend, 5],
    ["cluster with every operator", OPERATORS, 4],
  ] as const)("never puts a secret value in a container's plain env on a %s", async (_, b, passwords) => {
    const plan = await build(b);
    // Every generated password and every value of the spec's secrets; connection URLs contain them.
    const secretValues = plan.resources(random.RandomPassword).map((p) => p.outputs.result as string);
    expect(new Set(secretValues).size).toBe(passwords);
    for (const value of secretValues) expect(value).toMatch(/^[A-Za-z0-9]{32,40}$/);
    const templates = podTemplates(plan);
    // api, worker, postgres (+ its pg_dump CronJob on a plain cluster), redis, MinIO and its setup Job.
    expect(templates.length).toBe(b === backend ? 7 : 5);
    const plainEnv = templates
      .flatMap(({ spec }) => [...spec.containers, ...(spec.initContainers ?? [])])
      .flatMap((c) => c.env ?? [])
      .filter((e) => e.value !== undefined);
    expect(plainEnv.length).toBeGreaterThan(0);
    for (const e of plainEnv) {
      for (const secret of secretValues) expect(e.value).not.toContain(secret);
    }
  });

  it.each([
    ["plain cluster", backend],
    ["cluster with every operator", OPERATORS],
  ])("hardens every pod template on a %s (CloudNativePG's instance pods are the operator's)", async (_, b) => {
    const plan = await build(b);
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

  it("lets services reach their database, cache and bucket and nothing else", async () => {
    const plan = await build(backend);
    const pods = podLabels(plan);
    const { api, worker, postgres, redis } = pods as Record<string, Record<string, string>>;
    const bucket = pods["bucket-assets"]!;
    expect(canConnect(plan, api!, postgres!, 5432)).toBe(true);
    expect(canConnect(plan, api!, redis!, 6379)).toBe(true);
    expect(canConnect(plan, api!, bucket, 9000)).toBe(true);
    // Wrong port, another service, or a store reaching out: all denied.
    expect(canConnect(plan, api!, postgres!, 6379)).toBe(false);
    expect(canConnect(plan, api!, worker!, 8080)).toBe(false);
    expect(canConnect(plan, worker!, api!, 8080)).toBe(false);
    expect(canConnect(plan, postgres!, redis!, 6379)).toBe(false);
    expect(canConnect(plan, redis!, postgres!, 5432)).toBe(false);
    // A pod without the access labels (e.g. a debug pod) cannot reach the database.
    expect(canConnect(plan, { "app.kubernetes.io/name": "debug" }, postgres!, 5432)).toBe(false);
  });

  it("emits only objects that validate against the Kubernetes OpenAPI schema on a plain cluster", async () => {
    const plan = await build(backend);
    expect(kubernetesObjects(plan).length).toBeGreaterThan(40);
    expect(validateKubernetesObjects(plan)).toEqual([]);
  });

  it("emits only objects that validate against the Kubernetes and CRD schemas with every operator", async () => {
    const plan = await build(OPERATORS);
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
    ["plain cluster", backend],
    ["cluster with every operator", OPERATORS],
  ])("registers the same resources in preview and update on a %s", async (_, b) => {
    const urns = async (preview: boolean) => (await build(b, full, { preview })).resources().map((r) => r.urn).sort();
    expect(await urns(true)).toEqual(await urns(false));
  });

  it("builds a spec without storage, with a zero storage quota", async () => {
    const plan = await build(backend, spec());
    expect(plan.find(k8s.core.v1.ResourceQuota).inputs.spec!.hard!["requests.storage"]).toBe("0");
  });

  it("gives every child the explicit provider when one is passed", async () => {
    const plan = await build(backend, spec(), { provider: true });
    const objects = kubernetesObjects(plan).filter((r) => r.type !== "pulumi:providers:kubernetes");
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.every((r) => r.provider?.includes("pulumi:providers:kubernetes::cluster"))).toBe(true);
  });
});
