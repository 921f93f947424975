/**
 * What a backend's plan shows, in provider-neutral terms. Each backend ships a reader that derives an
 * Observation from the recorded resources (task definitions, security group rules, IAM policies,
 * NetworkPolicies, alarms, rules...), never from the model, so that the conformance suite compares
 * what was built with what the model says should be.
 */
import type { AppModel, ResourceRef, SecretSource, Severity } from "@polycloud/core";
import type { Plan } from "../plan";

/** Something the plan shows a service receiving as a secret, resolved to the model's terms where the reader can tell. */
export type ObservedSecretSource = SecretSource | { readonly kind: "unknown"; readonly reference: string };

export interface ObservedService {
  /** Secrets injected by reference (`valueFrom`, `secretKeyRef`, Key Vault reference), by environment variable name. */
  readonly secrets: readonly { readonly envName: string; readonly source: ObservedSecretSource }[];
  /** Names of environment variables set by plain value. */
  readonly plainEnv: readonly string[];
}

/** A party that opens connections. `anywhere` is any address outside the application (the internet, the whole VPC, every pod). */
export type Peer = { readonly kind: "service"; readonly name: string } | { readonly kind: "loadBalancer" } | { readonly kind: "anywhere" };

/** A target of a connection. */
export type Target = { readonly kind: "service"; readonly name: string } | { readonly kind: "database" } | { readonly kind: "cache" } | { readonly kind: "bucket"; readonly name: string };

/** A connection the network configuration lets through (security group rules, NetworkPolicies, firewall rules). */
export interface Reachability {
  readonly from: Peer;
  readonly to: Target;
}

/** A permission the plan gives a service on a bucket (IAM policy, role assignment, credentials). */
export interface ObservedBucketAccess {
  readonly service: string;
  readonly bucket: string;
  readonly access: "read" | "readwrite";
}

/** How a store, bucket or secret is encrypted at rest. */
export interface ObservedEncryption {
  readonly resource: ResourceRef;
  /** URN of the customer-managed key in this plan that encrypts it; undefined when none does. */
  readonly keyUrn?: string;
}

/** One alert rule or alarm, as far as routing cares. */
export interface ObservedAlert {
  /** A stable id for messages (the alarm's or rule's name). */
  readonly id: string;
  readonly severity: Severity;
  /** Minutes its condition must hold before it fires. */
  readonly pendingMinutes: number;
  /** How often it is evaluated, in minutes (a CloudWatch period); an escalation's delay is rounded up to it. @default 1 */
  readonly periodMinutes?: number;
  /** For an escalation: the id of the warning it escalates. */
  readonly escalates?: string;
}

export interface Observation {
  /** By service name. */
  readonly services: Readonly<Record<string, ObservedService>>;
  readonly reachability: readonly Reachability[];
  readonly bucketAccess: readonly ObservedBucketAccess[];
  readonly encryption: readonly ObservedEncryption[];
  readonly alerts: readonly ObservedAlert[];
  /**
   * The endpoints (email addresses, webhook and Slack URLs) each severity's alerts reach: topic
   * subscriptions, Alertmanager receivers, notification channels.
   */
  readonly routes: Readonly<Record<Severity, readonly string[]>>;
  /** Stateful resources a backup covers (a backup plan selection, a scheduled backup, a dump job). */
  readonly backedUp: readonly ResourceRef[];
  /** Stateful resources whose every data-holding resource is protected (`protect`). */
  readonly protected: readonly ResourceRef[];
}

/** Reads a backend's plan of a model into an Observation. */
export type ConformanceReader = (plan: Plan, model: AppModel) => Observation;

/**
 * A guarantee a backend cannot give, with the reason: the suite reports it as waived, not passed.
 * E.g. Kubernetes Secrets are encrypted by the cluster (etcd), not by a key the stack controls.
 */
export interface Waiver {
  readonly property: ConformanceProperty;
  /** Which resources the waiver covers. @default - every resource of the property */
  readonly resources?: readonly ResourceRef["kind"][];
  readonly reason: string;
}

/** The guarantees the suite holds every backend to. */
export const ConformanceProperty = {
  /** Each service gets exactly the secrets the model binds to it, by reference, and none by value. */
  secretsByReference: "secrets-by-reference",
  /** No secret value appears in any resource input that is not marked secret. */
  secretValuesHidden: "secret-values-hidden",
  /** Every store, bucket and secret is encrypted with a key in the plan. */
  encryption: "encryption",
  /** Connections allowed equal the grants: stores from their clients, services from their callers. */
  reachability: "reachability",
  /** Bucket permissions equal the grants. */
  bucketAccess: "bucket-access",
  /** Each severity reaches exactly its routes; warnings escalate as the policy says, nothing else does. */
  alertRouting: "alert-routing",
  /** Each backup target is backed up. */
  backups: "backups",
  /** In production, every stateful resource is protected. */
  protection: "protection",
  /** A preview registers the same resources (URNs and types) as an update. */
  previewEqualsUpdate: "preview-equals-update",
} as const;
export type ConformanceProperty = (typeof ConformanceProperty)[keyof typeof ConformanceProperty];
