/**
 * The infrastructure specification: its zod schema (the public contract of spec files), the rules a
 * valid spec obeys, and resolution of every default from the environment preset, so that consumers
 * never re-derive a default. See shared/SPEC.md for the field reference.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from "yaml";
import { z } from "zod";
import { isPrivateCidr, subnetPlanProblem } from "./cidr";
import { tagProblems } from "./tags";
import { describeValue, isSecretLookingName, PolycloudError, type Problem } from "./errors";
import type { Environment } from "./naming";
import { complianceFloor, PRESETS, type Compliance, type NatStrategy } from "./presets";

// ---------------------------------------------------------------------------------------------
// Schema (input shape). Fields whose default depends on the environment are optional here and
// filled in by resolveSpec(); fields with one fixed default carry it with .default().
// ---------------------------------------------------------------------------------------------

const dnsLabel = (max: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[a-z]([a-z0-9-]{0,${max - 2}}[a-z0-9])?$`),
      `1-${max} lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    );

const percent = (min: number, max: number) => z.number().min(min).max(max);
const positiveInt = (max: number) => z.number().int().min(1).max(max);

export const SizeSchema = z.enum(["small", "medium", "large"]);
export const EnvironmentSchema = z.enum(["development", "staging", "production"]);
export const ProviderChoiceSchema = z.enum(["auto", "aws", "azure", "gcp", "kubernetes"]);
export const ComplianceSchema = z.enum(["soc2", "hipaa", "pci", "iso27001"]);
export const NatSchema = z.enum(["none", "single", "perZone"]);
export const DeploymentStrategySchema = z.enum(["rolling", "blue-green", "canary"]);

const SloSchema = z.strictObject({
  availability: percent(90, 99.999).describe("Availability target in percent (90 to 99.999)"),
  latencyP95Ms: positiveInt(60_000).describe("p95 latency target in milliseconds"),
  errorRatePercent: z.number().gt(0).max(50).describe("Highest acceptable error rate in percent"),
  recoveryTimeMinutes: positiveInt(10_080).optional().describe("Recovery time objective (RTO) in minutes"),
  recoveryPointMinutes: positiveInt(10_080).optional().describe("Recovery point objective (RPO) in minutes"),
});

const LoadBalancerSchema = z.strictObject({
  public: z.boolean().default(true).describe("Internet-facing load balancer"),
  tls: z.boolean().default(true).describe("HTTPS with an HTTP->HTTPS redirect"),
  domain: z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lowercase DNS name such as shop.example.com")
    .optional()
    .describe("Domain to issue a certificate for"),
  waf: z.boolean().optional().describe("Managed web application firewall rules; preset default: on in staging and production"),
});

const NetworkSchema = z.strictObject({
  cidr: z.string().default("10.0.0.0/16").describe("Private (RFC 1918) IPv4 range, /16 to /24"),
  zones: positiveInt(6).optional().describe("Availability zones, 1 to 6; preset default: development 2, production 3"),
  nat: NatSchema.optional().describe("NAT gateways; preset default: development single, production perZone"),
  loadBalancer: LoadBalancerSchema.default({ public: true, tls: true }),
  cdn: z.boolean().default(false).describe("Content delivery network in front of public services"),
});

const ServiceSchema = z.strictObject({
  image: z.string().min(1).describe("Container image from any registry: a tag or a digest"),
  command: z.array(z.string()).optional().describe("Overrides the image's entrypoint"),
  args: z.array(z.string()).optional().describe("Overrides the image's command"),
  port: z.number().int().min(1).max(65_535).default(8080),
  cpu: z.number().min(0.25).max(16).default(0.5).describe("vCPU"),
  memory: z.number().int().min(128).max(131_072).default(1024).describe("MiB"),
  replicas: z
    .strictObject({ min: z.number().int().min(0).max(1000).optional(), max: z.number().int().min(1).max(1000).optional() })
    .optional()
    .describe("Replica bounds; preset default: development 1-2, staging 2-4, production 3-10"),
  autoscaling: z
    .strictObject({ cpuPercent: percent(10, 95).default(70), memoryPercent: percent(10, 95).default(80) })
    .default({ cpuPercent: 70, memoryPercent: 80 }),
  healthCheck: z
    .strictObject({
      path: z.string().regex(/^\/\S*$/, "a path starting with /").default("/healthz"),
      intervalSeconds: z.number().int().min(5).max(300).default(15),
      timeoutSeconds: z.number().int().min(2).max(120).default(5),
      gracePeriodSeconds: z.number().int().min(0).max(3600).default(60),
    })
    .default({ path: "/healthz", intervalSeconds: 15, timeoutSeconds: 5, gracePeriodSeconds: 60 }),
  public: z.boolean().default(false).describe("Reachable through the load balancer"),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name: letters, digits and _, not starting with a digit"),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .default({}),
  secrets: z.array(z.string()).default([]).describe("Names from `secrets`; DATABASE_URL / REDIS_URL are wired automatically"),
  deployment: z
    .strictObject({
      strategy: DeploymentStrategySchema.default("rolling"),
      canary: z
        .strictObject({
          steps: z.array(z.number().int().min(1).max(100)).min(1).default([10, 50, 100]),
          intervalMinutes: z.number().int().min(1).max(1440).default(5),
        })
        .default({ steps: [10, 50, 100], intervalMinutes: 5 }),
      blueGreen: z
        .strictObject({ terminationWaitMinutes: z.number().int().min(0).max(2880).default(5) })
        .default({ terminationWaitMinutes: 5 }),
      rollback: z
        .strictObject({ onHealthCheckFailure: z.boolean().default(true), onAlarm: z.boolean().default(true) })
        .default({ onHealthCheckFailure: true, onAlarm: true }),
    })
    .default({
      strategy: "rolling",
      canary: { steps: [10, 50, 100], intervalMinutes: 5 },
      blueGreen: { terminationWaitMinutes: 5 },
      rollback: { onHealthCheckFailure: true, onAlarm: true },
    }),
});

const backupWindow = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "a UTC window HH:MM-HH:MM such as 03:00-04:00");

const DatabaseSchema = z.strictObject({
  engine: z.enum(["postgres"]).default("postgres"),
  version: z.string().regex(/^\d+(\.\d+)?$/, 'a major version such as "16"').default("16"),
  size: SizeSchema.default("small"),
  storageGb: z.number().int().min(20).max(65_536).default(20),
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "1-63 lowercase letters, digits and _, starting with a letter").optional(),
  highAvailability: z.boolean().optional().describe("Standby in another zone; preset default: production true"),
  backup: z
    .strictObject({ retentionDays: positiveInt(35).optional(), window: backupWindow.default("03:00-04:00") })
    .default({ window: "03:00-04:00" }),
});

const CacheSchema = z.strictObject({
  engine: z.enum(["redis"]).default("redis"),
  version: z.string().regex(/^\d+(\.\d+)?$/, 'a major version such as "7"').default("7"),
  size: SizeSchema.default("small"),
  highAvailability: z.boolean().optional().describe("Replica with automatic failover; preset default: production true"),
});

const BucketSchema = z.strictObject({
  versioning: z.boolean().default(true),
  publicRead: z.boolean().default(false).describe("Anonymous read access: an explicit, audited opt-out of the default block"),
  lifecycle: z
    .strictObject({
      expireNoncurrentAfterDays: positiveInt(3650).optional(),
      expireAfterDays: positiveInt(36_500).optional(),
      transitionToInfrequentAccessAfterDays: z.number().int().min(30).max(3650).optional(),
    })
    .default({}),
});

const SecretSchema = z.strictObject({
  description: z.string().max(256).optional(),
  rotationDays: z.number().int().min(1).max(365).optional(),
});

const httpsUrl = z.url({ protocol: /^https$/, error: "an https:// URL" });
const RouteSchema = z.union([
  z.strictObject({ email: z.email({ error: "an email address" }) }),
  z.strictObject({ webhook: httpsUrl }),
  z.strictObject({ slack: httpsUrl }),
]);

const MonitoringSchema = z.strictObject({
  alerts: z
    .strictObject({
      critical: z.array(RouteSchema).default([]),
      warning: z.array(RouteSchema).default([]),
      info: z.array(RouteSchema).default([]),
    })
    .default({ critical: [], warning: [], info: [] }),
  escalateAfterMinutes: positiveInt(1440).default(15),
  dashboard: z.boolean().default(true),
});

const LoggingSchema = z.strictObject({
  retentionDays: positiveInt(3653).optional().describe("Preset default: development 14, production 90; compliance raises it to 365"),
  audit: z.boolean().optional(),
});

const BackupSchema = z.strictObject({
  schedule: z.enum(["daily", "hourly"]).default("daily"),
  retentionDays: positiveInt(35).optional(),
  crossRegion: z.boolean().default(false),
});

export const SpecSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,23}$/, "2-24 characters: lowercase letters, digits and hyphens, starting with a letter")
      .describe("Application name; part of every physical name"),
    environment: EnvironmentSchema.default("development"),
    provider: ProviderChoiceSchema.default("auto"),
    region: z.string().min(1).optional().describe("Provider region or location; Kubernetes ignores it"),
    compliance: z.array(ComplianceSchema).default([]),
    tags: z
      .record(z.string().min(1).max(128), z.string().max(256))
      .default({})
      .describe("Normalised per provider and applied to every taggable resource"),
    slo: SloSchema.optional().describe("Service level objectives; preset default per environment"),
    network: NetworkSchema.default({ cidr: "10.0.0.0/16", loadBalancer: { public: true, tls: true }, cdn: false }),
    services: z.record(dnsLabel(20), ServiceSchema),
    database: DatabaseSchema.optional(),
    cache: CacheSchema.optional(),
    buckets: z.record(dnsLabel(24), BucketSchema).default({}),
    secrets: z.record(dnsLabel(40), SecretSchema).default({}),
    monitoring: MonitoringSchema.default({ alerts: { critical: [], warning: [], info: [] }, escalateAfterMinutes: 15, dashboard: true }),
    logging: LoggingSchema.default({}),
    backup: BackupSchema.default({ schedule: "daily", crossRegion: false }),
  })
  .describe("polycloud infrastructure specification");

/** A spec as written in a file (optional fields may be left out). */
export type SpecInput = z.input<typeof SpecSchema>;
type ParsedSpec = z.output<typeof SpecSchema>;

