/**
 * `@polycloud/kubernetes/validation`: validates the Kubernetes objects of a plan recorded by
 * `@polycloud/testing` (or anything shaped like it) against the Kubernetes OpenAPI schema (kubernetes-models)
 * and the CRD schemas of the operators whose resources the components emit, strictly: a property
 * the schema does not know (a typo) is a violation too, as `kubectl apply --validate=strict` would say.
 * kubernetes-models and the @kubernetes-models/* CRD packages are optional peer dependencies of this entry only.
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
 *
 * The CRD model packages are pinned to older operator releases (prometheus-operator v0.65.1, Argo
 * Rollouts v1.5.0, CloudNativePG v1.24.1, External Secrets v0.8.1), so custom resources are also checked
 * against the CRDs of the releases the components target, vendored in `src/crds/` ({@link OPERATOR_CRDS}):
 * an object must be valid for both.
 */
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
import { customResourceViolations, type StructuralSchema } from "./crd-schema";
import argoRollouts from "./crds/argo-rollouts.json";
import cloudNativePg from "./crds/cloudnative-pg.json";
import externalSecrets from "./crds/external-secrets.json";
import prometheusOperator from "./crds/prometheus-operator.json";


/** A schema model: a kubernetes-models class, whose prototype `validate()` throws on a violation. */
export interface KubernetesModel {
  prototype: { validate(this: unknown): void };
}

/** Every Kubernetes type the components emit, by Pulumi type token, with its schema model. */
export const MODELS: Readonly<Record<string, KubernetesModel>> = {
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

/** The CRD schemas of one operator release, as `scripts/vendor-crds.mjs` vendors them. */
interface VendoredCrds {
  readonly operator: string;
  readonly release: string;
  /** Where the CRD manifests came from (repository, tag and path). */
  readonly source: string;
  /** `<group>/<version>/<Kind>` -> the version's openAPIV3Schema, descriptions stripped. */
  readonly schemas: Readonly<Record<string, unknown>>;
}

/** A CRD schema of the operator release the components target. */
export interface OperatorCrd {
  readonly operator: string;
  readonly release: string;
  readonly source: string;
  readonly schema: StructuralSchema;
}

/**
 * The CRDs of the operator releases the components target, by Pulumi type token: prometheus-operator
 * v0.93.0 (kube-prometheus-stack 88.x ships v0.93.1), Argo Rollouts v1.9.1, CloudNativePG v1.29.2,
 * External Secrets v2.9.0.
 */
export const OPERATOR_CRDS: Readonly<Record<string, OperatorCrd>> = Object.fromEntries(
  ([prometheusOperator, argoRollouts, cloudNativePg, externalSecrets] as VendoredCrds[]).flatMap((vendored) =>
    Object.entries(vendored.schemas).map(([key, schema]) => {
      const [group, version, kind] = key.split("/") as [string, string, string];
      return [`kubernetes:${group}/${version}:${kind}`, { operator: vendored.operator, release: vendored.release, source: vendored.source, schema: schema as StructuralSchema }];
    }),
  ),
);

/** API versions checked against another version's schema (see the header). */
const SCHEMA_OF: Readonly<Record<string, string>> = { "external-secrets.io/v1": "external-secrets.io/v1beta1" };

/** A recorded resource, as `Plan.resources()` of @polycloud/testing returns it. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: object;
}

/** A recorded plan, e.g. the `Plan` that `runProgram` of @polycloud/testing resolves to. */
export interface PlanLike {
  resources(): readonly PlannedResource[];
}

/** One schema violation of one object. */
export interface KubernetesObjectProblem {
  readonly urn: string;
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** Object kind, e.g. `Deployment`. */
  readonly kind: string;
  /** Pulumi logical name of the resource. */
  readonly name: string;
  /** Path of the offending property in the object, e.g. `spec.ports[0].port`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
}

export interface ValidateKubernetesObjectsOptions {
  /**
   * Extra schema models by Pulumi type token (e.g. a CRD model from `@kubernetes-models/cert-manager`);
   * they take precedence over the built-in ones.
   * @default {}
   */
  models?: Readonly<Record<string, KubernetesModel>>;
  /**
   * Skip objects whose type has no known schema instead of reporting each as a problem.
   * @default false
   */
  skipUnknownTypes?: boolean;
  /**
   * Also check custom resources against the CRDs of the operator releases the components target
   * ({@link OPERATOR_CRDS}); their problems name the release, e.g. `(prometheus-operator v0.93.0 CRD)`.
   * @default true
   */
  operatorCrds?: boolean;
}

/** A schema violation inside one object, before it is attributed to a resource. */
interface Violation {
  path: string;
  message: string;
}

/** The Kubernetes objects of a plan: custom resources whose type token starts with `kubernetes:`. */
export function kubernetesObjects<R extends PlannedResource>(plan: { resources(): readonly R[] }): R[] {
  return plan.resources().filter((r) => r.custom && r.type.startsWith("kubernetes:"));
}

/** `/spec/ports/0/port` (a JSON pointer, as ajv reports it) as `spec.ports[0].port`. */
const fromPointer = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === "" ? part : `${path}.${part}`), "");

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);

