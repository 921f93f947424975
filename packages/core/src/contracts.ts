/**
 * Provider-neutral contracts of the five concerns. Every backend's components accept these args (plus
 * their own extras) and expose these outputs, so that the same spec means the same thing everywhere;
 * `@polycloud/platform` drives any backend through the `Backend` interface alone.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Environment, Provider } from "./naming";
import type { AppModel } from "./model";
import type {
  BucketSpec,
  CacheSpec,
  DatabaseSpec,
  MonitoringSpec,
  NetworkSpec,
  SecretSpec,
  ServiceSpec,
  SloSpec,
} from "./spec";

/** What every component needs to know about the application it belongs to. */
export interface CommonArgs {
  /** Application name (the spec's `name`); the first part of every physical name. */
  readonly app: string;
  /** Picks defaults from the environment preset. @default "development" */
  readonly environment?: Environment;
  /** Tags (labels) for every taggable child, normalised per provider; `managed-by`, `app` and `environment` are always added. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Pulumi `protect` on stateful children. @default true in production, false elsewhere */
  readonly protect?: boolean;
}

/**
 * A secret a service sees as an environment variable, by reference: never the value itself. Where the
 * backend keeps it is typed per backend (`location`: a Secrets Manager ARN on AWS, a Secret name and key
 * on Kubernetes, a Key Vault secret URI on Azure, a Secret Manager version on GCP), so nothing parses strings.
 */
export interface SecretReference<TLocation = unknown> {
  /** Environment variable name the service sees, e.g. `DATABASE_URL` or `STRIPE_KEY`. */
  readonly envName: string;
  readonly location: TLocation;
}

// ---- networking -------------------------------------------------------------------------------

export interface NetworkArgs extends CommonArgs {
  readonly network: NetworkSpec;
  /** Flow-log retention in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
}

export interface NetworkOutputs {
  /** VPC / VNet id, or the namespace on Kubernetes. */
  readonly networkId: pulumi.Output<string>;
}

// ---- compute ----------------------------------------------------------------------------------

export interface WebServiceArgs<TNetwork extends NetworkOutputs = NetworkOutputs> extends CommonArgs {
  readonly service: ServiceSpec;
  readonly network: TNetwork;
  readonly loadBalancer: NetworkSpec["loadBalancer"];
  readonly slo: SloSpec;
  /** Secret references injected as environment variables by reference, never by value. @default [] */
  readonly secrets?: readonly SecretReference[];
  /** Log retention in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
}

export interface WebServiceOutputs {
  readonly serviceName: string;
  /** Public URL (load balancer or ingress), or the in-cluster/private address for private services. */
  readonly url: pulumi.Output<string>;
}

// ---- storage ----------------------------------------------------------------------------------

export interface DatabaseArgs<TNetwork extends NetworkOutputs = NetworkOutputs> extends CommonArgs {
  readonly database: DatabaseSpec;
  readonly network: TNetwork;
}

export interface DatabaseOutputs {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Reference to the secret that holds `DATABASE_URL` (with credentials); wired into services. */
  readonly connectionSecret: SecretReference;
}

export interface CacheArgs<TNetwork extends NetworkOutputs = NetworkOutputs> extends CommonArgs {
  readonly cache: CacheSpec;
  readonly network: TNetwork;
}

export interface CacheOutputs {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Reference to the secret that holds `REDIS_URL` (with the auth token); wired into services. */
  readonly connectionSecret: SecretReference;
}

export interface BucketArgs extends CommonArgs {
  readonly bucket: BucketSpec;
  /** Server access log retention in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
}

export interface BucketOutputs {
  readonly bucketName: pulumi.Output<string>;
}

// ---- secrets ----------------------------------------------------------------------------------

export interface SecretStoreArgs extends CommonArgs {
  readonly secrets: readonly SecretSpec[];
}

export interface SecretStoreOutputs {
  /** One reference per spec secret, by secret name. */
  readonly references: Readonly<Record<string, SecretReference>>;
}

// ---- monitoring -------------------------------------------------------------------------------

export interface MonitoringArgs<TService = WebServiceOutputs, TDatabase = DatabaseOutputs, TCache = CacheOutputs>
  extends CommonArgs {
  readonly slo: SloSpec;
  readonly monitoring: MonitoringSpec;
  readonly logRetentionDays?: number;
  readonly services: readonly TService[];
  readonly database?: TDatabase;
  readonly cache?: TCache;
}

export interface MonitoringOutputs {
  /** Link to the dashboard, when one is created. */
  readonly dashboardUrl: pulumi.Output<string | undefined>;
  /** Number of alert rules created (burn-rate, latency and resource alarms). */
  readonly alertCount: number;
}

// ---- backend ----------------------------------------------------------------------------------

/**
 * A DNS record a service's domain needs that the stack does not create, because no DNS zone of the
 * domain is configured for the backend: the user creates it where the domain's DNS is served.
 */
export interface DnsRecord {
  readonly name: string;
  /** `CNAME`, `TXT`, `A`, ... */
  readonly type: string;
  readonly value: string;
  /** Why the record is needed: the domain's routing, or its certificate's validation. */
  readonly purpose: string;
}

/** Everything a backend built for one spec, as the platform wires it. */
export interface BuiltPlatform {
  readonly network: NetworkOutputs;
  readonly services: readonly WebServiceOutputs[];
  readonly database?: DatabaseOutputs;
  readonly cache?: CacheOutputs;
  readonly buckets: readonly BucketOutputs[];
  readonly secrets: SecretStoreOutputs;
  readonly monitoring: MonitoringOutputs;
  /** The DNS records to create by hand, every service's. @default - none */
  readonly dnsRecords?: pulumi.Output<readonly DnsRecord[]>;
}

/**
 * A cloud (or cluster) that can build a whole application. Implemented by each backend package as its
 * `backend` export; `@polycloud/platform` loads it lazily, builds the application model for its
 * provider (which checks everything the backend cannot build, before anything is created) and calls
 * `build`. A backend renders the model and nothing else: it does not read presets, validate the spec
 * or give a spec field a meaning of its own.
 */
export interface Backend<P extends Provider = Provider> {
  readonly provider: P;
  /** npm package that implements this backend, for messages. */
  readonly packageName: string;
  /**
   * Creates every resource of the model as children of `parent`, wired together: network, secrets,
   * database, cache, buckets, services (each with exactly its grants: secrets by reference, stores,
   * buckets and the services it may call), backups, and monitoring derived from the SLOs with the
   * model's alert routing and escalation.
   */
  build(model: AppModel<P>, parent: pulumi.ComponentResource, options?: BuildOptions): BuiltPlatform;
}

/** How the platform builds: what comes from the program rather than the model. */
export interface BuildOptions {
  /** Explicit provider resource for every child (e.g. a `k8s.Provider` for a given kubeconfig). */
  readonly provider?: pulumi.ProviderResource;
  /**
   * Values of spec secrets by secret name, as Pulumi secrets (the platform reads stack config
   * `polycloud:secrets.<name>`). A secret without one is created without a value (see each backend).
   * @default {}
   */
  readonly secretValues?: Readonly<Record<string, pulumi.Input<string>>>;
}