// ---------------------------------------------------------------------------------------------
// Resolved spec: every default filled in. This is what backends and the platform consume.
// ---------------------------------------------------------------------------------------------

export type ProviderChoice = z.infer<typeof ProviderChoiceSchema>;
export type Size = z.infer<typeof SizeSchema>;
export type DeploymentStrategy = z.infer<typeof DeploymentStrategySchema>;
export type AlertRoute = z.infer<typeof RouteSchema>;
export type Severity = "critical" | "warning" | "info";

export interface SloSpec {
  readonly availability: number;
  readonly latencyP95Ms: number;
  readonly errorRatePercent: number;
  readonly recoveryTimeMinutes?: number;
  readonly recoveryPointMinutes?: number;
}

export interface LoadBalancerSpec {
  readonly public: boolean;
  readonly tls: boolean;
  readonly domain?: string;
  readonly waf: boolean;
}

export interface NetworkSpec {
  readonly cidr: string;
  readonly zones: number;
  readonly nat: NatStrategy;
  readonly loadBalancer: LoadBalancerSpec;
  readonly cdn: boolean;
}

export interface DeploymentSpec {
  readonly strategy: DeploymentStrategy;
  readonly canary: { readonly steps: readonly number[]; readonly intervalMinutes: number };
  readonly blueGreen: { readonly terminationWaitMinutes: number };
  readonly rollback: { readonly onHealthCheckFailure: boolean; readonly onAlarm: boolean };
}

