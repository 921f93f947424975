/**
 * The corpus of the conformance suite: specs given by the caller (every stack and example) and
 * variants generated from a rich base spec, each switching one option off or on, so every grant,
 * store, route and strategy is planned at least once in both states.
 */
import { parseSpec, type SpecInput } from "@polycloud/core";
import type { ConformanceCase } from "./run";

type MutableSpec = SpecInput & Record<string, unknown>;

/** A spec that uses every concern: three services with different grants, a database, a cache, two buckets, two secrets, every route kind. */
export function richSpec(): MutableSpec {
  return {
    name: "conf",
    environment: "staging",
    network: { loadBalancer: { domain: "conf.example.com" } },
    services: {
      web: { image: "ghcr.io/acme/web:1.0.0", port: 8080, public: true, secrets: ["api-key"], access: { database: false, buckets: { media: "readwrite", reports: "read" }, services: ["api"] } },
      api: { image: "ghcr.io/acme/api:1.0.0", port: 9000, secrets: ["api-key", "signing-key"], access: { buckets: { reports: "readwrite" } } },
      worker: { image: "ghcr.io/acme/worker:1.0.0", port: 9090, access: { database: true, cache: false, services: [] } },
    },
    database: { version: "16" },
    cache: { version: "7" },
    buckets: { media: { versioning: true }, reports: { versioning: true } },
    secrets: { "api-key": { description: "API key" }, "signing-key": {} },
    monitoring: {
      alerts: {
        critical: [{ email: "oncall@example.com" }, { webhook: "https://hooks.example.com/page" }],
        warning: [{ slack: "https://hooks.slack.com/services/T000/B000/XXX" }],
        info: [{ email: "team@example.com" }],
      },
      escalateAfterMinutes: 20,
    },
    // Email routes on Kubernetes need an SMTP server; other backends ignore this section.
    providers: { kubernetes: { smtp: { smarthost: "smtp.example.com:587", from: "alerts@example.com" } } },
  };
}

/** One variant: a name and what it changes in the rich spec. */
interface Variant {
  readonly name: string;
  readonly change: (spec: MutableSpec) => void;
  /**
   * Also planned as a preview. Plans cost 10-20 ms per resource here, so the preview, which doubles a
   * case, is run where it adds coverage: the rich spec (every concern at once) and the deployment
   * strategies (the resources that differ most between strategies); the repository's production specs have it too.
   */
  readonly preview?: boolean;
}

const services = (spec: MutableSpec) => spec.services as Record<string, Record<string, unknown>>;

/** Each variant switches one thing relative to {@link richSpec}. */
export const VARIANTS: readonly Variant[] = [
  { name: "rich spec", change: () => {}, preview: true },
  { name: "minimal: a name and one service", change: (s) => { for (const k of Object.keys(s)) if (k !== "name") delete s[k]; s.services = { app: { image: "ghcr.io/acme/app:1.0.0" } }; } },
  { name: "production with the same grants", change: (s) => { s.environment = "production"; s.compliance = ["soc2"]; for (const svc of Object.values(services(s))) svc.replicas = { min: 2, max: 4 }; } },
  {
    name: "no database, no cache",
    change: (s) => {
      delete s.database;
      delete s.cache;
      for (const svc of Object.values(services(s))) {
        const access = svc.access as Record<string, unknown> | undefined;
        delete access?.database;
        delete access?.cache;
      }
    },
  },
  { name: "every service denied the stores and each other", change: (s) => { for (const svc of Object.values(services(s))) svc.access = { database: false, cache: false, services: [] }; } },
  { name: "no buckets and no secrets", change: (s) => { delete s.buckets; delete s.secrets; for (const svc of Object.values(services(s))) { delete svc.secrets; delete (svc.access as Record<string, unknown>).buckets; } } },
  { name: "private services only, without TLS", change: (s) => { for (const svc of Object.values(services(s))) svc.public = false; s.network = { loadBalancer: { tls: false } }; } },
  { name: "canary and blue-green deployments", change: (s) => { services(s).web!.deployment = { strategy: "canary" }; services(s).api!.deployment = { strategy: "blue-green" }; }, preview: true },
  { name: "no alert routes, no dashboard, escalation after 5 minutes", change: (s) => { s.monitoring = { dashboard: false, escalateAfterMinutes: 5 }; } },
  { name: "unversioned bucket, hourly backups", change: (s) => { (s.buckets as Record<string, Record<string, unknown>>).reports!.versioning = false; s.backup = { schedule: "hourly", retentionDays: 14 }; } },
];

/**
 * The generated variants as cases, after the given specs.
 * @param given specs of the repository (stacks, examples), each planned as written
 * @param config stack config for every generated variant (backend options the variants need)
 */
export function conformanceCorpus(given: readonly ConformanceCase[] = [], config: Readonly<Record<string, string>> = {}): ConformanceCase[] {
  return [
    ...given,
    ...VARIANTS.map((variant) => {
      const spec = richSpec();
      variant.change(spec);
      return { name: `variant: ${variant.name}`, spec: parseSpec(spec), config, preview: variant.preview === true };
    }),
  ];
}
