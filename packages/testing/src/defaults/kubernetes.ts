/**
 * Kubernetes defaults: ids `namespace/name` (cluster-scoped kinds: `name`), auto-names like the
 * provider's (`<name>-<8 chars>`), server-set metadata (uid, resourceVersion, namespace), and the
 * status programs read (Service cluster IP and load balancer ingress, Deployment replicas).
 *
 * Namespace: `metadata.namespace`, the explicit provider's `namespace`, else `default`.
 */
import type { PropertyBag } from "../types";
import { alnum, digits, hex, obj, str, uuid } from "./common";
import type { Generated, Generator } from "./common";

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ClusterIssuer",
  "ClusterSecretStore",
]);

const CREATED = "2024-01-01T00:00:00Z";

function ip(seed: string, prefix: string): string {
  const h = hex(seed, 4);
  return `${prefix}.${parseInt(h.slice(0, 2), 16)}.${(parseInt(h.slice(2, 4), 16) % 253) + 1}`;
}

function replicas(spec: PropertyBag): number {
  return typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
}

function status(kind: string, spec: PropertyBag, seed: (p: string) => string): { spec?: PropertyBag; status?: PropertyBag } {
  switch (kind) {
    case "Deployment": {
      const n = replicas(spec);
      return { status: { replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n, observedGeneration: 1, conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }] } };
    }
    case "StatefulSet":
    case "ReplicaSet": {
      const n = replicas(spec);
      return { status: { replicas: n, readyReplicas: n, currentReplicas: n, availableReplicas: n, observedGeneration: 1 } };
    }
    case "DaemonSet":
      return { status: { desiredNumberScheduled: 3, numberReady: 3, numberAvailable: 3 } };
    case "Service": {
      const headless = spec["clusterIP"] === "None";
      const clusterIP = typeof spec["clusterIP"] === "string" ? spec["clusterIP"] : ip(seed("clusterIP"), "10.96");
      const type = spec["type"] ?? "ClusterIP";
      const ports = Array.isArray(spec["ports"])
        ? (spec["ports"] as unknown[]).map((p, i) => {
            const port = obj(p);
            return type === "NodePort" || type === "LoadBalancer" ? { protocol: "TCP", ...port, nodePort: port["nodePort"] ?? 30000 + (parseInt(hex(seed(`port${i}`), 4), 16) % 2768) } : { protocol: "TCP", ...port };
          })
        : spec["ports"];
      return {
        spec: { ...spec, type, clusterIP, clusterIPs: headless ? ["None"] : [clusterIP], ...(ports === undefined ? {} : { ports }) },
        status: { loadBalancer: type === "LoadBalancer" ? { ingress: [{ ip: ip(seed("lb"), "203.0") }] } : {} },
      };
    }
    case "Ingress":
      return { status: { loadBalancer: { ingress: [{ ip: ip(seed("ingress"), "203.0") }] } } };
    case "Namespace":
      return { status: { phase: "Active" } };
    case "PersistentVolumeClaim":
      return { spec: { ...spec, volumeName: `pvc-${uuid(seed("volume"))}` }, status: { phase: "Bound", capacity: obj(obj(spec["resources"])["requests"]) } };
    case "Job":
      return { status: { succeeded: 1, completionTime: CREATED, conditions: [{ type: "Complete", status: "True" }] } };
    case "HorizontalPodAutoscaler":
      return { status: { currentReplicas: typeof spec["minReplicas"] === "number" ? spec["minReplicas"] : 1, desiredReplicas: typeof spec["minReplicas"] === "number" ? spec["minReplicas"] : 1 } };
    case "PodDisruptionBudget":
      return { status: { currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0 } };
    default:
      return {};
  }
}

/** Default outputs for a `kubernetes:` resource. */
export const kubernetesResource: Generator = (req): Generated => {
  const seed = (purpose: string): string => `${req.urn}#${purpose}`;
  const kind = req.type.split(":")[2] ?? "";
  const provider = req.env.providerInputs(req.provider);
  const metadata = obj(req.inputs["metadata"]);
  const name = str(metadata, "name") ?? `${req.name}-${alnum(seed("name"), 8)}`;

  if (req.type === "kubernetes:helm.sh/v3:Release") {
    const namespace = str(req.inputs, "namespace") ?? (provider === undefined ? undefined : str(provider, "namespace")) ?? "default";
    const release = str(req.inputs, "name") ?? `${req.name}-${alnum(seed("name"), 8)}`;
    return {
      id: req.id ?? `${namespace}/${release}`,
      outputs: { name: release, namespace, status: { name: release, namespace, revision: 1, status: "deployed", chart: req.inputs["chart"] ?? "", version: req.inputs["version"] ?? "", appVersion: req.inputs["version"] ?? "" } },
      knownInPreview: ["name", "namespace"],
    };
  }

  const clusterScoped = CLUSTER_SCOPED.has(kind);
  const namespace = clusterScoped ? undefined : (str(metadata, "namespace") ?? (provider === undefined ? undefined : str(provider, "namespace")) ?? "default");
  const fullMetadata: PropertyBag = {
    ...metadata,
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: uuid(seed("uid")),
    resourceVersion: digits(seed("rv"), 6),
    generation: 1,
    creationTimestamp: CREATED,
  };
  const spec = obj(req.inputs["spec"]);
  const extra = status(kind, spec, seed);
  return {
    id: req.id ?? (namespace === undefined ? name : `${namespace}/${name}`),
    outputs: { metadata: fullMetadata, ...extra },
    knownInPreview: [],
  };
};