export interface ServiceSpec {
  /** The key under `services`. */
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly port: number;
  readonly cpu: number;
  readonly memory: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly autoscaling: { readonly cpuPercent: number; readonly memoryPercent: number };
  readonly healthCheck: {
    readonly path: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly gracePeriodSeconds: number;
  };
  readonly public: boolean;
  /** Plain, non-secret environment values (numbers and booleans already turned into strings). */
  readonly env: Readonly<Record<string, string>>;
  /** Secret names, including the generated DATABASE_URL / REDIS_URL when the spec has a database or cache. */
  readonly secrets: readonly string[];
  readonly deployment: DeploymentSpec;
}

export interface DatabaseSpec {
  readonly engine: "postgres";
  readonly version: string;
  /** Major version as a number, e.g. 16. */
  readonly majorVersion: number;
  readonly size: Size;
  readonly storageGb: number;
  /** The database created inside the server. */
  readonly name: string;
  readonly highAvailability: boolean;
  readonly deletionProtection: boolean;
  readonly backup: { readonly retentionDays: number; readonly window: string };
}

export interface CacheSpec {
  readonly engine: "redis";
  readonly version: string;
  readonly majorVersion: number;
  readonly size: Size;
  readonly highAvailability: boolean;
}

export interface BucketSpec {
  /** The key under `buckets`. */
  readonly name: string;
  readonly versioning: boolean;
  readonly publicRead: boolean;
  readonly lifecycle: {
    readonly expireNoncurrentAfterDays?: number | undefined;
    readonly expireAfterDays?: number | undefined;
    readonly transitionToInfrequentAccessAfterDays?: number | undefined;
  };
}

