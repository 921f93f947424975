import { homedir } from "node:os";
import * as pulumi from "@pulumi/pulumi";
import {
  buildModel,
  formatProblem,
  loadSpec,
  parseSpec,
  secretValueKey,
  SECRET_VALUE_PREFIX,
  CONFIG_NAMESPACE,
  type AppModel,
  type BuiltPlatform,
  type DnsRecord,
  type Provider,
  type ResolvedSpec,
  type SpecInput,
} from "@polycloud/core";
import { loadBackend, type ModuleLoader } from "./backends";
import { detect, type Decision, type DetectInput } from "./detection";
import { directoryProbe } from "./file-probe";

/** Options of a Platform: how its backend is chosen and loaded, plus the usual resource options. */
export interface PlatformOptions extends pulumi.ComponentResourceOptions {
  /**
   * The backend to build on; the explicit choice of detection (it overrides the spec's `provider`).
   * @default "auto": detected (see `detection`)
   */
  readonly backend?: Provider | "auto";
  /** A decision made earlier, e.g. by the `polycloud` CLI; detection is skipped and nothing around the program is read. */
  readonly decision?: Decision;
  /**
   * What detection looks at. Its `config` is also the stack config the application model reads
   * (`polycloud:<provider>.<option>`, and `polycloud:secrets.<name>` when the engine has no such key).
   * @default the stack's config, `process.env`, the working directory and the home directory; only
   * the stack's config when `backend` names a provider
   */
  readonly detection?: Omit<DetectInput, "provider" | "spec">;
  /** Loads backend packages by name. @default require */
  readonly loadModule?: ModuleLoader;
}

/**
 * One spec, built whole on the backend detection picks (or the one named): network, secrets,
 * database, cache, buckets, services and monitoring, wired together by the backend.
 *
 * @example
 * ```ts
 * const platform = new Platform("shop", loadSpec("shop.yaml"));
 * export const urls = platform.urls;
 * ```
 */
export class Platform extends pulumi.ComponentResource {
  /** The spec with every default resolved. */
  readonly spec: ResolvedSpec;
  /** Which provider was chosen, and why. */
  readonly decision: Decision;
  /** The application model the backend rendered: grants, hosts, secret bindings, backups, alert routing, backend options. */
  readonly model: AppModel;
  /** The backend's outputs, concern by concern. */
  readonly built: BuiltPlatform;
  /** Each service's URL, by service name. */
  readonly urls: Readonly<Record<string, pulumi.Output<string>>>;
  /** Each bucket's physical name, by bucket name. */
  readonly bucketNames: Readonly<Record<string, pulumi.Output<string>>>;
  /** The database endpoint, when the spec has a database. */
  readonly databaseEndpoint: pulumi.Output<string> | undefined;
  /** The cache endpoint, when the spec has a cache. */
  readonly cacheEndpoint: pulumi.Output<string> | undefined;
  /** Link to the monitoring dashboard, when one is created. */
  readonly dashboardUrl: pulumi.Output<string | undefined>;
  /**
   * The DNS records the services' domains need that the stack does not create (no DNS zone of the
   * domain is configured for the backend), each with its purpose; empty when there are none.
   */
  readonly dnsRecords: pulumi.Output<readonly DnsRecord[]>;

