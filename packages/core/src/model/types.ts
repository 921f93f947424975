/**
 * The application model: what a spec means, independent of any cloud. A pure function of a
 * validated spec, the target provider and its options ({@link buildModel}); every backend renders it
 * and nothing else, so one spec means the same thing on every backend.
 */
import type { Problem } from "../errors";
import type { Environment, Provider } from "../naming";
import type { BackendOptionsByProvider } from "../providers/options";
import type {
  AlertRoute,
  BucketAccess,
  BucketSpec,
  CacheSpec,
  DatabaseSpec,
  NetworkSpec,
  ResolvedSpec,
  SecretSpec,
  ServiceSpec,
  Severity,
  SloSpec,
} from "../spec";

/** Something a service can be granted: a store, a bucket or a secret of the spec. */
export type ResourceRef =
  | { readonly kind: "database" }
  | { readonly kind: "cache" }
  | { readonly kind: "bucket"; readonly name: string }
  | { readonly kind: "secret"; readonly name: string };

/** How a grant may be used: `connect` to a store, `read` or `readwrite` a bucket, `read` a secret. */
export type Access = "connect" | BucketAccess;

/** One permission: `service` may use `resource` as `access` says, and nothing else is implied. */
export interface Grant {
  readonly service: string;
  readonly resource: ResourceRef;
  readonly access: Access;
}

/**
 * Where a secret value injected into a service comes from: a spec secret, or the connection secret
 * a store generates (`DATABASE_URL`, `REDIS_URL`). Backends turn it into their own reference (a
 * Secrets Manager ARN, a `secretKeyRef`, a Key Vault URI); a value never reaches a container.
 */
export type SecretSource = { readonly kind: "secret"; readonly name: string } | { readonly kind: "database" } | { readonly kind: "cache" };

/** A secret a service sees as an environment variable, by reference. */
export interface SecretBinding {
  /** Environment variable name, e.g. `STRIPE_KEY` or `DATABASE_URL`. */
  readonly envName: string;
  readonly source: SecretSource;
}

/** Who may open a connection to a service: another service of the application, or the load balancer. */
export type Caller = { readonly kind: "service"; readonly name: string } | { readonly kind: "loadBalancer" };

/** A service as every backend builds it. */
export interface ServiceModel {
  readonly name: string;
  /** The resolved spec of the service (image, sizes, replicas, health check, deployment). */
  readonly spec: ServiceSpec;
  /** Reachable from the internet through the load balancer. */
  readonly public: boolean;
  /**
   * DNS name the service answers on through the load balancer: the spec's domain for the only public
   * service, `<service>.<domain>` for every other one; none without a domain.
   */
  readonly host?: string;
  /** HTTPS on the load balancer (`network.loadBalancer.tls` after the model's degradations). */
  readonly tls: boolean;
  /** Secrets injected by reference, in a stable order (spec secrets in spec order, then DATABASE_URL, REDIS_URL). */
  readonly secrets: readonly SecretBinding[];
  /** Who may connect to the service's port: the services granted to call it, and the load balancer when public. */
  readonly callers: readonly Caller[];
  /** Services this one may call on their port. */
  readonly calls: readonly string[];
  /** Buckets this service may use, by name. */
  readonly buckets: Readonly<Record<string, BucketAccess>>;
  /** May connect to the database. */
  readonly database: boolean;
  /** May connect to the cache. */
  readonly cache: boolean;
}

/** A stateful store: its spec, who may connect, and whether it is backed up. */
export interface StoreModel<S> {
  readonly spec: S;
  /** Services that may connect, in spec order. */
  readonly clients: readonly string[];
  /** Protected from deletion by Pulumi (`protect`) and by the provider where it offers that. */
  readonly protect: boolean;
}

export interface BucketModel {
  readonly spec: BucketSpec;
  /** Services that may use the bucket, with their access. */
  readonly clients: Readonly<Record<string, BucketAccess>>;
  readonly protect: boolean;
  /** Covered by the backup policy (a bucket needs versioning to be backed up). */
  readonly backedUp: boolean;
}

/**
 * Where a spec secret's value comes from, the same on every backend: stack config
 * `polycloud:secrets.<name>` (set with `--secret`), else a value generated once when the spec says
 * `generate: true`, else none: the secret is created empty, the plan warns, and services that read it
 * fail to start until a value is set.
 */
export type SecretValueSource = "config" | "generated" | "missing";

export interface SecretModel {
  readonly spec: SecretSpec;
  readonly envName: string;
  readonly value: SecretValueSource;
  /** Services that may read it, in spec order. */
  readonly readers: readonly string[];
}

/** What is backed up, how often and for how long. */
export interface BackupModel {
  readonly schedule: "daily" | "hourly";
  readonly retentionDays: number;
  /** Copies in a second region (or off the cluster). */
  readonly crossRegion: boolean;
  /** Everything the backup policy covers: the database, and each versioned bucket. */
  readonly targets: readonly ResourceRef[];
}

/**
 * The escalation policy, the same on every backend: a `warning` alert whose condition still holds
 * `afterMinutes` after it fired raises a `critical` alert on the same condition, routed to the
 * critical routes, and resolves with it. A warning that clears sooner never pages. Critical and info
 * alerts are not escalated. Backends that evaluate in fixed periods round the delay up to the period.
 * See {@link escalationOf}.
 */
export interface EscalationPolicy {
  readonly from: "warning";
  readonly to: "critical";
  readonly afterMinutes: number;
}

export interface AlertRouting {
  /** The spec's routes by severity; a severity without routes still has its channel (topic, receiver). */
  readonly routes: Readonly<Record<Severity, readonly AlertRoute[]>>;
  readonly escalation: EscalationPolicy;
  readonly dashboard: boolean;
}

/** The application model a backend renders. */
export interface AppModel<P extends Provider = Provider> {
  readonly app: string;
  readonly environment: Environment;
  readonly provider: P;
  readonly region?: string;
  /** User tags, before each provider's normalisation. */
  readonly tags: Readonly<Record<string, string>>;
  /** Pulumi `protect` on stateful resources (database, buckets, keys, vaults). */
  readonly protect: boolean;
  readonly slo: SloSpec;
  /** The network, with `loadBalancer.tls` as built (a default that cannot be honoured is off). */
  readonly network: NetworkSpec;
  /** Services by name, in spec order. */
  readonly services: Readonly<Record<string, ServiceModel>>;
  readonly database?: StoreModel<DatabaseSpec>;
  readonly cache?: StoreModel<CacheSpec>;
  /** Buckets by name, in spec order. */
  readonly buckets: Readonly<Record<string, BucketModel>>;
  /** Secrets of the spec by name, in spec order. */
  readonly secrets: Readonly<Record<string, SecretModel>>;
  /** Every permission of every service: the one source of access on every backend. */
  readonly grants: readonly Grant[];
  readonly backup: BackupModel;
  readonly alerts: AlertRouting;
  readonly logging: { readonly retentionDays: number; readonly audit: boolean };
  /** The backend's options: spec `providers.<provider>` and stack config, defaults applied. */
  readonly options: BackendOptionsByProvider[P];
  /** What the model changed or could not honour outside production, for the plan and the engine log. */
  readonly warnings: readonly Problem[];
  /** The resolved spec the model was built from. */
  readonly spec: ResolvedSpec;
}
