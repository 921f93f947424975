import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  componentDefaults,
  PolycloudError,
  physicalName,
  transformed,
  type NetworkArgs as CoreNetworkArgs,
  type NetworkOutputs,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems, PUBLIC_LABEL } from "./labels";
import { EPHEMERAL_STORAGE } from "./pod";
import { cpuQuantity, memoryQuantity, storageQuantity } from "./quantity";
import { DEFAULT_CAPACITY, type Capacity } from "./sizing";

/** Where an ingress controller runs. */
export interface IngressControllerRef {
  readonly namespace: string;
  /** Labels of the controller's pods; without them every pod of the namespace counts as the controller. @default {} */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Named container ports Prometheus may scrape: `http` (web services serve /metrics there) and `metrics` (CloudNativePG instances). */
export const METRICS_PORTS = ["http", "metrics"] as const;

/** A namespace the other components deploy into: a {@link Network}, or an existing one via {@link Network.fromNamespace}. */
export interface NamespaceRef extends NetworkOutputs {
  /** The namespace name as a plain value, for in-cluster DNS names (`<service>.<namespace>.svc`). */
  readonly namespaceName: string;
}

export interface NetworkArgs extends CoreNetworkArgs {
  /**
   * Name of the namespace to create.
   * @default - `<app>-<env>`, e.g. `shop-prd`
   */
  readonly namespace?: string;
  /**
   * Where the ingress controller runs: its pods may reach public services (pods labelled
   * `polycloud.dev/public: "true"`), nothing else may reach into the namespace from outside.
   * @default { namespace: "ingress-nginx" }
   */
  readonly ingressController?: IngressControllerRef;
  /**
   * Admit the ingress controller to cert-manager's HTTP-01 solver pods (port 8089), which
   * default-deny would otherwise block, so certificates are never issued.
   * @default - true when `network.loadBalancer.tls` is on and a `domain` is set (cert-manager issues the certificate)
   */
  readonly acmeSolver?: boolean;
  /**
   * Namespace of Prometheus, allowed to scrape the metrics ports of the namespace's pods; `false` leaves the rule out.
   * @default "monitoring"
   */
  readonly monitoringNamespace?: string | false;
  /**
   * Labels of the Prometheus pods in `monitoringNamespace`: only they may scrape, and only the
   * {@link METRICS_PORTS}, never the stores' data ports.
   * @default { "app.kubernetes.io/name": "prometheus" } (the Prometheus operator's pods)
   */
  readonly prometheusPodLabels?: Readonly<Record<string, string>>;
  /** Ignored on Kubernetes: the namespace has no flow logs. @default - ignored */
  readonly logRetentionDays?: number;
  /**
   * ResourceQuota of the namespace; `capacityFor(spec)` sizes it from a spec (the Kubernetes backend does).
   * @default - 4 CPU, 8 GiB, 20 pods, 100 GiB storage, 10 claims
   */
  readonly capacity?: Capacity;
  /** Adjust any child's args. @default {} */
  readonly transform?: {
    readonly namespace?: Transform<k8s.core.v1.NamespaceArgs>;
    readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    readonly resourceQuota?: Transform<k8s.core.v1.ResourceQuotaArgs>;
    readonly limitRange?: Transform<k8s.core.v1.LimitRangeArgs>;
  };
}

/**
 * An application's namespace, locked down: Pod Security Admission `restricted`, default-deny
 * NetworkPolicies for ingress and egress with allow rules for DNS, the ingress controller (to public
 * services) and Prometheus, a ResourceQuota sized from the spec and a LimitRange for containers
 * that set no resources. Database, cache and bucket components add the rules that let their clients in,
 * and web services the rules that let their callers in (`WebServiceArgs.callers`).
 *
 * Pass an explicit `k8s.Provider` through the resource options (`{ provider }` or `{ providers: [provider] }`)
 * to deploy somewhere other than the ambient kubeconfig; every child inherits it.
 */
export class Network extends PolycloudComponent implements NamespaceRef {
  readonly networkId: pulumi.Output<string>;
  readonly namespaceName: string;
  readonly namespace: k8s.core.v1.Namespace;

  /** Refers to a namespace that exists already (created by a platform team), without managing it. */
  static fromNamespace(namespace: string): NamespaceRef {
    PolycloudError.throwIfAny(dnsLabelProblems("namespace", namespace));
    return { networkId: pulumi.output(namespace), namespaceName: namespace };
  }

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const namespaceName = args.namespace ?? physicalName("kubernetes", "dns1123Label", { app: args.app, environment: componentDefaults(args).environment });
    PolycloudError.throwIfAny([
      ...dnsLabelProblems("namespace", namespaceName),
      ...dnsLabelProblems("ingressController.namespace", args.ingressController?.namespace ?? "ingress-nginx"),
    ]);
    super("kubernetes", "Network", name, args, opts);
    this.namespaceName = namespaceName;
    const labels = commonOf(this.defaults).labels;
    const t = args.transform ?? {};

