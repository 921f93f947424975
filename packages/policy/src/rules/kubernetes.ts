/** Rules over Kubernetes objects (`@pulumi/kubernetes` type tokens), after the Pod Security Standards (restricted). */
import { at, limitedRanges, list, plainSecretEnv, record, ruleBook } from "../util";
import type { PolicyContext, PolicyResource, Rule } from "../types";

const { resource, stack } = ruleBook("kubernetes");

const POD = "kubernetes:core/v1:Pod";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const TEMPLATED = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:batch/v1:Job"];
/** Every type that carries a pod spec. */
export const WORKLOADS = [POD, ...TEMPLATED, CRONJOB];
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

/** The pod template (metadata and spec) of a workload. */
function template(r: PolicyResource): Record<string, unknown> {
  if (r.type === POD) return record(r.inputs);
  if (r.type === CRONJOB) return record(at(r.inputs, "spec.jobTemplate.spec.template"));
  return record(at(r.inputs, "spec.template"));
}

const podSpec = (r: PolicyResource) => record(template(r)["spec"]);
const podLabels = (r: PolicyResource) => record(at(template(r), "metadata.labels"));
const namespaceOf = (r: PolicyResource): unknown => at(r.inputs, "metadata.namespace");

/** Containers and init containers. */
function allContainers(r: PolicyResource): Record<string, unknown>[] {
  const spec = podSpec(r);
  return [...list(spec["initContainers"]), ...list(spec["containers"])].map(record);
}

/** Long-running containers only (probes do not apply to init containers or to jobs). */
function serving(r: PolicyResource): Record<string, unknown>[] {
  return r.type === "kubernetes:batch/v1:Job" || r.type === CRONJOB ? [] : list(podSpec(r)["containers"]).map(record);
}

/** A message naming the containers for which `bad` holds, or undefined. */
function where(containers: readonly Record<string, unknown>[], bad: (c: Record<string, unknown>) => boolean, what: string): string | undefined {
  const names = containers.filter(bad).map((c) => String(c["name"]));
  return names.length === 0 ? undefined : `container(s) ${names.join(", ")} ${what}`;
}

/** A security context setting of a container, falling back to the pod's where the pod level has it. */
function effective(r: PolicyResource, c: Record<string, unknown>, key: string): unknown {
  return at(c, `securityContext.${key}`) ?? at(podSpec(r), `securityContext.${key}`);
}

interface ContainerCheck {
  readonly id: string;
  readonly title: string;
  readonly severity: "mandatory" | "advisory";
  readonly remediation: string;
  readonly references: readonly string[];
  readonly bad: (c: Record<string, unknown>, r: PolicyResource) => boolean;
  readonly what: string;
  /** Only long-running containers (probes). @default false */
  readonly servingOnly?: boolean;
}

function containerRule(def: ContainerCheck): Rule {
  const { bad, what, servingOnly, ...info } = def;
  return resource({ ...info, types: WORKLOADS }, (r) => where(servingOnly === true ? serving(r) : allContainers(r), (c) => bad(c, r), what));
}

function podRule(id: string, field: "hostNetwork" | "hostPID" | "hostIPC", references: readonly string[]): Rule {
  return resource(
    {
      id,
      title: `Pods do not use ${field}`,
      severity: "mandatory",
      remediation: `Remove ${field}: true from the pod spec.`,
      references,
      types: WORKLOADS,
    },
    (r) => (podSpec(r)[field] === true ? `${field} is true` : undefined),
  );
}

/** Long-running containers have a liveness or readiness probe. */
function probeRule(id: string, probe: "livenessProbe" | "readinessProbe", why: string, checkov: string): Rule {
  return containerRule({
    id,
    title: `Containers have a ${probe === "livenessProbe" ? "liveness" : "readiness"} probe`,
    severity: "advisory",
    remediation: `Add a ${probe} ${why}.`,
    references: [checkov, "kube-score:pod-probes"],
    bad: (c) => c[probe] === undefined,
    what: `have no ${probe}`,
    servingOnly: true,
  });
}

/** Containers set `resources.<kind>.<resource>` (requests or limits of CPU or memory). */
function resourcesRule(id: string, kind: "requests" | "limits", resource: "cpu" | "memory", references: readonly string[]): Rule {
  const verb = kind === "requests" ? "request" : "limit";
  const name = resource === "cpu" ? "CPU" : resource;
  return containerRule({
    id,
    title: `Containers ${verb} ${name}`,
    severity: "advisory",
    remediation: `Set resources.${kind}.${resource}.`,
    references: [...references, "kube-score:container-resources"],
    bad: (c) => at(c, `resources.${kind}.${resource}`) === undefined,
    what: `have no ${name} ${verb}`,
  });
}

