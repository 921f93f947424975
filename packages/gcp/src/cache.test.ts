import * as compute from "@pulumi/gcp/compute";
import * as kms from "@pulumi/gcp/kms";
import * as redis from "@pulumi/gcp/redis";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import { parseSpec, type CacheSpec } from "@polycloud/core";
import { Cache } from "./cache";
import { Network } from "./network";
import { NETWORK, planOf } from "./__tests__/fixtures";
import type { Plan } from "@polycloud/testing";

const RING = "projects/acme-shop/locations/europe-west1/keyRings/shop";
const specOf = (cache: Record<string, unknown> = {}) => parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0" } }, cache }).cache!;
const build = (cache: CacheSpec = specOf()) =>
  planOf(() => {
    const network = new Network("net", { app: "shop", network: NETWORK, privateStores: ["cache"] });
    new Cache("cache", { app: "shop", cache, network, keyRing: RING }).allowFrom("api", "shop-dev-api");
  });

describe("Cache", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await build();
  }, 60_000);

  it("defaults to AUTH and transit encryption, on private service access in the cache's range", () => {
    const plan = defaults;
    expect(plan.find(redis.Instance).inputs).toMatchObject({
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
      reservedIpRange: plan.find(compute.GlobalAddress).outputs.name,
      authorizedNetwork: plan.find(compute.Network).id,
      redisVersion: "REDIS_7_2",
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWELVE_HOURS" },
    });
  });

  it("defaults to a customer-managed key usable by Memorystore's agent, and keeps REDIS_URL (TLS, with AUTH) in Secret Manager", () => {
    const plan = defaults;
    const key = plan.find(kms.CryptoKey);
    expect(plan.find(redis.Instance).inputs.customerManagedKey).toBe(key.id);
    expect(plan.findAll(kms.CryptoKeyIAMMember).map((g) => g.inputs.member)).toContainEqual(expect.stringMatching(/@cloud-redis\.iam\.gserviceaccount\.com$/));
    const version = plan.find(secretmanager.SecretVersion);
    expect(version.inputs.secretData).toMatch(/^rediss:\/\/:[0-9a-f-]{36}@10\.\d+\.\d+\.\d+:6379\/0$/);
    expect(version.secretInputs).toContain("secretData");
  });

  it("is BASIC outside high availability and STANDARD_HA with it; sized from the spec", async () => {
    expect(defaults.find(redis.Instance).inputs).toMatchObject({ tier: "BASIC", memorySizeGb: 1 });
    expect((await build(specOf({ highAvailability: true, size: "large" }))).find(redis.Instance).inputs).toMatchObject({ tier: "STANDARD_HA", memorySizeGb: 16 });
  });

  it("lets a client's network tag through the firewall on the TLS port only", () => {
    const plan = defaults;
    expect(plan.find(compute.Firewall, "cache-from-api").inputs).toMatchObject({ direction: "EGRESS", targetTags: ["shop-dev-api"], allows: [{ protocol: "tcp", ports: ["6378"] }] });
  });

  it("refuses a Redis version Memorystore does not offer before anything is created", async () => {
    const plan = await planOf(() => {
      const network = new Network("net", { app: "shop", network: NETWORK, privateStores: ["cache"] });
      expect(() => new Cache("cache", { app: "shop", cache: { ...specOf(), version: "5", majorVersion: 5 }, network, keyRing: RING })).toThrow('cache.version: "5" has no Memorystore for Redis release; allowed: 6, 7; set version to "7"');
    });
    plan.resourceCountIs(redis.Instance, 0);
    plan.resourceCountIs(kms.CryptoKey, 0);
  });
});
