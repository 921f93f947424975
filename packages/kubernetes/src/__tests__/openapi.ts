/**
 * Validates recorded Kubernetes objects against the Kubernetes OpenAPI schema (kubernetes-models)
 * and the CRD schemas of the operators whose resources the components emit.
 */
import type { Plan, RecordedResource } from "@polycloud/testing";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { AlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig";

type Model = new (data: never) => { validate(): void };

/** Every Kubernetes type the components emit, by Pulumi type token, with its schema model. */
export const MODELS: Readonly<Record<string, Model>> = {
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:batch/v1:Job": Job,
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
  "kubernetes:external-secrets.io/v1beta1:ExternalSecret": ExternalSecret,
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PrometheusRule,
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ServiceMonitor,
  "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig": AlertmanagerConfig,
};

/** The Kubernetes objects of a plan: custom resources whose type token starts with `kubernetes:`. */
export function kubernetesObjects(plan: Plan): RecordedResource[] {
  return plan.resources().filter((r) => r.custom && r.type.startsWith("kubernetes:"));
}

/** `<type> <name>: <schema error>` for every object that fails its schema or has no known schema. */
export function schemaViolations(plan: Plan): string[] {
  return kubernetesObjects(plan).flatMap((r) => {
    const model = MODELS[r.type];
    if (model === undefined) return [`${r.type} ${r.name}: no schema known for this type; add it to MODELS`];
    const [group, kind] = r.type.slice("kubernetes:".length).split(":") as [string, string];
    const apiVersion = group.startsWith("core/") ? group.slice("core/".length) : group;
    try {
      new model({ ...r.inputs, apiVersion, kind } as never).validate();
      return [];
    } catch (error) {
      return [`${r.type} ${r.name}: ${(error as Error).message}`];
    }
  });
}