/** The image tag, or "" when the image names none (which means latest). */
function imageTag(image: unknown): string {
  const text = String(image ?? "");
  if (text.includes("@sha256:")) return "digest";
  const last = text.split("/").pop() ?? "";
  return last.includes(":") ? (last.split(":").pop() ?? "") : "";
}

/** True when a label selector (`matchLabels` only; an empty selector selects everything) selects `labels`. */
function selects(selector: unknown, labels: Record<string, unknown>): boolean {
  const match = record(at(selector, "matchLabels"));
  if (list(at(selector, "matchExpressions")).length > 0) return true;
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

/** Same namespace, counting an unknown (not yet created) namespace as a match. */
function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
  const na = namespaceOf(a);
  const nb = namespaceOf(b);
  return typeof na !== "string" || typeof nb !== "string" || na === nb;
}

function selectedBy(context: PolicyContext, r: PolicyResource, type: string, selectorPath: string): boolean {
  const labels = podLabels(r);
  return context.ofType(type).some((p) => sameNamespace(p, r) && selects(at(p.inputs, selectorPath) ?? {}, labels));
}

const pod: Rule[] = [
  containerRule({
    id: "PC-K8S-POD-001",
    title: "Containers are not privileged",
    severity: "mandatory",
    remediation: "Remove securityContext.privileged: true.",
    references: ["CKV_K8S_16", "AVD-KSV-0017", "kube-score:container-security-context"],
    bad: (c) => at(c, "securityContext.privileged") === true,
    what: "are privileged",
  }),
  containerRule({
    id: "PC-K8S-POD-002",
    title: "Containers cannot escalate privileges",
    severity: "mandatory",
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
    references: ["CKV_K8S_20", "AVD-KSV-0001"],
    bad: (c) => at(c, "securityContext.allowPrivilegeEscalation") !== false,
    what: "do not set allowPrivilegeEscalation: false",
  }),
  containerRule({
    id: "PC-K8S-POD-003",
    title: "Containers run as non-root",
    severity: "mandatory",
    remediation: "Set securityContext.runAsNonRoot: true on the pod or on every container.",
    references: ["CKV_K8S_23", "AVD-KSV-0012"],
    bad: (c, r) => effective(r, c, "runAsNonRoot") !== true,
    what: "may run as root (runAsNonRoot is not true)",
  }),
  containerRule({
    id: "PC-K8S-POD-004",
    title: "Containers drop all capabilities",
    severity: "mandatory",
    remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container.',
    references: ["CKV_K8S_37", "AVD-KSV-0003"],
    bad: (c) => !list(at(c, "securityContext.capabilities.drop")).includes("ALL"),
    what: "do not drop ALL capabilities",
  }),
  containerRule({
    id: "PC-K8S-POD-005",
    title: "Containers add no capability but NET_BIND_SERVICE",
    severity: "mandatory",
    remediation: "Remove every capability from securityContext.capabilities.add except NET_BIND_SERVICE.",
    references: ["CKV_K8S_39", "CKV_K8S_28", "AVD-KSV-0022", "AVD-KSV-0106"],
    bad: (c) => list(at(c, "securityContext.capabilities.add")).some((cap) => cap !== "NET_BIND_SERVICE"),
    what: "add capabilities beyond NET_BIND_SERVICE",
  }),
  containerRule({
    id: "PC-K8S-POD-006",
    title: "Containers use the RuntimeDefault seccomp profile",
    severity: "mandatory",
    remediation: 'Set securityContext.seccompProfile.type: "RuntimeDefault" on the pod (or "Localhost" with a profile).',
    references: ["CKV_K8S_31", "AVD-KSV-0030", "AVD-KSV-0104", "kube-score:container-seccomp-profile"],
    bad: (c, r) => {
      const type = effective(r, c, "seccompProfile.type") ?? at(podSpec(r), "securityContext.seccompProfile.type");
      return type !== "RuntimeDefault" && type !== "Localhost";
    },
    what: "have no RuntimeDefault or Localhost seccomp profile",
  }),
  containerRule({
    id: "PC-K8S-POD-007",
    title: "Containers have a read-only root filesystem",
    severity: "advisory",
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.",
    references: ["CKV_K8S_22", "AVD-KSV-0014", "kube-score:container-security-context"],
    bad: (c) => at(c, "securityContext.readOnlyRootFilesystem") !== true,
    what: "have a writable root filesystem",
  }),
  podRule("PC-K8S-POD-008", "hostNetwork", ["CKV_K8S_19", "AVD-KSV-0009"]),
  podRule("PC-K8S-POD-009", "hostPID", ["CKV_K8S_17", "AVD-KSV-0010"]),
  podRule("PC-K8S-POD-010", "hostIPC", ["CKV_K8S_18", "AVD-KSV-0008"]),
  resource(
    {
      id: "PC-K8S-POD-011",
      title: "Pods mount no hostPath volume",
      severity: "mandatory",
      remediation: "Use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret volume instead of hostPath.",
      references: ["CKV_K8S_27", "AVD-KSV-0023"],
      types: WORKLOADS,
    },
    (r) => {
      const names = list(podSpec(r)["volumes"]).map(record).filter((v) => v["hostPath"] !== undefined).map((v) => String(v["name"]));
      return names.length === 0 ? undefined : `hostPath volume(s) ${names.join(", ")}`;
    },
  ),
  containerRule({
    id: "PC-K8S-POD-012",
    title: "Containers bind no host port",
    severity: "advisory",
    remediation: "Remove ports[].hostPort and expose the pod through a Service.",
    references: ["CKV_K8S_26", "AVD-KSV-0024"],
    bad: (c) => list(c["ports"]).some((p) => at(p, "hostPort") !== undefined && at(p, "hostPort") !== 0),
    what: "bind a hostPort",
  }),
  containerRule({
    id: "PC-K8S-POD-013",
    title: "Containers do not run as UID 0",
    severity: "mandatory",
    remediation: "Set securityContext.runAsUser to a non-zero UID (e.g. 10001), or leave it to the image's non-root user.",
    references: ["AVD-KSV-0105"],
    bad: (c, r) => effective(r, c, "runAsUser") === 0,
    what: "set runAsUser: 0",
  }),
  resource(
    {
      id: "PC-K8S-POD-014",
      title: "Service account tokens are mounted only where needed",
      severity: "advisory",
      remediation: "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the Kubernetes API.",
      references: ["CKV_K8S_38", "AVD-KSV-0036"],
      types: WORKLOADS,
    },
    (r) => (podSpec(r)["automountServiceAccountToken"] === false ? undefined : "automountServiceAccountToken is not false"),
  ),
  probeRule("PC-K8S-POD-015", "livenessProbe", "so the kubelet restarts a hung container", "CKV_K8S_8"),
  probeRule("PC-K8S-POD-016", "readinessProbe", "so traffic reaches only ready pods", "CKV_K8S_9"),
  resourcesRule("PC-K8S-POD-017", "requests", "cpu", ["CKV_K8S_10", "AVD-KSV-0015"]),
  resourcesRule("PC-K8S-POD-018", "limits", "cpu", ["CKV_K8S_11", "AVD-KSV-0011"]),
  resourcesRule("PC-K8S-POD-019", "requests", "memory", ["CKV_K8S_12", "AVD-KSV-0016"]),
  resourcesRule("PC-K8S-POD-020", "limits", "memory", ["CKV_K8S_13", "AVD-KSV-0018"]),
  containerRule({
    id: "PC-K8S-POD-021",
    title: "Images are pinned to a tag other than latest",
    severity: "mandatory",
    remediation: "Pin the image to a version tag or a digest (image@sha256:...).",
    references: ["CKV_K8S_14", "AVD-KSV-0013", "kube-score:container-image-tag"],
    bad: (c) => typeof c["image"] === "string" && ["", "latest"].includes(imageTag(c["image"])),
    what: 'use the "latest" tag or no tag',
  }),
  containerRule({
    id: "PC-K8S-POD-022",
    title: "No secrets in plain container environment variables",
    severity: "mandatory",
    remediation: "Put the value in a Secret and reference it with env[].valueFrom.secretKeyRef.",
    references: [],
    bad: (c) => plainSecretEnv(c["env"]).length > 0,
    what: "set credential-looking environment variables to plain values",
  }),
  resource(
    {
      id: "PC-K8S-POD-023",
      title: "Workloads are not in the default namespace",
      severity: "advisory",
      remediation: "Set metadata.namespace to the application's namespace.",
      references: ["CKV_K8S_21"],
      types: WORKLOADS,
    },
    (r) => (namespaceOf(r) === undefined || namespaceOf(r) === "default" ? "metadata.namespace is default" : undefined),
  ),
];

