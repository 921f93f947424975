/**
 * A NetworkPolicy evaluator: can this endpoint open a TCP connection to that one on this port, under
 * these policies? Both the sender's egress and the receiver's ingress must allow it, as Kubernetes
 * enforces them; a pod that no policy of a given direction selects is open in that direction. Pure:
 * policies in, a boolean out, so the conformance reader and the tests judge reachability the same way.
 *
 * Simplifications, all on the side of reporting more reachability rather than less: policies are
 * known only for the namespaces they are given for (a pod elsewhere, e.g. the ingress controller, is
 * free to send); `ipBlock` peers match addresses outside the cluster, never pods; protocols are TCP.
 */

type Labels = Readonly<Record<string, string>>;

interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

interface PolicyRule {
  readonly from?: readonly PolicyPeer[];
  readonly to?: readonly PolicyPeer[];
  readonly ports?: readonly PolicyPort[];
}

/** A NetworkPolicy's spec, as the Kubernetes API (and a recorded plan) has it. */
export interface NetworkPolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly ("Ingress" | "Egress")[];
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}

/** A NetworkPolicy and the namespace it is in. */
export interface NamespacedPolicy {
  readonly namespace: string;
  readonly spec: NetworkPolicySpec;
}

/**
 * One end of a connection: a pod (its namespace, labels and named container ports), or an address
 * outside the cluster.
 */
export type Endpoint =
  | { readonly kind: "pod"; readonly namespace: string; readonly labels: Labels; readonly namedPorts?: Readonly<Record<string, number>> }
  | { readonly kind: "external"; readonly ip: string };

/** The NetworkPolicies among recorded resources (`{ type, inputs }`, e.g. a plan's resources). */
export function networkPolicies(resources: readonly { readonly type: string; readonly inputs: Record<string, unknown> }[]): NamespacedPolicy[] {
  return resources
    .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    .map((r) => {
      const metadata = r.inputs["metadata"] as { namespace?: unknown } | undefined;
      return { namespace: typeof metadata?.namespace === "string" ? metadata.namespace : "", spec: r.inputs["spec"] as NetworkPolicySpec };
    });
}

/** Whether a label selector selects these labels; the empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case "In":
        return value !== undefined && (e.values ?? []).includes(value);
      case "NotIn":
        return value === undefined || !(e.values ?? []).includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

function ipv4(address: string): number | undefined {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Whether an IPv4 address is inside a CIDR block (IPv6 blocks never match). */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const ip = ipv4(address);
  const net = ipv4(base ?? "");
  const prefix = Number(bits ?? "32");
  if (ip === undefined || net === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) === Math.floor(net / size);
}

/** Whether a peer of a policy in `policyNamespace` matches an endpoint. */
function peerMatches(peer: PolicyPeer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock !== undefined) {
    return endpoint.kind === "external" && inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c));
  }
  if (endpoint.kind === "external") return false;
  const namespaceOk =
    peer.namespaceSelector === undefined ? endpoint.namespace === policyNamespace : selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": endpoint.namespace });
  return namespaceOk && selects(peer.podSelector, endpoint.labels);
}

/** Whether a policy port admits `port` on the destination (a named port resolves against the destination pod's ports). */
function portMatches(p: PolicyPort, port: number, destination: Endpoint): boolean {
  if ((p.protocol ?? "TCP") !== "TCP") return false;
  if (p.port === undefined) return true;
  if (typeof p.port === "number") return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
  return destination.kind === "pod" && destination.namedPorts?.[p.port] === port;
}

function ruleAllows(rule: PolicyRule, peers: readonly PolicyPeer[] | undefined, policyNamespace: string, other: Endpoint, port: number, destination: Endpoint): boolean {
  const portOk = rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, port, destination));
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(p, policyNamespace, other));
  return portOk && peerOk;
}

const types = (spec: NetworkPolicySpec): readonly string[] => spec.policyTypes ?? ["Ingress", ...(spec.egress === undefined ? [] : ["Egress"])];

/** Whether the policies of `self`'s namespace let `self` send to (Egress) or receive from (Ingress) `other`. */
function allowed(policies: readonly NamespacedPolicy[], self: Endpoint, other: Endpoint, port: number, type: "Ingress" | "Egress"): boolean {
  if (self.kind === "external") return true;
  const applying = policies.filter((p) => p.namespace === self.namespace && types(p.spec).includes(type) && selects(p.spec.podSelector, self.labels));
  if (applying.length === 0) return true;
  const destination = type === "Ingress" ? self : other;
  return applying.some((p) => (type === "Ingress" ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])).some((rule) => ruleAllows(rule, type === "Ingress" ? rule.from : rule.to, p.namespace, other, port, destination)));
}

/** True when the policies let `from` open a TCP connection to `to` on `port` (the pod's port, after the Service). */
export function canConnect(policies: readonly NamespacedPolicy[], from: Endpoint, to: Endpoint, port: number): boolean {
  return allowed(policies, from, to, port, "Egress") && allowed(policies, to, from, port, "Ingress");
}