  /**
   * @param spec a spec file path, a spec object as written in a file, or a spec already resolved by `loadSpec`/`parseSpec`
   * @throws PolycloudError before anything is created: an invalid spec, no decidable provider, unknown
   * `polycloud:` config keys, bad backend options, a spec the provider cannot build, or a missing backend package.
   */
  constructor(name: string, spec: string | SpecInput | ResolvedSpec, opts: PlatformOptions = {}) {
    const { backend: choice, decision: given, detection, loadModule, ...resourceOptions } = opts;
    const resolved = resolveSpec(spec);
    const specSource = { provider: resolved.provider, ...(typeof spec === "string" ? { file: spec } : {}) };
    const explicit = choice === undefined ? {} : { provider: choice, providerFrom: { source: "option" as const, name: "Platform backend option" } };
    // A named backend needs no evidence: the machine's environment, files and home directory are not
    // read, so the decision (a stack output) never carries the developer's KUBECONFIG or AWS_PROFILE.
    const named = choice !== undefined && choice !== "auto";
    const decision = given ?? detect({ ...(detection ?? (named ? { config: pulumi.runtime.allConfig() } : ambientDetection())), ...explicit, spec: specSource });
    // The stack's config as the program sees it (the CLI passes its merged config to the engine and the mocks alike).
    const config = detection?.config ?? pulumi.runtime.allConfig();
    // Everything the provider cannot build, every unknown polycloud: key and every bad option, at once.
    const model = buildModel(resolved, decision.provider, config);
    const backend = loadBackend(decision.provider, loadModule);
    const secretValues = readSecretValues(resolved, config);

    super("polycloud:platform:Platform", name, {}, resourceOptions);
    this.spec = resolved;
    this.decision = decision;
    this.model = model;
    // What the model changed outside production (e.g. TLS off without a domain): shown once, under Warnings in `polycloud plan`.
    for (const warning of model.warnings) void pulumi.log.warn(formatProblem(warning), this);
    this.built = backend.build(model, this, { ...(resourceOptions.provider === undefined ? {} : { provider: resourceOptions.provider }), secretValues });
    this.urls = byName(resolved.services, this.built.services, (s) => s.url, "services");
    this.bucketNames = byName(resolved.buckets, this.built.buckets, (b) => b.bucketName, "buckets");
    this.databaseEndpoint = this.built.database?.endpoint;
    this.cacheEndpoint = this.built.cache?.endpoint;
    this.dashboardUrl = this.built.monitoring.dashboardUrl;
    this.dnsRecords = this.built.dnsRecords ?? pulumi.output([]);
    this.registerOutputs(this.stackOutputs());
  }

  /** The stack outputs a program exports: service URLs, endpoints, the dashboard link and the detection decision. */
  stackOutputs(): Record<string, unknown> {
    return {
      provider: this.decision.provider,
      urls: this.urls,
      ...(this.databaseEndpoint === undefined ? {} : { databaseEndpoint: this.databaseEndpoint }),
      ...(this.cacheEndpoint === undefined ? {} : { cacheEndpoint: this.cacheEndpoint }),
      bucketNames: this.bucketNames,
      // null rather than undefined: the engine drops (and warns about) undefined stack outputs.
      dashboardUrl: this.dashboardUrl.apply((url) => url ?? null),
      alertCount: this.built.monitoring.alertCount,
      dnsRecords: this.dnsRecords,
      detection: { provider: this.decision.provider, tier: this.decision.tier, signals: this.decision.signals },
    };
  }
}

/**
 * Values of the spec's secrets from stack config `polycloud:secrets.<name>`, as Pulumi secrets: read
 * with `getSecret` from the engine's config (which decrypts them), or from the config the Platform was
 * given when the engine has none. A secret without a value is left out (each backend says what it does then).
 */
function readSecretValues(spec: ResolvedSpec, config: Readonly<Record<string, unknown>>): Record<string, pulumi.Output<string>> {
  const polycloud = new pulumi.Config(CONFIG_NAMESPACE);
  const values: Record<string, pulumi.Output<string>> = {};
  for (const { name } of spec.secrets) {
    const fromEngine = polycloud.getSecret(`${SECRET_VALUE_PREFIX}${name}`);
    const given = config[secretValueKey(name)];
    const value = fromEngine ?? (typeof given === "string" ? pulumi.secret(given) : undefined);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function resolveSpec(spec: string | SpecInput | ResolvedSpec): ResolvedSpec {
  if (typeof spec === "string") return loadSpec(spec);
  // A resolved spec lists its services; a spec as written maps names to services.
  return Array.isArray(spec.services) ? (spec as ResolvedSpec) : parseSpec(spec);
}

/** What detection sees inside a Pulumi program when the caller gives nothing: the real surroundings. */
function ambientDetection(): Omit<DetectInput, "provider" | "spec"> {
  return { config: pulumi.runtime.allConfig(), env: process.env, files: directoryProbe(process.cwd()), homeDir: homedir() };
}

/** Outputs keyed by spec name; backends return one entry per spec entry, in spec order. */
function byName<S extends { readonly name: string }, B, V>(specs: readonly S[], built: readonly B[], value: (b: B) => V, what: string): Record<string, V> {
  if (specs.length !== built.length) {
    throw new Error(`the backend built ${built.length} ${what} for ${specs.length} in the spec; a Backend must return one per spec entry, in order`);
  }
  return Object.fromEntries(specs.map((s, i) => [s.name, value(built[i]!)]));
}
