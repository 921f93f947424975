/**
 * A small NetworkPolicy evaluator over a recorded plan, for one namespace: can a pod with these
 * labels open a TCP connection to a pod with those labels on this port? Both the sender's egress and
 * the receiver's ingress must allow it, as Kubernetes enforces them. Namespace selectors and ipBlocks
 * match nothing inside the namespace.
 */
import type { Plan } from "@polycloud/testing";

type Labels = Readonly<Record<string, string>>;
interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: unknown;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string; protocol?: string }[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Labels };
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: Rule[];
  egress?: Rule[];
}

const selects = (selector: { matchLabels?: Labels } | undefined, labels: Labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Labels, port: number): boolean {
  const portOk = rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((p) => p.port === undefined || p.port === port);
  // A peer with a namespaceSelector or ipBlock means other namespaces or addresses, not this namespace's pods.
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => p.namespaceSelector === undefined && p.ipBlock === undefined && selects(p.podSelector, other));
  return portOk && peerOk;
}

function direction(policies: PolicySpec[], self: Labels, other: Labels, port: number, type: "Ingress" | "Egress"): boolean {
  const applying = policies.filter((p) => p.policyTypes.includes(type) && selects(p.podSelector, self));
  if (applying.length === 0) return true;
  return applying.some((p) =>
    (type === "Ingress" ? (p.ingress ?? []) : (p.egress ?? [])).some((rule) => ruleAllows(rule, type === "Ingress" ? rule.from : rule.to, other, port)),
  );
}

/** True when the namespace's policies let `from` pods connect to `to` pods on `port`. */
export function canConnect(plan: Plan, from: Labels, to: Labels, port: number): boolean {
  const policies = plan.resources("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs.spec as PolicySpec);
  return direction(policies, from, to, port, "Egress") && direction(policies, to, from, port, "Ingress");
}
