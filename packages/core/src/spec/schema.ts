/**
 * The spec's zod schema: the public contract of spec files (see shared/SPEC.md for the field
 * reference). Fields whose default depends on the environment are optional here and filled in by
 * `resolve`; fields with one fixed default carry it with `.default()`.
 */
import { z } from "zod";
import { ProvidersSchema } from "../providers/options";

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
  tls: z
    .boolean()
    .optional()
    .describe("HTTPS with an HTTP->HTTPS redirect; default true (outside production, a backend that needs a domain for it turns it off with a warning when none is given)"),
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
  loadBalancer: LoadBalancerSchema.default({ public: true }),
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
  access: z
    .strictObject({
      database: z.boolean().optional().describe("May connect to the database (DATABASE_URL is injected); default true when the spec has a database"),
      cache: z.boolean().optional().describe("May connect to the cache (REDIS_URL is injected); default true when the spec has a cache"),
      buckets: z
        .record(z.string(), z.enum(["read", "readwrite"]))
        .default({})
        .describe("Buckets this service may use, by name, and how; default none (least privilege)"),
      services: z.array(z.string()).optional().describe("Services this one may call on their port; default every other service of the application"),
    })
    .default({ buckets: {} })
    .describe("What this service may reach: the database, the cache, buckets and other services. Nothing else is reachable."),
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
  generate: z
    .boolean()
    .default(false)
    .describe("Generate a random 32-character value once (kept as a Pulumi secret) when stack config polycloud:secrets.<name> gives none"),
});

const httpsUrl = z.url({ protocol: /^https$/, error: "an https:// URL" });
export const RouteSchema = z.union([
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
    network: NetworkSchema.default({ cidr: "10.0.0.0/16", loadBalancer: { public: true }, cdn: false }),
    services: z.record(dnsLabel(20), ServiceSchema),
    database: DatabaseSchema.optional(),
    cache: CacheSchema.optional(),
    buckets: z.record(dnsLabel(24), BucketSchema).default({}),
    secrets: z.record(dnsLabel(40), SecretSchema).default({}),
    monitoring: MonitoringSchema.default({ alerts: { critical: [], warning: [], info: [] }, escalateAfterMinutes: 15, dashboard: true }),
    logging: LoggingSchema.default({}),
    backup: BackupSchema.default({ schedule: "daily", crossRegion: false }),
    providers: ProvidersSchema.default({}),
  })
  .describe("polycloud infrastructure specification");

/** A spec as written in a file (optional fields may be left out). */
export type SpecInput = z.input<typeof SpecSchema>;
/** A spec as zod outputs it: fixed defaults applied, preset defaults still missing. */
export type ParsedSpec = z.output<typeof SpecSchema>;