    this.namespace = new k8s.core.v1.Namespace(
      ...transformed(
        `${name}-namespace`,
        {
          metadata: {
            name: this.namespaceName,
            labels: {
              ...labels,
              // Enforce, audit and warn at `restricted`: privileged or root pods are rejected at admission.
              "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/audit": "restricted",
              "pod-security.kubernetes.io/warn": "restricted",
            },
          },
        },
        // Deleting a namespace deletes everything in it, the stores' volume claims included.
        this.childOptions({ stateful: true }),
        t.namespace,
      ),
    );
    const namespace = this.namespace.metadata.name;
    this.networkId = namespace;

    const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(...transformed(`${name}-${suffix}`, { metadata: { name: suffix, namespace, labels }, spec }, this.childOptions(), t.networkPolicy));

    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
    const controller = args.ingressController ?? { namespace: "ingress-nginx" };
    const controllerPeer = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": controller.namespace } },
      ...(controller.podLabels === undefined ? {} : { podSelector: { matchLabels: { ...controller.podLabels } } }),
    };
    policy("allow-ingress-controller", {
      podSelector: { matchLabels: { [PUBLIC_LABEL]: "true" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [controllerPeer] }],
    });
    const lb = args.network.loadBalancer;
    if (args.acmeSolver ?? (lb.tls && lb.domain !== undefined)) {
      // cert-manager runs a solver pod in this namespace per HTTP-01 challenge; Let's Encrypt reaches it through the controller.
      policy("allow-acme-solver", {
        podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [controllerPeer], ports: [{ protocol: "TCP", port: 8089 }] }],
      });
    }
    const monitoring = args.monitoringNamespace ?? "monitoring";
    if (monitoring !== false) {
      policy("allow-monitoring", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoring } },
                podSelector: { matchLabels: { ...(args.prometheusPodLabels ?? { "app.kubernetes.io/name": "prometheus" }) } },
              },
            ],
            ports: METRICS_PORTS.map((port) => ({ protocol: "TCP", port })),
          },
        ],
      });
    }

    const capacity = args.capacity ?? DEFAULT_CAPACITY;
    new k8s.core.v1.ResourceQuota(
      ...transformed(
        `${name}-quota`,
        {
          metadata: { name: "quota", namespace, labels },
          spec: {
            hard: {
              "requests.cpu": cpuQuantity(capacity.cpu),
              "limits.cpu": cpuQuantity(capacity.cpu),
              "requests.memory": memoryQuantity(capacity.memory),
              "limits.memory": memoryQuantity(capacity.memory),
              pods: String(capacity.pods),
              // No storage at all is a valid quota: the namespace then cannot claim volumes.
              "requests.storage": capacity.storageGb === 0 ? "0" : storageQuantity(capacity.storageGb),
              persistentvolumeclaims: String(capacity.persistentVolumeClaims),
              // Logs and scratch directories fill node disks too; every pod's share is bounded.
              "requests.ephemeral-storage": memoryQuantity(capacity.pods * EPHEMERAL_STORAGE.requestMiB),
              "limits.ephemeral-storage": memoryQuantity(capacity.pods * EPHEMERAL_STORAGE.limitMiB),
              // Traffic enters through the ingress controller only: no node ports, no cloud load balancers.
              "services.nodeports": "0",
              "services.loadbalancers": "0",
            },
          },
        },
        this.childOptions(),
        t.resourceQuota,
      ),
    );
    new k8s.core.v1.LimitRange(
      ...transformed(
        `${name}-limits`,
        {
          metadata: { name: "limits", namespace, labels },
          spec: {
            // A quota with cpu/memory entries rejects pods without resources; give those a small default.
            limits: [
              {
                type: "Container",
                default: { cpu: "500m", memory: "512Mi", "ephemeral-storage": memoryQuantity(EPHEMERAL_STORAGE.limitMiB) },
                defaultRequest: { cpu: "100m", memory: "128Mi", "ephemeral-storage": memoryQuantity(EPHEMERAL_STORAGE.requestMiB) },
              },
            ],
          },
        },
        this.childOptions(),
        t.limitRange,
      ),
    );

    this.registerOutputs({ networkId: this.networkId });
  }
}
