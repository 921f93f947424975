import * as k8s from "@pulumi/kubernetes";
import { Match, runProgram } from "@polycloud/testing";
import { Network } from "./network";
import { spec } from "./__tests__/fixtures";

const network = spec().network;

describe("Network", () => {
  it("creates a restricted namespace named after the app and environment when defaults are used", async () => {
    const plan = await runProgram(() => ({ networkId: new Network("net", { app: "shop", environment: "production", network, tags: { team: "payments" } }).networkId }));
    const ns = plan.find(k8s.core.v1.Namespace);
    expect(ns.inputs.metadata!.name).toBe("shop-prd");
    expect(ns.inputs.metadata!.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      team: "payments",
      "app.kubernetes.io/part-of": "shop",
    });
    expect(plan.outputs.networkId).toBe("shop-prd");
    // Deleting the namespace would delete everything in it.
    expect(ns.options.protect).toBe(true);
  });

  it("denies all ingress and egress by default and allows DNS, the ingress controller and Prometheus", async () => {
    const plan = await runProgram(() => {
      new Network("net", { app: "shop", network });
    });
    const policies = plan.resources(k8s.networking.v1.NetworkPolicy);
    expect(policies.map((p) => p.inputs.metadata!.name).sort()).toEqual(["allow-dns", "allow-ingress-controller", "allow-monitoring", "default-deny"]);
    // Only Prometheus's pods, and only on the metrics ports: never the stores' data ports.
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-monitoring" },
      spec: Match.objectEquals({
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
            ports: [
              { protocol: "TCP", port: "http" },
              { protocol: "TCP", port: "metrics" },
            ],
          },
        ],
      }),
    });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "default-deny", namespace: "shop-dev" },
      spec: Match.objectEquals({ podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-dns" },
      spec: { egress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }] },
    });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-ingress-controller" },
      spec: {
        podSelector: { matchLabels: { "polycloud.dev/public": "true" } },
        ingress: [{ from: [Match.objectEquals({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } })] }],
      },
    });
  });

  it("admits the ingress controller to cert-manager's HTTP-01 solver pods when TLS has a domain", async () => {
    const run = (loadBalancer: Record<string, unknown>) =>
      runProgram(() => {
        new Network("net", { app: "shop", network: spec({ network: { loadBalancer } }).network, ingressController: { namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } } });
      });
    const plan = await run({ public: true, tls: true, domain: "shop.example.com" });
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-acme-solver" },
      spec: Match.objectEquals({
        podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } }],
            ports: [{ protocol: "TCP", port: 8089 }],
          },
        ],
      }),
    });
    // No domain: no certificate from cert-manager, so no solver.
    expect((await run({ public: true, tls: true })).findAll(k8s.networking.v1.NetworkPolicy, { metadata: { name: "allow-acme-solver" } })).toHaveLength(0);
  });

  it("uses the given namespace, ingress controller and no monitoring rule when told so", async () => {
    const plan = await runProgram(() => {
      new Network("net", {
        app: "shop",
        network,
        namespace: "payments",
        ingressController: { namespace: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } },
        monitoringNamespace: false,
      });
    });
    expect(plan.find(k8s.core.v1.Namespace).inputs.metadata!.name).toBe("payments");
    expect(plan.findAll(k8s.networking.v1.NetworkPolicy, { metadata: { name: "allow-monitoring" } })).toHaveLength(0);
    plan.hasResource(k8s.networking.v1.NetworkPolicy, {
      metadata: { name: "allow-ingress-controller", namespace: "payments" },
      spec: {
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
              },
            ],
          },
        ],
      },
    });
  });

  it("sizes the quota from the capacity and forbids node ports and load balancers when capacity is given", async () => {
    const plan = await runProgram(() => {
      new Network("net", { app: "shop", network, capacity: { cpu: 12, memory: 20480, pods: 40, storageGb: 150, persistentVolumeClaims: 5 } });
    });
    expect(plan.find(k8s.core.v1.ResourceQuota).inputs.spec!.hard).toEqual({
      "requests.cpu": "12",
      "limits.cpu": "12",
      "requests.memory": "20Gi",
      "limits.memory": "20Gi",
      pods: "40",
      "requests.storage": "150Gi",
      persistentvolumeclaims: "5",
      "requests.ephemeral-storage": "10Gi",
      "limits.ephemeral-storage": "40Gi",
      "services.nodeports": "0",
      "services.loadbalancers": "0",
    });
    plan.hasResource(k8s.core.v1.LimitRange, {
      spec: {
        limits: [
          { type: "Container", default: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "1Gi" }, defaultRequest: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "256Mi" } },
        ],
      },
    });
  });

  it("merges partial args over a child's, labels key by key, when a transform is partial args", async () => {
    const plan = await runProgram(() => {
      new Network("net", { app: "shop", network, transform: { namespace: { metadata: { labels: { owner: "team-a" } } } } });
    });
    const labels = plan.find(k8s.core.v1.Namespace).inputs.metadata!.labels;
    expect(labels).toMatchObject({ owner: "team-a", "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/part-of": "shop" });
  });

  it("lets a function transform change a child's resource options, e.g. retain the namespace on delete", async () => {
    const plan = await runProgram(() => {
      new Network("net", {
        app: "shop",
        network,
        transform: {
          namespace: (_args, opts) => {
            opts.retainOnDelete = true;
          },
          resourceQuota: (args, opts, name) => ({ args: { ...args, metadata: { ...args.metadata, annotations: { child: name } } }, opts: { ...opts, ignoreChanges: ["spec.hard"] } }),
        },
      });
    });
    expect(plan.find(k8s.core.v1.Namespace).options.retainOnDelete).toBe(true);
    const quota = plan.find(k8s.core.v1.ResourceQuota);
    expect(quota.inputs.metadata!.annotations).toEqual({ child: "net-quota" });
    expect(quota.options.ignoreChanges).toEqual(["spec.hard"]);
    // The component still parents the child.
    expect(quota.parent).toBe(plan.find("polycloud:kubernetes:Network").urn);
  });

  it("throws a PolycloudError before creating anything when the namespace is not a DNS label", () => {
    expect(() => new Network("net", { app: "shop", network, namespace: "Bad_Name" })).toThrow(/namespace: Kubernetes name \(DNS-1123 label\) "Bad_Name"/);
    expect(() => Network.fromNamespace("-x")).toThrow(/PolycloudError|namespace/);
  });

  it("refers to an existing namespace without creating one when fromNamespace is used", async () => {
    const ref = Network.fromNamespace("platform");
    expect(ref.namespaceName).toBe("platform");
    const plan = await runProgram(() => ({ id: ref.networkId }));
    expect(plan.outputs.id).toBe("platform");
    expect(plan.resources()).toHaveLength(0);
  });
});
