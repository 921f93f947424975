import * as compute from "@pulumi/gcp/compute";
import * as kms from "@pulumi/gcp/kms";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as sql from "@pulumi/gcp/sql";
import * as random from "@pulumi/random";
import { parseSpec, type Environment } from "@polycloud/core";
import { Database, DATABASE_FLAGS } from "./database";
import { Network } from "./network";
import { NETWORK, planOf } from "./__tests__/fixtures";
import type { Plan } from "@polycloud/testing";

const RING = "projects/acme-shop/locations/europe-west1/keyRings/shop";
const specOf = (environment: Environment, database: Record<string, unknown> = {}) =>
  parseSpec({ name: "shop", environment, services: { api: { image: "ghcr.io/acme/api:1.0.0", replicas: { min: 2 } } }, database, ...(environment === "production" ? { network: { loadBalancer: { domain: "shop.example.com" } } } : {}) }).database!;

const build = (environment: Environment = "development", database: Record<string, unknown> = {}, clients: string[] = []) =>
  planOf(() => {
    const network = new Network("net", { app: "shop", environment, network: NETWORK, privateStores: ["database"] });
    const db = new Database("db", { app: "shop", environment, database: specOf(environment, database), network, keyRing: RING });
    for (const client of clients) db.allowFrom(client, `shop-dev-${client}`);
  });

describe("Database", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await build();
  }, 60_000);

  it("defaults to a private IP only, in the store's private service access range, after the peering exists", () => {
    const plan = defaults;
    const instance = plan.find(sql.DatabaseInstance);
    const range = plan.find(compute.GlobalAddress);
    expect(instance.inputs.settings?.ipConfiguration).toMatchObject({ ipv4Enabled: false, privateNetwork: plan.find(compute.Network).id, allocatedIpRange: range.outputs.name });
    expect(instance.outputs.publicIpAddress).toBe("");
    expect(instance.dependencies).toContain(plan.resources("gcp:servicenetworking/connection:Connection")[0]!.urn);
  });

  it("defaults to requiring SSL (encrypted connections only) and a connection URL that asks for it", () => {
    const plan = defaults;
    expect(plan.find(sql.DatabaseInstance).inputs.settings?.ipConfiguration?.sslMode).toBe("ENCRYPTED_ONLY");
    expect(plan.find(secretmanager.SecretVersion).inputs.secretData).toMatch(/^postgresql:\/\/app:[A-Za-z0-9]{32}@10\.\d+\.\d+\.\d+:5432\/shop\?sslmode=require$/);
  });

  it("defaults to automated backups with point-in-time recovery, the spec's retention and window", async () => {
    const plan = await build("development", { backup: { retentionDays: 10, window: "02:30-03:30" } });
    expect(plan.find(sql.DatabaseInstance).inputs.settings?.backupConfiguration).toEqual({
      enabled: true,
      startTime: "02:30",
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: 7,
      backupRetentionSettings: { retainedBackups: 10, retentionUnit: "COUNT" },
    });
  });

  it("defaults to a customer-managed key, usable by Cloud SQL's and Secret Manager's agents, before the instance exists", () => {
    const plan = defaults;
    const key = plan.find(kms.CryptoKey);
    expect(plan.find(sql.DatabaseInstance).inputs.encryptionKeyName).toBe(key.id);
    const grants = plan.findAll(kms.CryptoKeyIAMMember);
    expect(grants.map((g) => g.inputs.member)).toEqual([expect.stringMatching(/@gcp-sa-cloud-sql\.iam\.gserviceaccount\.com$/), expect.stringMatching(/@gcp-sa-secretmanager\.iam\.gserviceaccount\.com$/)]);
    expect(plan.find(sql.DatabaseInstance).dependencies).toEqual(expect.arrayContaining(grants.map((g) => g.urn)));
    expect(plan.find(secretmanager.Secret).inputs.replication).toEqual({ userManaged: { replicas: [{ location: "europe-west1", customerManagedEncryption: { kmsKeyName: key.id } }] } });
  });

  it("defaults to the CIS logging flags", () => {
    const plan = defaults;
    expect(plan.find(sql.DatabaseInstance).inputs.settings?.databaseFlags).toEqual(Object.entries(DATABASE_FLAGS).map(([name, value]) => ({ name, value })));
    expect(DATABASE_FLAGS).toMatchObject({ log_connections: "on", log_disconnections: "on", log_min_duration_statement: "-1", "cloudsql.enable_pgaudit": "on" });
  });

  it("is ZONAL and unprotected in development, REGIONAL with Cloud SQL's and Pulumi's deletion protection in production", async () => {
    const dev = defaults.find(sql.DatabaseInstance);
    expect([dev.inputs.settings?.availabilityType, dev.inputs.deletionProtection, dev.inputs.settings?.deletionProtectionEnabled, dev.options.protect]).toEqual(["ZONAL", false, false, false]);
    const prod = await build("production");
    const instance = prod.find(sql.DatabaseInstance);
    expect([instance.inputs.settings?.availabilityType, instance.inputs.deletionProtection, instance.inputs.settings?.deletionProtectionEnabled, instance.options.protect]).toEqual(["REGIONAL", true, true, true]);
    expect(prod.find(kms.CryptoKey).options.protect).toBe(true);
    expect(prod.find(random.RandomPassword).options.protect).toBe(true);
  });

  it("sizes the instance from the spec: PostgreSQL version, dedicated-core tier, SSD disk that grows", async () => {
    const plan = await build("development", { version: "15", size: "large", storageGb: 200 });
    const instance = plan.find(sql.DatabaseInstance).inputs;
    expect([instance.databaseVersion, instance.settings?.tier, instance.settings?.diskType, instance.settings?.diskSize, instance.settings?.diskAutoresize]).toEqual(["POSTGRES_15", "db-custom-4-15360", "PD_SSD", 200, true]);
  });

  it("denies every instance the database's range, and lets each client's network tag connect on 5432 at a higher priority", async () => {
    const plan = await build("development", {}, ["api"]);
    const cidr = `${plan.find(compute.GlobalAddress).outputs.address}/20`;
    expect(plan.findAll(compute.Firewall, (f) => f.inputs.direction === "EGRESS").map((f) => [f.name, f.inputs.priority, f.inputs.destinationRanges, f.inputs.targetTags, f.inputs.denies ?? f.inputs.allows])).toEqual([
      ["db-deny-egress", 1100, [cidr], undefined, [{ protocol: "all" }]],
      ["db-from-api", 1000, [cidr], ["shop-dev-api"], [{ protocol: "tcp", ports: ["5432"] }]],
    ]);
  });

  it("refuses a network without a database range, saying which option builds one", async () => {
    await expect(
      planOf(() => {
        const network = new Network("net", { app: "shop", network: NETWORK });
        new Database("db", { app: "shop", database: specOf("development"), network, keyRing: RING });
      }),
    ).rejects.toThrow('Network shop has no private service access range for the database: pass privateStores: ["database"]');
  });
});
