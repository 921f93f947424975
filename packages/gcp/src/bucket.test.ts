import * as kms from "@pulumi/gcp/kms";
import * as storage from "@pulumi/gcp/storage";
import { parseSpec } from "@polycloud/core";
import { Bucket } from "./bucket";
import { KEY_ROTATION_PERIOD } from "./keys";
import { planOf } from "./__tests__/fixtures";
import type { Plan } from "@polycloud/testing";

const RING = "projects/acme-shop/locations/europe-west1/keyRings/shop";
const spec = (bucket: Record<string, unknown> = {}) => parseSpec({ name: "shop", services: { api: { image: "ghcr.io/acme/api:1.0.0" } }, buckets: { assets: bucket } }).buckets[0]!;
const build = (extra: Partial<ConstructorParameters<typeof Bucket>[1]> = {}) => planOf(() => void new Bucket("assets", { app: "shop", bucket: spec(), keyRing: RING, ...extra }));

describe("Bucket", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await build();
  }, 60_000);

  it("defaults to uniform bucket-level access, public access prevention enforced, versioning and no force destroy", () => {
    const plan = defaults;
    expect(plan.find(storage.Bucket, "assets").inputs).toMatchObject({ uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", versioning: { enabled: true }, forceDestroy: false, location: "EUROPE-WEST1", name: expect.stringMatching(/^shop-dev-assets-[0-9a-f]{6}$/) });
  });

  it("defaults to a customer-managed key of its own, rotating every 90 days, usable by Cloud Storage's service agent, before the bucket exists", () => {
    const plan = defaults;
    const key = plan.find(kms.CryptoKey);
    expect(key.inputs).toMatchObject({ keyRing: RING, rotationPeriod: KEY_ROTATION_PERIOD, purpose: "ENCRYPT_DECRYPT" });
    expect(KEY_ROTATION_PERIOD).toBe(`${90 * 86400}s`);
    expect(plan.find(storage.Bucket, "assets").inputs.encryption).toEqual({ defaultKmsKeyName: key.id });
    const grant = plan.find(kms.CryptoKeyIAMMember);
    expect(grant.inputs).toMatchObject({ cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: expect.stringMatching(/^serviceAccount:service-\d{12}@gs-project-accounts\.iam\.gserviceaccount\.com$/) });
    expect(plan.find(storage.Bucket, "assets").dependencies).toContain(grant.urn);
  });

  it("defaults to soft delete for the preset's backup retention, and takes backupRetentionDays", async () => {
    expect(defaults.find(storage.Bucket, "assets").inputs.softDeletePolicy).toEqual({ retentionDurationSeconds: 7 * 86400 });
    expect((await build({ backupRetentionDays: 35 })).find(storage.Bucket, "assets").inputs.softDeletePolicy).toEqual({ retentionDurationSeconds: 35 * 86400 });
  });

  it("defaults to usage logs in a log bucket as hardened as the bucket, expiring with log retention, written by Cloud Storage's analytics group only", async () => {
    const plan = await build({ logRetentionDays: 30 });
    const logs = plan.find(storage.Bucket, "assets-logs");
    expect(plan.find(storage.Bucket, "assets").inputs.logging).toEqual({ logBucket: logs.outputs.name });
    expect(logs.inputs).toMatchObject({ uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", encryption: { defaultKmsKeyName: expect.any(String) }, lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30 } }] });
    expect(plan.findAll(storage.BucketIAMMember).map((m) => [m.inputs.bucket, m.inputs.role, m.inputs.member])).toEqual([[logs.outputs.name, "roles/storage.objectCreator", "group:cloud-storage-analytics@google.com"]]);
  });

  it("turns the spec's lifecycle into rules: expiry, noncurrent expiry and Nearline transition", async () => {
    const plan = await planOf(() => void new Bucket("assets", { app: "shop", keyRing: RING, bucket: spec({ lifecycle: { expireAfterDays: 400, expireNoncurrentAfterDays: 30, transitionToInfrequentAccessAfterDays: 60 } }) }));
    expect(plan.find(storage.Bucket, "assets").inputs.lifecycleRules).toEqual([
      { action: { type: "Delete" }, condition: { age: 400 } },
      { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
      { action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: 60, matchesStorageClasses: ["STANDARD"] } },
    ]);
  });

  it("opens objects to anyone only on the spec's explicit publicRead, and never to listing or writing", async () => {
    const plan = await planOf(() => void new Bucket("assets", { app: "shop", keyRing: RING, bucket: spec({ publicRead: true }) }));
    expect(plan.find(storage.Bucket, "assets").inputs.publicAccessPrevention).toBe("inherited");
    plan.hasResource(storage.BucketIAMMember, { role: "roles/storage.objectViewer", member: "allUsers" });
  });

  it("grants a service objectViewer to read and objectUser to read and write, nothing more", async () => {
    const plan = await planOf(() => {
      const bucket = new Bucket("assets", { app: "shop", bucket: spec(), keyRing: RING });
      bucket.allowAccess("api", "serviceAccount:api@acme-shop.iam.gserviceaccount.com", "readwrite");
      bucket.allowAccess("worker", "serviceAccount:worker@acme-shop.iam.gserviceaccount.com", "read");
    });
    expect(plan.findAll(storage.BucketIAMMember, (m) => m.inputs.member.startsWith("serviceAccount:")).map((m) => [m.inputs.member, m.inputs.role])).toEqual([
      ["serviceAccount:api@acme-shop.iam.gserviceaccount.com", "roles/storage.objectUser"],
      ["serviceAccount:worker@acme-shop.iam.gserviceaccount.com", "roles/storage.objectViewer"],
    ]);
  });

  it("protects the bucket and its key in production, not the log bucket", async () => {
    const plan = await build({ environment: "production" });
    expect(plan.find(storage.Bucket, "assets").options.protect).toBe(true);
    expect(plan.find(kms.CryptoKey).options.protect).toBe(true);
    expect(plan.find(storage.Bucket, "assets-logs").options.protect).toBe(false);
  });

  it("refuses a soft delete retention beyond 90 days, naming field, value, allowed and fix, before anything is created", async () => {
    const plan = await planOf(() => {
      expect(() => new Bucket("assets", { app: "shop", bucket: spec(), keyRing: RING, backupRetentionDays: 120 })).toThrow(
        "backupRetentionDays: 120 is not a soft delete retention Cloud Storage offers; allowed: 0 to 90 whole days; set backupRetentionDays to 90 or less",
      );
    });
    expect(plan.resources().filter((r) => r.custom)).toEqual([]);
  });

  it("merges a transform's labels with its own", async () => {
    const plan = await build({ tags: { team: "web" }, transform: { bucket: { labels: { tier: "hot" } } } });
    expect(plan.find(storage.Bucket, "assets").inputs.labels).toEqual({ "managed-by": "polycloud", app: "shop", environment: "development", team: "web", bucket: "assets", tier: "hot" });
  });
});