export interface SecretSpec {
  /** The key under `secrets`. */
  readonly name: string;
  readonly description?: string | undefined;
  readonly rotationDays?: number | undefined;
}

export interface MonitoringSpec {
  readonly alerts: Readonly<Record<Severity, readonly AlertRoute[]>>;
  readonly escalateAfterMinutes: number;
  readonly dashboard: boolean;
}

/** A spec with every default resolved from its environment preset and compliance tags. */
export interface ResolvedSpec {
  readonly name: string;
  readonly environment: Environment;
  readonly provider: ProviderChoice;
  readonly region?: string;
  readonly compliance: readonly Compliance[];
  readonly tags: Readonly<Record<string, string>>;
  readonly slo: SloSpec;
  readonly network: NetworkSpec;
  readonly services: readonly ServiceSpec[];
  readonly database?: DatabaseSpec;
  readonly cache?: CacheSpec;
  readonly buckets: readonly BucketSpec[];
  readonly secrets: readonly SecretSpec[];
  readonly monitoring: MonitoringSpec;
  readonly logging: { readonly retentionDays: number; readonly audit: boolean };
  readonly backup: { readonly schedule: "daily" | "hourly"; readonly retentionDays: number; readonly crossRegion: boolean };
  /** Pulumi `protect` on stateful resources (from the preset). */
  readonly protectStateful: boolean;
}

/** Secrets the platform generates and wires into services when the spec has a database or cache. */
export const GENERATED_SECRETS = { DATABASE_URL: "database", REDIS_URL: "cache" } as const;

// ---------------------------------------------------------------------------------------------
// Parsing, rules and resolution
// ---------------------------------------------------------------------------------------------