/** Violations of `value` against a model's schema, unknown properties included. */
function strictViolations(model: KubernetesModel, value: object): Violation[] {
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
  const violations: Violation[] = [];
  try {
    model.prototype.validate.call(wrap(value));
  } catch (error) {
    // kubernetes-models throws a ValidationError carrying ajv's errors; anything else is reported whole.
    const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      violations.push(...errors.map((e) => ({ path: fromPointer(e.instancePath ?? ""), message: e.message ?? "is invalid" })));
    } else {
      violations.push({ path: "", message: (error as Error).message });
    }
  }
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}[${i}]`));
    const keys = read.get(node);
    for (const [key, child] of Object.entries(node)) {
      if (keys !== undefined && !keys.has(key)) violations.push({ path: join(path, key), message: "unknown property" });
      else walk(child, join(path, key));
    }
  };
  walk(value, "");
  return violations;
}

/** A plain copy without undefined values, as the API server would receive it. */
const plain = (value: object): object => JSON.parse(JSON.stringify(value)) as object;

/**
 * Every schema violation of every Kubernetes object in `plan` (an empty list when all are valid):
 * each object is checked against its kind's schema, with properties the schema does not know
 * reported as `unknown property`, and an object of a type without a known schema is a problem too
 * (unless `skipUnknownTypes`).
 *
 * @example
 * const plan = await runProgram(program);
 * expect(validateKubernetesObjects(plan)).toEqual([]);
 */
export function validateKubernetesObjects(plan: PlanLike, options: ValidateKubernetesObjectsOptions = {}): KubernetesObjectProblem[] {
  const models = { ...MODELS, ...options.models };
  return kubernetesObjects(plan).flatMap((r) => {
    const [group, kind] = r.type.slice("kubernetes:".length).split(":") as [string, string];
    const problem = ({ path, message }: Violation): KubernetesObjectProblem => ({ urn: r.urn, type: r.type, kind, name: r.name, path, message });
    const model = models[r.type];
    if (model === undefined) {
      return options.skipUnknownTypes === true ? [] : [problem({ path: "", message: `no schema known for ${r.type}; pass its model in options.models, or skipUnknownTypes: true` })];
    }
    const apiVersion = group.startsWith("core/") ? group.slice("core/".length) : group;
    const object = plain({ ...r.inputs, apiVersion: SCHEMA_OF[apiVersion] ?? apiVersion, kind }) as { spec?: { template?: object } };
    const violations = strictViolations(model, object);
    // Argo's Rollout CRD leaves the pod template free-form: hold it to the Kubernetes PodTemplateSpec schema.
    if (kind === "Rollout" && object.spec?.template !== undefined) {
      violations.push(...strictViolations(PodTemplateSpec, object.spec.template).map((v) => ({ ...v, path: join("spec.template", v.path) })));
    }
    const crd = options.operatorCrds === false ? undefined : OPERATOR_CRDS[r.type];
    if (crd !== undefined) {
      const current = plain({ ...r.inputs, apiVersion, kind }) as Record<string, unknown>;
      violations.push(...customResourceViolations(crd.schema, current).map((v) => ({ path: v.path, message: `${v.message} (${crd.operator} ${crd.release} CRD)` })));
    }
    return violations.map(problem);
  });
}
