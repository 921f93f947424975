import * as cloudrunv2 from "@pulumi/gcp/cloudrunv2";
import * as compute from "@pulumi/gcp/compute";
import * as kms from "@pulumi/gcp/kms";
import * as redis from "@pulumi/gcp/redis";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as sql from "@pulumi/gcp/sql";
import * as storage from "@pulumi/gcp/storage";
import { runProgram, secretConfig, type Plan } from "@polycloud/testing";
import "@polycloud/policy/jest";
import { resourceGraph } from "../resource-graph";
import program from "./index";

const project = "gcp-web-service";

// One development plan that every test below only reads: a domain and the Stripe key from the stack's config.
let plan: Plan;
beforeAll(async () => {
  plan = await runProgram(program, { project, provider: "gcp", config: { [`${project}:domain`]: "app.example.org", [`${project}:stripe-key`]: secretConfig("sk_test_example") } });
});

describe("gcp-web-service example", () => {
  it("serves the API over HTTPS on the configured domain and exports its endpoints", () => {
    const ip = plan.find(compute.GlobalAddress, "api-lb-ip");
    const address = ip.outputs.address;
    // SLO burn rates (3 availability, 3 latency), the service's CPU and memory, the database's 3, the cache's memory
    // and the uptime check, and the escalations of the warnings among them (1 + 1 SLO, 2 service, 2 database, 1 cache).
    expect(plan.outputs).toMatchObject({ url: "https://app.example.org", alertCount: 6 + 2 + 3 + 1 + 1 + (2 + 2 + 2 + 1), databaseEndpoint: plan.find(sql.DatabaseInstance).outputs.privateIpAddress });
    expect(plan.outputs.alertCount).toBe(plan.resources("gcp:monitoring/alertPolicy:AlertPolicy").length);
    expect(plan.outputs.bucket).toMatch(/^shop-dev-assets-[0-9a-f]{6}$/);
    // No Cloud DNS zone: the A record to create by hand, which the managed certificate waits for.
    expect(plan.outputs.dnsRecords).toEqual([{ name: "app.example.org", type: "A", value: address, purpose: expect.stringContaining("certificate") }]);
    expect(plan.find(compute.ManagedSslCertificate).inputs.managed).toEqual({ domains: ["app.example.org"] });
    expect(plan.find(compute.GlobalForwardingRule, "api-https-rule").inputs).toMatchObject({ ipAddress: ip.id, portRange: "443" });
    // Zero mandatory policy findings; accepted ones are suppressions with a reason in the component.
    expect(plan).toPassPolicies();
    expect(resourceGraph(plan)).toMatchSnapshot();
  });

  it("injects the three secrets by reference and keeps the Stripe key's value out of the plan", () => {
    const secretId = (name: string) => plan.find(secretmanager.Secret, (s) => s.inputs.secretId === `shop-dev-${name}`).id;
    const run = plan.find(cloudrunv2.Service).inputs.template;
    expect(run.containers![0]!.envs).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      ...[
        ["STRIPE_KEY", "stripe-key"],
        ["DATABASE_URL", "database-url"],
        ["REDIS_URL", "redis-url"],
      ].map(([envName, secret]) => ({ name: envName, valueSource: { secretKeyRef: { secret: secretId(secret!), version: "latest" } } })),
    ]);
    // The value is the secret version's, a Pulumi secret, and appears nowhere in the recorded plan.
    const version = plan.find(secretmanager.SecretVersion, "shop-stripe-key-version");
    expect(version.inputs.secretData).toBe("sk_test_example");
    expect(version.secretInputs).toContain("secretData");
    expect(JSON.stringify(plan.toJSON())).not.toContain("sk_test_example");
  });

  it("lets only the service's network tag reach the database and the cache, and grants it alone its secrets and the bucket", () => {
    const run = plan.find(cloudrunv2.Service).inputs.template;
    const account = plan.find(serviceaccount.Account, "api-sa").outputs;
    expect(run.serviceAccount).toBe(account.email);
    const tags = run.vpcAccess!.networkInterfaces![0]!.tags;
    expect(tags).toEqual(["shop-dev-api"]);
    // Each store's range: every instance of the VPC is denied it, and one rule lets the service's tag through on the store's port.
    const egress = plan.resources(compute.Firewall).filter((f) => f.inputs.direction === "EGRESS");
    const rangeOf = (store: string) => {
      const range = plan.find(compute.GlobalAddress, `shop-${store}-range`);
      return `${range.outputs.address}/${range.inputs.prefixLength}`;
    };
    for (const [store, port] of [
      ["database", "5432"],
      ["cache", "6378"],
    ] as const) {
      const rules = egress.filter((f) => f.inputs.destinationRanges?.includes(rangeOf(store)));
      expect(rules.map((f) => [f.inputs.priority, f.inputs.denies, f.inputs.allows, f.inputs.targetTags])).toEqual([
        [1100, [{ protocol: "all" }], undefined, undefined],
        [1000, undefined, [{ protocol: "tcp", ports: [port] }], tags],
      ]);
    }
    expect(plan.find(sql.DatabaseInstance).inputs).toMatchObject({ settings: { ipConfiguration: { ipv4Enabled: false, allocatedIpRange: plan.find(compute.GlobalAddress, "shop-database-range").inputs.name } } });
    expect(plan.find(redis.Instance).inputs).toMatchObject({ connectMode: "PRIVATE_SERVICE_ACCESS", reservedIpRange: plan.find(compute.GlobalAddress, "shop-cache-range").inputs.name });
    // Secret Manager and Cloud Storage grants: the service's own account, on exactly its three secrets and the assets bucket.
    expect(plan.resources(secretmanager.SecretIamMember).map((m) => [m.inputs.member, m.inputs.role])).toEqual(Array(3).fill([account.member, "roles/secretmanager.secretAccessor"]));
    const assets = plan.find(storage.Bucket, "assets").inputs.name;
    expect(plan.resources(storage.BucketIAMMember).filter((m) => m.inputs.bucket === assets).map((m) => [m.inputs.member, m.inputs.role])).toEqual([[account.member, "roles/storage.objectUser"]]);
  });

  it("protects the stores and their keys, and makes the database and cache highly available, in production", async () => {
    const production = await runProgram(program, { project, provider: "gcp", config: { [`${project}:environment`]: "production" } });
    expect(production).toPassPolicies();
    const stateful = [sql.DatabaseInstance, redis.Instance, kms.KeyRing, kms.CryptoKey, secretmanager.Secret] as const;
    const stores = [...stateful.flatMap((type) => production.resources(type)), production.find(storage.Bucket, "assets")];
    // The two instances, the key ring, the four keys (secrets, database, cache, assets), the three secrets and the assets bucket.
    expect(stores).toHaveLength(11);
    expect(stores.filter((r) => r.options.protect !== true).map((r) => r.name)).toEqual([]);
    // Cloud SQL in two zones with failover, deletion protection on both sides, daily backups with point-in-time recovery.
    const database = production.find(sql.DatabaseInstance).inputs;
    expect(database).toMatchObject({ deletionProtection: true, settings: { availabilityType: "REGIONAL", deletionProtectionEnabled: true, backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true } } });
    // Memorystore with a replica in another zone; the assets versioned, with soft delete for the backup retention.
    expect(production.find(redis.Instance).inputs.tier).toBe("STANDARD_HA");
    expect(production.find(storage.Bucket, "assets").inputs).toMatchObject({ versioning: { enabled: true }, softDeletePolicy: { retentionDurationSeconds: 30 * 86_400 } });
    // Development has none of it.
    expect(plan.find(sql.DatabaseInstance).options.protect).not.toBe(true);
    expect(plan.find(sql.DatabaseInstance).inputs.settings?.availabilityType).toBe("ZONAL");
    expect(plan.find(redis.Instance).inputs.tier).toBe("BASIC");
  });
});