/** Where a spec came from, for messages with line numbers. */
export interface SpecSource {
  /** File path, shown in the error heading. */
  readonly file?: string;
  /** 1-based line of the node at a property path, where known. */
  readonly lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * Validates a spec value (already parsed from YAML or JSON) and returns it with every default resolved.
 * @throws PolycloudError listing every problem at once.
 */
export function parseSpec(value: unknown, source: SpecSource = {}): ResolvedSpec {
  const heading = source.file === undefined ? "Invalid spec" : `Invalid spec ${source.file}`;
  const parsed = SpecSchema.safeParse(value);
  if (!parsed.success) {
    throw new PolycloudError(withLines(parsed.error.issues.flatMap((i) => problemsFromIssue(i, value)), source), heading);
  }
  const spec = resolve(parsed.data);
  PolycloudError.throwIfAny(withLines(specRuleProblems(spec, parsed.data), source), heading);
  return spec;
}

/**
 * Reads a YAML or JSON spec file, validates it and resolves its defaults.
 * Problems carry the line of the offending node.
 * @throws PolycloudError for an unreadable file, bad YAML or an invalid spec.
 */
export function loadSpec(path: string): ResolvedSpec {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new PolycloudError([{ path: "", message: `cannot read ${path}: ${reason}`, fix: "pass the path of a spec file (YAML or JSON)" }], "Invalid spec");
  }
  return parseSpecText(text, path);
}

/** Parses spec text (YAML, of which JSON is a subset) with line numbers in every problem. */
export function parseSpecText(text: string, file?: string): ResolvedSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const heading = file === undefined ? "Invalid spec" : `Invalid spec ${file}`;
  if (doc.errors.length > 0) {
    throw new PolycloudError(
      doc.errors.map((e) => ({
        path: "",
        message: `${extname(file ?? "") === ".json" ? "JSON" : "YAML"} syntax: ${e.message.split("\n")[0]}`,
        line: lineCounter.linePos(e.pos[0]).line,
        fix: "fix the syntax at that line",
      })),
      heading,
    );
  }
  const source: SpecSource = { lineOf: (path) => lineOfPath(doc, lineCounter, path), ...(file === undefined ? {} : { file }) };
  return parseSpec(doc.toJS(), source);
}