const cluster: Rule[] = [
  stack(
    {
      id: "PC-K8S-NET-001",
      title: "Pods are selected by a NetworkPolicy",
      severity: "advisory",
      remediation: "Add a NetworkPolicy in the workload's namespace whose podSelector matches its pods (a default-deny policy with an empty podSelector covers all).",
      references: ["kube-score:pod-networkpolicy"],
      types: WORKLOADS,
    },
    (r, context) => (selectedBy(context, r, NETWORK_POLICY, "spec.podSelector") ? undefined : "no NetworkPolicy in its namespace selects its pods"),
  ),
  stack(
    {
      id: "PC-K8S-PDB-001",
      title: "Replicated workloads have a PodDisruptionBudget",
      severity: "advisory",
      remediation: "Add a PodDisruptionBudget (minAvailable or maxUnavailable) selecting the pods.",
      references: ["kube-score:deployment-has-poddisruptionbudget", "kube-score:statefulset-has-poddisruptionbudget"],
      types: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"],
    },
    (r, context) => {
      const replicas = at(r.inputs, "spec.replicas");
      if (typeof replicas === "number" && replicas < 2) return undefined;
      return selectedBy(context, r, PDB, "spec.selector") ? undefined : "no PodDisruptionBudget selects its pods";
    },
  ),
  resource(
    {
      id: "PC-K8S-SVC-001",
      title: "Services are not NodePort",
      severity: "advisory",
      remediation: "Use a ClusterIP Service behind an Ingress, or a LoadBalancer Service.",
      references: ["kube-score:service-type"],
      types: ["kubernetes:core/v1:Service"],
    },
    (r) => (at(r.inputs, "spec.type") === "NodePort" ? "spec.type is NodePort" : undefined),
  ),
  resource(
    {
      id: "PC-K8S-SVC-002",
      title: "LoadBalancer Services restrict source ranges",
      severity: "advisory",
      remediation: "Set spec.loadBalancerSourceRanges to the ranges that may connect, or publish through an Ingress.",
      references: [],
      types: ["kubernetes:core/v1:Service"],
    },
    (r) => {
      if (at(r.inputs, "spec.type") !== "LoadBalancer") return undefined;
      return limitedRanges(at(r.inputs, "spec.loadBalancerSourceRanges")) ? undefined : "the load balancer accepts 0.0.0.0/0";
    },
  ),
  resource(
    {
      id: "PC-K8S-ING-001",
      title: "Ingresses terminate TLS",
      severity: "advisory",
      remediation: "Add spec.tls with the hosts and a certificate Secret (e.g. issued by cert-manager).",
      references: [],
      types: ["kubernetes:networking.k8s.io/v1:Ingress"],
    },
    (r) => (list(at(r.inputs, "spec.tls")).length > 0 ? undefined : "spec.tls is empty"),
  ),
  resource(
    {
      id: "PC-K8S-RBAC-001",
      title: "Roles grant no wildcard verbs or resources",
      severity: "mandatory",
      remediation: 'List the verbs and resources the subject needs instead of "*".',
      references: ["CKV_K8S_49", "AVD-KSV-0044", "AVD-KSV-0046"],
      types: ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"],
    },
    (r) => (list(r.inputs["rules"]).some((rule) => list(at(rule, "verbs")).includes("*") || list(at(rule, "resources")).includes("*")) ? 'a rule grants "*"' : undefined),
  ),
  resource(
    {
      id: "PC-K8S-RBAC-002",
      title: "Nothing is bound to cluster-admin",
      severity: "mandatory",
      remediation: "Bind a role with the permissions needed instead of cluster-admin.",
      references: ["AVD-KSV-0111"],
      types: ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"],
    },
    (r) => (at(r.inputs, "roleRef.name") === "cluster-admin" ? "roleRef is cluster-admin" : undefined),
  ),
  resource(
    {
      id: "PC-K8S-NS-001",
      title: "Namespaces enforce a Pod Security Standard",
      severity: "advisory",
      remediation: 'Label the namespace pod-security.kubernetes.io/enforce: "restricted" (or "baseline").',
      references: [],
      types: ["kubernetes:core/v1:Namespace"],
    },
    (r) => {
      const level = record(at(r.inputs, "metadata.labels"))["pod-security.kubernetes.io/enforce"];
      return level === "restricted" || level === "baseline" ? undefined : "no pod-security.kubernetes.io/enforce label of restricted or baseline";
    },
  ),
];

export const kubernetesRules: readonly Rule[] = [...pod, ...cluster];
