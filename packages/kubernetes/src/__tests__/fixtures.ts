/** Specs and args shared by the component tests. */
import { buildModel, parseSpec, type AppModel, type ResolvedSpec, type SpecInput } from "@polycloud/core";
import type { NamespaceRef } from "../network";
import * as pulumi from "@pulumi/pulumi";

/** A small valid spec; `overrides` replace top-level sections. */
export function spec(overrides: Partial<SpecInput> = {}): ResolvedSpec {
  return parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/shop-api:1.4.2", public: true } }, ...overrides });
}

/**
 * The full spec of SPEC.md: production, every section, canary deployment. Grants: api reads and
 * writes the bucket and may call worker; worker reads the bucket and uses the cache only.
 */
export const FULL_SPEC: SpecInput = {
  name: "shop",
  environment: "production",
  compliance: ["soc2"],
  tags: { team: "payments", "cost-center": "42" },
  slo: { availability: 99.9, latencyP95Ms: 200, errorRatePercent: 0.1 },
  network: { loadBalancer: { public: true, tls: true, domain: "shop.example.com", waf: true } },
  services: {
    api: {
      image: "ghcr.io/acme/shop-api:1.4.2",
      replicas: { min: 3, max: 10 },
      public: true,
      env: { LOG_LEVEL: "info" },
      secrets: ["stripe-key"],
      access: { buckets: { assets: "readwrite" } },
      deployment: { strategy: "canary", canary: { steps: [10, 50, 100], intervalMinutes: 5 } },
    },
    worker: {
      image: "ghcr.io/acme/shop-worker:1.4.2",
      port: 9090,
      replicas: { min: 2, max: 4 },
      access: { database: false, buckets: { assets: "read" }, services: [] },
      deployment: { strategy: "blue-green" },
    },
  },
  database: { version: "16", size: "small", storageGb: 50, highAvailability: true },
  cache: { version: "7", highAvailability: false },
  buckets: { assets: { versioning: true, lifecycle: { expireNoncurrentAfterDays: 30 } } },
  secrets: { "stripe-key": { description: "Stripe API key", rotationDays: 30 } },
  monitoring: {
    alerts: {
      critical: [{ email: "oncall@example.com" }, { webhook: "https://hooks.example.com/page" }],
      warning: [{ slack: "https://hooks.slack.com/services/T000/B000/XXX" }],
      info: [{ email: "team@example.com" }],
    },
  },
  logging: { retentionDays: 365, audit: true },
};

/** An existing namespace, for components tested without a Network. */
export function namespace(): NamespaceRef {
  return { networkId: pulumi.output("shop-dev"), namespaceName: "shop-dev" };
}

/** SMTP settings for the specs' email routes. */
export const SMTP = { smarthost: "smtp.example.com:587", from: "Shop alerts <alerts@example.com>" } as const;

/** Stack config with {@link SMTP}, which the specs' email routes need on Kubernetes. */
export const SMTP_CONFIG = { "polycloud:kubernetes.smtp": JSON.stringify(SMTP) } as const;

/** The application model of a spec on Kubernetes, with stack config (`polycloud:kubernetes.<option>`) and {@link SMTP}. */
export function model(input: SpecInput = FULL_SPEC, config: Readonly<Record<string, unknown>> = {}): AppModel<"kubernetes"> {
  return buildModel(parseSpec(input), "kubernetes", { ...SMTP_CONFIG, ...config });
}
