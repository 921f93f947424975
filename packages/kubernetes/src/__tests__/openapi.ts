/**
 * Validates recorded Kubernetes objects against the Kubernetes OpenAPI schema (kubernetes-models)
 * and the CRD schemas of the operators whose resources the components emit, strictly: a property
 * the schema does not know (a typo) is a violation too, as `kubectl apply --validate=strict` would say.
 *
 * kubernetes-models ships its schemas compiled to ajv validators, which read every property their
 * schema declares (present or not) and ignore the rest. So the object is validated through a Proxy
 * that records what the validator reads: in an object the validator read from, a key it never read
 * is unknown to the schema. Objects it never read from are free-form in the schema
 * (`x-kubernetes-preserve-unknown-fields`) and are not judged.
 *
 * ExternalSecret `external-secrets.io/v1`: the model package with v1 (@kubernetes-models/external-secrets
 * 2.x) needs Node 22, so v1 is checked against the v1beta1 schema, which v1 kept unchanged for the
 * fields emitted here (refreshInterval, secretStoreRef, target, data[].secretKey/remoteRef.key).
 */
import type { Plan, RecordedResource } from "@polycloud/testing";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { PodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { AlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig";

type Model = { prototype: { validate(this: unknown): void } };

/** Every Kubernetes type the components emit, by Pulumi type token, with its schema model. */
export const MODELS: Readonly<Record<string, Model>> = {
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:batch/v1:Job": Job,
  "kubernetes:batch/v1:CronJob": CronJob,
  "kubernetes:core/v1:PersistentVolumeClaim": PersistentVolumeClaim,
  "kubernetes:networking.k8s.io/v1:Ingress": Ingress,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:LimitRange": LimitRange,
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:ResourceQuota": ResourceQuota,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate": AnalysisTemplate,
  "kubernetes:argoproj.io/v1alpha1:Rollout": Rollout,
  "kubernetes:postgresql.cnpg.io/v1:Cluster": Cluster,
  "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup": ScheduledBackup,
  "kubernetes:external-secrets.io/v1:ExternalSecret": ExternalSecret,
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PrometheusRule,
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ServiceMonitor,
  "kubernetes:monitoring.coreos.com/v1:PodMonitor": PodMonitor,
  "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig": AlertmanagerConfig,
};

/** API versions checked against another version's schema (see the header). */
const SCHEMA_OF: Readonly<Record<string, string>> = { "external-secrets.io/v1": "external-secrets.io/v1beta1" };

/** The Kubernetes objects of a plan: custom resources whose type token starts with `kubernetes:`. */
export function kubernetesObjects(plan: Plan): RecordedResource[] {
  return plan.resources().filter((r) => r.custom && r.type.startsWith("kubernetes:"));
}

/** Validation errors of `value` against a model's schema, unknown properties included. */
export function strictViolations(model: Model, value: object): string[] {
  const read = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, object>();
  const wrap = (target: unknown): unknown => {
    if (typeof target !== "object" || target === null) return target;
    const known = proxies.get(target);
    if (known !== undefined) return known;
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === "string" && !Array.isArray(t)) {
          const keys = read.get(t) ?? new Set<PropertyKey>();
          keys.add(key);
          read.set(t, keys);
        }
        return wrap(Reflect.get(t, key, receiver));
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  const errors: string[] = [];
  try {
    model.prototype.validate.call(wrap(value));
  } catch (error) {
    errors.push((error as Error).message);
  }
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}[${i}]`));
    const keys = read.get(node);
    for (const [key, child] of Object.entries(node)) {
      if (keys !== undefined && !keys.has(key)) errors.push(`${path}.${key}: unknown property`);
      else walk(child, `${path}.${key}`);
    }
  };
  walk(value, "");
  return errors;
}

/** A plain copy without undefined values, as the API server would receive it. */
const plain = (value: object): object => JSON.parse(JSON.stringify(value)) as object;

/** `<type> <name>: <schema error>` for every object that fails its schema or has no known schema. */
export function schemaViolations(plan: Plan): string[] {
  return kubernetesObjects(plan).flatMap((r) => {
    const model = MODELS[r.type];
    if (model === undefined) return [`${r.type} ${r.name}: no schema known for this type; add it to MODELS`];
    const [group, kind] = r.type.slice("kubernetes:".length).split(":") as [string, string];
    const apiVersion = group.startsWith("core/") ? group.slice("core/".length) : group;
    const object = plain({ ...r.inputs, apiVersion: SCHEMA_OF[apiVersion] ?? apiVersion, kind }) as { spec?: { template?: object } };
    const violations = strictViolations(model, object);
    // Argo's Rollout CRD leaves the pod template free-form: hold it to the Kubernetes PodTemplateSpec schema.
    if (kind === "Rollout" && object.spec?.template !== undefined) {
      violations.push(...strictViolations(PodTemplateSpec, object.spec.template).map((v) => `spec.template${v}`));
    }
    return violations.map((v) => `${r.type} ${r.name}: ${v}`);
  });
}