function lineOfPath(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk down as far as the path exists, so a missing field points at its parent object.
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === "object" && "items" in node)) break;
    const items = (node as { items: unknown[] }).items;
    const next = isMap(node)
      ? items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key))
      : items[Number(key)];
    if (next === undefined) break;
    if (isPair(next)) {
      offset = (next.key as { range?: [number] }).range?.[0] ?? offset;
      node = next.value;
    } else {
      offset = (next as { range?: [number] }).range?.[0] ?? offset;
      node = next;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function withLines(problems: readonly (Problem & { at?: readonly PropertyKey[] })[], source: SpecSource): Problem[] {
  return problems.map(({ at, ...p }) => {
    const line = at === undefined ? undefined : source.lineOf?.(at);
    return line === undefined ? p : { ...p, line };
  });
}

const formatPath = (path: readonly PropertyKey[]) =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("");

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

type ZodNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The field names an object schema allows at a path, for "unknown field" messages. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let node = SpecSchema as unknown as ZodNode;
  const unwrap = () => {
    for (;;) {
      const def = node._zod.def;
      if (def.innerType) node = def.innerType as ZodNode;
      else if (def.type === "pipe") node = def.in as ZodNode;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    const def = node._zod.def;
    if (def.type === "object") node = (def.shape as Record<string, ZodNode>)[String(key)] ?? node;
    else if (def.type === "record") node = def.valueType as ZodNode;
    else if (def.type === "array") node = def.element as ZodNode;
    else return [];
  }
  unwrap();
  const def = node._zod.def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

/** Edit distance, for "did you mean" suggestions on misspelt fields. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

type Located = Problem & { at: readonly PropertyKey[] };

function problemsFromIssue(issue: z.core.$ZodIssue, root: unknown): Located[] {
  const at = issue.path;
  const path = formatPath(at);
  const value = valueAt(root, at);
  const shown = describeValue(value, path);
  const one = (message: string, fix?: string): Located[] => [{ path, at, message, ...(fix === undefined ? {} : { fix }) }];
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(at);
      return issue.keys.map((key) => {
        const guess = allowed.map((a) => ({ a, d: distance(a.toLowerCase(), key.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
        const fix = guess !== undefined && guess.d <= 2 ? `did you mean "${guess.a}"?` : "remove it or check the spelling";
        return {
          path: formatPath([...at, key]),
          at: [...at, key],
          message: `unknown field "${key}"; allowed fields: ${allowed.join(", ")}`,
          fix,
        };
      });
    }
    case "invalid_type":
      if (value === undefined) return one(`is required (${issue.expected})`, `add ${path}`);
      return one(`${shown} is not ${article(issue.expected)}`);
    case "invalid_value":
      return one(`${shown} is not allowed; allowed: ${issue.values.map((v) => String(v)).join(" | ")}`);
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word = issue.code === "too_small" ? (issue.inclusive === false ? "above" : "at least") : issue.inclusive === false ? "below" : "at most";
      if (issue.origin === "number" || issue.origin === "int") return one(`${shown} is out of range; allowed: ${word} ${String(bound)}`);
      if (issue.origin === "array") return one(`has ${Array.isArray(value) ? value.length : 0} entries; allowed: ${word} ${String(bound)}`);
      return one(`${shown} has the wrong length; allowed: ${word} ${String(bound)} characters`);
    }
    case "invalid_key":
      return one(`name ${describeValue(at[at.length - 1])} is not allowed; allowed: ${issue.issues[0]?.message ?? "a valid name"}`);
    case "invalid_format":
      return one(`${shown} is not valid; allowed: ${issue.message}`);
    case "invalid_union":
      return one(`${shown} matches none of the allowed forms; allowed: { email: <address> }, { webhook: <https URL> } or { slack: <https URL> }`);
    default:
      return one(issue.message);
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function resolve(p: ParsedSpec): ResolvedSpec {
  const preset = PRESETS[p.environment];
  const floor = complianceFloor(p.compliance);
  const backupRetentionDays = p.backup.retentionDays ?? Math.max(preset.backupRetentionDays, floor?.backupRetentionDays ?? 0);
  const generated = (Object.keys(GENERATED_SECRETS) as (keyof typeof GENERATED_SECRETS)[]).filter(
    (name) => p[GENERATED_SECRETS[name]] !== undefined,
  );
  const services = Object.entries(p.services).map(([name, s]): ServiceSpec => {
    const min = s.replicas?.min ?? preset.replicas.min;
    return {
      name,
      image: s.image,
      ...(s.command === undefined ? {} : { command: s.command }),
      ...(s.args === undefined ? {} : { args: s.args }),
      port: s.port,
      cpu: s.cpu,
      memory: s.memory,
      replicas: { min, max: s.replicas?.max ?? Math.max(preset.replicas.max, min) },
      autoscaling: s.autoscaling,
      healthCheck: s.healthCheck,
      public: s.public,
      env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, String(v)])),
      secrets: [...new Set([...s.secrets, ...generated])],
      deployment: s.deployment,
    };
  });
  return {
    name: p.name,
    environment: p.environment,
    provider: p.provider,
    ...(p.region === undefined ? {} : { region: p.region }),
    compliance: p.compliance,
    tags: p.tags,
    slo: p.slo ?? preset.slo,
    network: {
      cidr: p.network.cidr,
      zones: p.network.zones ?? preset.zones,
      nat: p.network.nat ?? preset.nat,
      loadBalancer: {
        public: p.network.loadBalancer.public,
        tls: p.network.loadBalancer.tls,
        ...(p.network.loadBalancer.domain === undefined ? {} : { domain: p.network.loadBalancer.domain }),
        waf: p.network.loadBalancer.waf ?? (preset.waf || floor?.waf === true),
      },
      cdn: p.network.cdn,
    },
    services,
    ...(p.database === undefined
      ? {}
      : {
          database: {
            engine: p.database.engine,
            version: p.database.version,
            majorVersion: Number.parseInt(p.database.version, 10),
            size: p.database.size,
            storageGb: p.database.storageGb,
            name: p.database.name ?? p.name.replace(/-/g, "_"),
            highAvailability: p.database.highAvailability ?? preset.highAvailability,
            deletionProtection: preset.deletionProtection,
            backup: { retentionDays: p.database.backup.retentionDays ?? backupRetentionDays, window: p.database.backup.window },
          },
        }),
    ...(p.cache === undefined
      ? {}
      : {
          cache: {
            engine: p.cache.engine,
            version: p.cache.version,
            majorVersion: Number.parseInt(p.cache.version, 10),
            size: p.cache.size,
            highAvailability: p.cache.highAvailability ?? preset.highAvailability,
          },
        }),
    buckets: Object.entries(p.buckets).map(([name, b]) => ({ name, ...b })),
    secrets: Object.entries(p.secrets).map(([name, s]) => ({ name, ...s })),
    monitoring: p.monitoring,
    logging: {
      retentionDays: p.logging.retentionDays ?? Math.max(preset.logRetentionDays, floor?.logRetentionDays ?? 0),
      audit: p.logging.audit ?? (preset.audit || floor !== undefined),
    },
    backup: { schedule: p.backup.schedule, retentionDays: backupRetentionDays, crossRegion: p.backup.crossRegion },
    protectStateful: preset.protectStateful,
  };
}

// Values that are secrets whatever their name: cloud keys, private keys, tokens, URLs with passwords.
const SECRET_VALUE =
  /(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abpr]-|\bsk_(live|test)_|\beyJ[\w-]+\.eyJ[\w-]+|:\/\/[^/\s:@]+:[^/\s@]+@)/;

/** The rules that span fields (SPEC.md "Rules a valid spec obeys"), checked on the resolved spec. */
function specRuleProblems(spec: ResolvedSpec, parsed: ParsedSpec): Located[] {
  const problems: Located[] = [];
  const add = (at: readonly PropertyKey[], message: string, fix?: string) =>
    problems.push({ path: formatPath(at), at, message, ...(fix === undefined ? {} : { fix }) });
  const production = spec.environment === "production";

  if (Object.keys(parsed.services).length === 0) add(["services"], "has no service; allowed: at least one", "add a service under services");

  const cidrProblem = subnetPlanProblem(spec.network.cidr, spec.network.zones);
  if (cidrProblem !== undefined) add(["network", "cidr"], cidrProblem);
  else if (!isPrivateCidr(spec.network.cidr)) {
    add(["network", "cidr"], `"${spec.network.cidr}" is not a private range; allowed: RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`, 'use a private range such as "10.0.0.0/16"');
  }

  const secretNames = new Set(spec.secrets.map((s) => s.name));
  for (const service of spec.services) {
    const at = ["services", service.name];
    const { min, max } = service.replicas;
    if (min > max) add([...at, "replicas", "min"], `${min} is greater than replicas.max ${max}`, "make min <= max");
    if (production && min < 2) {
      add([...at, "replicas", "min"], `${min} is below 2, the production minimum (one replica is one failure from an outage)`, "set replicas.min to 2 or more");
    }
    const tag = imageTag(service.image);
    if (production && (tag === undefined || tag === "latest")) {
      add(
        [...at, "image"],
        `${JSON.stringify(service.image)} ${tag === undefined ? "has no tag" : 'uses the mutable tag "latest"'}; production needs an immutable tag or digest`,
        "pin a version tag such as :1.4.2 or a digest @sha256:...",
      );
    }
    parsed.services[service.name]?.secrets.forEach((name, i) => {
      if (secretNames.has(name)) return;
      const generatedFrom = GENERATED_SECRETS[name as keyof typeof GENERATED_SECRETS];
      if (generatedFrom !== undefined) {
        if (spec[generatedFrom] === undefined) add([...at, "secrets", i], `"${name}" is generated only when the spec has a ${generatedFrom}`, `add a ${generatedFrom} section or remove "${name}"`);
        return;
      }
      const known = [...secretNames].join(", ") || "none defined";
      add([...at, "secrets", i], `"${name}" is not defined in secrets (defined: ${known})`, `add "${name}" under secrets or fix the name`);
    });
    for (const [key, value] of Object.entries(service.env)) {
      if (isSecretLookingName(key) || SECRET_VALUE.test(value)) {
        add(
          [...at, "env", key],
          "looks like a secret (value not shown); plain environment values are visible to anyone who can read the service definition",
          `move it to secrets and list its name in services.${service.name}.secrets`,
        );
      }
    }
    const steps = service.deployment.canary.steps;
    if (service.deployment.strategy === "canary" || parsed.services[service.name]?.deployment.canary.steps !== undefined) {
      const increasing = steps.every((s, i) => i === 0 || s > steps[i - 1]!);
      if (!increasing || steps[steps.length - 1] !== 100) {
        add([...at, "deployment", "canary", "steps"], `[${steps.join(", ")}] must be strictly increasing percentages ending at 100`, "for example [10, 50, 100]");
      }
    }
  }

  if (spec.database !== undefined && spec.database.majorVersion < 14) {
    add(["database", "version"], `"${spec.database.version}" is not supported; allowed: PostgreSQL 14 or newer`, 'set version to "16"');
  }
  if (spec.cache !== undefined && spec.cache.majorVersion < 6) {
    add(["cache", "version"], `"${spec.cache.version}" is not supported; allowed: Redis 6 or newer`, 'set version to "7"');
  }
  if (spec.database !== undefined) {
    const [start, end] = spec.database.backup.window.split("-").map(minutesOfDay) as [number, number];
    const length = (end - start + 1440) % 1440;
    if (length < 30) add(["database", "backup", "window"], `"${spec.database.backup.window}" is ${length} minutes long; allowed: at least 30 minutes`, 'widen it, e.g. "03:00-04:00"');
  }

  // Tags are normalised per provider at build time; what cannot be normalised is reported now when the provider is known.
  if (spec.provider !== "auto") {
    for (const problem of tagProblems(spec.provider, { ...spec.tags }, { app: spec.name, environment: spec.environment })) {
      add(["tags"], problem);
    }
  }

  const floor = complianceFloor(spec.compliance);
  if (floor !== undefined) {
    const tags = spec.compliance.join(", ");
    if (spec.logging.retentionDays < floor.logRetentionDays) {
      add(["logging", "retentionDays"], `${spec.logging.retentionDays} is below the ${floor.logRetentionDays} days that compliance ${tags} requires`, `set it to ${floor.logRetentionDays} or more`);
    }
    if (spec.backup.retentionDays < floor.backupRetentionDays) {
      add(["backup", "retentionDays"], `${spec.backup.retentionDays} is below the ${floor.backupRetentionDays} days that compliance ${tags} requires`, `set it to ${floor.backupRetentionDays} or more`);
    }
    if (!spec.logging.audit) add(["logging", "audit"], `false is not allowed with compliance ${tags}`, "set audit to true");
    if (floor.waf && !spec.network.loadBalancer.waf && spec.services.some((s) => s.public)) {
      add(["network", "loadBalancer", "waf"], "false is not allowed with compliance pci for public services", "set waf to true");
    }
  }
  if (spec.services.some((s) => s.public) && !spec.network.loadBalancer.tls && production) {
    add(["network", "loadBalancer", "tls"], "false is not allowed in production for public services", "set tls to true");
  }
  return problems;
}

function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** The tag of an image reference, or undefined when it has none (digests count as immutable tags). */
export function imageTag(image: string): string | undefined {
  if (image.includes("@")) return image.slice(image.indexOf("@") + 1);
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  return colon === -1 ? undefined : last.slice(colon + 1);
}
