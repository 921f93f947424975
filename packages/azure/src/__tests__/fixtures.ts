// Shared test inputs: specs with every field resolved, and the Azure places components are given.
import type { CacheSpec, DatabaseSpec, Environment, ServiceSpec } from "@polycloud/core";
import { runProgram, type Plan, type RunOptions } from "@polycloud/testing";
import type { VaultRef } from "../encryption-key";
import { Network } from "../network";

export const SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const RG = "shop-dev-rg";
export const VAULT: VaultRef = { name: "kv-shop", id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/kv-shop`, uri: "https://kv-shop.vault.azure.net/" };
export const ENDPOINTS = { subnetId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/private-endpoints`, privateDnsZoneId: "/zones/privatelink" };
export const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.OperationalInsights/workspaces/logs`;

export const network = { cidr: "10.0.0.0/16", zones: 2, nat: "single", loadBalancer: { public: true, tls: true, waf: false }, cdn: false } as const;

export function service(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: "web",
    image: "ghcr.io/acme/web:1.0.0",
    port: 8080,
    cpu: 0.5,
    memory: 1024,
    replicas: { min: 2, max: 5 },
    autoscaling: { cpuPercent: 70, memoryPercent: 80 },
    healthCheck: { path: "/healthz", intervalSeconds: 10, timeoutSeconds: 5, gracePeriodSeconds: 60 },
    public: true,
    env: { LOG_LEVEL: "info" },
    secrets: [],
    access: { database: false, cache: false, buckets: {}, services: [] },
    deployment: { strategy: "rolling", canary: { steps: [10, 50], intervalMinutes: 5 }, blueGreen: { terminationWaitMinutes: 5 }, rollback: { onHealthCheckFailure: true, onAlarm: true } },
    ...overrides,
  };
}

export const database = (overrides: Partial<DatabaseSpec> = {}): DatabaseSpec => ({
  engine: "postgres",
  version: "16",
  majorVersion: 16,
  size: "small",
  storageGb: 50,
  name: "app",
  highAvailability: false,
  deletionProtection: false,
  backup: { retentionDays: 7, window: "03:00-04:00" },
  ...overrides,
});

export const cache = (overrides: Partial<CacheSpec> = {}): CacheSpec => ({ engine: "redis", version: "7", majorVersion: 7, size: "small", highAvailability: false, ...overrides });

/** A program that builds a network for `web` and `api` and hands it to `build`. */
export function onNetwork<T>(build: (net: Network) => T, options: { environment?: Environment; preview?: boolean; mocks?: RunOptions["mocks"] } = {}): Promise<Plan> {
  return runProgram(() => {
    const net = new Network("shop-network", { app: "shop", environment: options.environment ?? "development", network, services: ["web", "api"] });
    return build(net);
  }, { provider: "azure", ...(options.preview === undefined ? {} : { preview: options.preview }), ...(options.mocks === undefined ? {} : { mocks: options.mocks }) });
}
