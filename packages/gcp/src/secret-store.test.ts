import * as kms from "@pulumi/gcp/kms";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SecretStore } from "./secret-store";
import { planOf } from "./__tests__/fixtures";
import type { Plan } from "@polycloud/testing";

const secrets = [{ name: "stripe-key", description: "Stripe" }, { name: "session-key", generate: true }, { name: "webhook-key", rotationDays: 30 }];

describe("SecretStore", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await planOf(() => void new SecretStore("secrets", { app: "shop", secrets: [{ name: "stripe-key" }] }));
  }, 60_000);

  it("defaults to a key ring in the region and one key rotating every 90 days, usable by Secret Manager's agent", () => {
    const plan = defaults;
    expect(plan.find(kms.KeyRing).inputs).toEqual({ name: "shop-dev", location: "europe-west1" });
    expect(plan.find(kms.CryptoKey).inputs.rotationPeriod).toBe("7776000s");
    expect(plan.findAll(kms.CryptoKeyIAMMember).map((m) => m.inputs.member)).toEqual([expect.stringMatching(/^serviceAccount:service-\d+@gcp-sa-secretmanager\.iam\.gserviceaccount\.com$/)]);
  });

  it("defaults to each secret replicated only in the region, encrypted there with the key", () => {
    const plan = defaults;
    const key = plan.find(kms.CryptoKey);
    expect(plan.find(secretmanager.Secret).inputs).toMatchObject({
      secretId: "shop-dev-stripe-key",
      replication: { userManaged: { replicas: [{ location: "europe-west1", customerManagedEncryption: { kmsKeyName: key.id } }] } },
    });
  });

  it("takes a value given, generates one where the spec says generate, and creates the rest without a version", async () => {
    const plan = await planOf(() => void new SecretStore("secrets", { app: "shop", secrets, values: { "stripe-key": pulumi.secret("sk_test_123") } }));
    const versions = plan.findAll(secretmanager.SecretVersion);
    expect(versions.map((v) => v.name)).toEqual(["secrets-stripe-key-version", "secrets-session-key-version"]);
    expect(versions[0]!.secretInputs).toContain("secretData");
    expect(versions[0]!.inputs.secretData).toBe("sk_test_123");
    const generated = plan.find(random.RandomPassword);
    expect(generated.inputs).toEqual({ length: 32, special: false });
    expect(versions[1]!.inputs.secretData).toBe(generated.outputs.result);
  });

  it("sends rotation reminders every rotationDays to a topic encrypted with the key, which Secret Manager may publish to", async () => {
    const plan = await planOf(() => void new SecretStore("secrets", { app: "shop", secrets }));
    const topic = plan.find(pubsub.Topic);
    expect(topic.inputs).toMatchObject({ kmsKeyName: plan.find(kms.CryptoKey).id, messageStoragePolicy: { allowedPersistenceRegions: ["europe-west1"] } });
    const rotating = plan.find(secretmanager.Secret, "secrets-webhook-key");
    expect(rotating.inputs).toMatchObject({ topics: [{ name: topic.id }], rotation: { rotationPeriod: `${30 * 86400}s`, nextRotationTime: "2030-01-01T00:00:00Z" } });
    expect(rotating.options.ignoreChanges).toEqual(["rotation.nextRotationTime"]);
    expect(plan.find(pubsub.TopicIAMMember).inputs).toEqual({ topic: topic.id, role: "roles/pubsub.publisher", member: expect.stringMatching(/@gcp-sa-secretmanager\.iam\.gserviceaccount\.com$/) });
    expect(plan.find(secretmanager.Secret, "secrets-stripe-key").inputs.rotation).toBeUndefined();
  });

  it("lets a member read one secret, and refuses a secret it does not have", async () => {
    const plan = await planOf(() => {
      const store = new SecretStore("secrets", { app: "shop", secrets: [{ name: "stripe-key" }] });
      store.allowRead("stripe-key", "api", "serviceAccount:api@acme-shop.iam.gserviceaccount.com");
      expect(() => store.allowRead("stripe", "api", "serviceAccount:api@acme-shop.iam.gserviceaccount.com")).toThrow('allowRead.secretName: "stripe" is not a secret of this store (declared: stripe-key); name a declared secret');
    });
    expect(plan.find(secretmanager.SecretIamMember).inputs).toMatchObject({ role: "roles/secretmanager.secretAccessor", member: "serviceAccount:api@acme-shop.iam.gserviceaccount.com", secretId: plan.find(secretmanager.Secret).id });
  });

  it("refuses a value for an undeclared secret before anything is created", async () => {
    const plan = await planOf(() => {
      expect(() => new SecretStore("secrets", { app: "shop", secrets: [{ name: "stripe-key" }], values: { "stripe-kee": "x" } })).toThrow('values.stripe-kee: "stripe-kee" is not a declared secret (declared: stripe-key); add "stripe-kee" under secrets or fix the name');
    });
    expect(plan.resources().filter((r) => r.custom)).toEqual([]);
  });

  it("protects the key ring, key, secrets and generated values in production", async () => {
    const plan = await planOf(() => void new SecretStore("secrets", { app: "shop", environment: "production", secrets }));
    for (const type of [kms.KeyRing, kms.CryptoKey, secretmanager.Secret, random.RandomPassword]) expect(plan.findAll(type).every((r) => r.options.protect)).toBe(true);
  });
});
