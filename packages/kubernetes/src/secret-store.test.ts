import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { runProgram, secretConfig } from "@polycloud/testing";
import { SecretStore } from "./secret-store";
import { namespace } from "./__tests__/fixtures";

const secrets = [{ name: "stripe-key", description: "Stripe API key", rotationDays: 30 }, { name: "session-key" }];
// v1: External Secrets Operator 0.17+ no longer serves v1beta1.
const EXTERNAL = "kubernetes:external-secrets.io/v1:ExternalSecret";

describe("SecretStore", () => {
  it("stores values from args, config or generation in Opaque secrets when no external store is named", async () => {
    let references: SecretStore["references"] = {};
    const plan = await runProgram(
      () => {
        const store = new SecretStore("secrets", {
          app: "shop",
          network: namespace(),
          secrets: [...secrets, { name: "webhook-token" }],
          values: { "webhook-token": "given" },
        });
        references = store.references;
      },
      { project: "shop", config: { "shop:stripe-key": secretConfig("sk_from_config") } },
    );
    const value = (name: string) => plan.find(k8s.core.v1.Secret, { metadata: { name } });
    expect(value("stripe-key").inputs.stringData).toEqual({ value: "sk_from_config" });
    expect(value("webhook-token").inputs.stringData).toEqual({ value: "given" });
    expect(value("stripe-key").secretInputs).toContain("stringData");
    expect(value("stripe-key").inputs.type).toBe("Opaque");
    expect(value("stripe-key").inputs.metadata!.annotations).toEqual({ "polycloud.dev/description": "Stripe API key", "polycloud.dev/rotation-days": "30" });
    // Only the secret without a value is generated.
    const generated = plan.find(random.RandomPassword);
    expect(generated.name).toBe("secrets-session-key-value");
    expect(generated.inputs).toMatchObject({ length: 32, special: false });
    expect(references).toEqual({
      "stripe-key": { envName: "STRIPE_KEY", ref: "stripe-key/value" },
      "session-key": { envName: "SESSION_KEY", ref: "session-key/value" },
      "webhook-token": { envName: "WEBHOOK_TOKEN", ref: "webhook-token/value" },
    });
  });

  it("creates ExternalSecrets and stores no value when an external store is named", async () => {
    const plan = await runProgram(() => {
      new SecretStore("secrets", { app: "shop", network: namespace(), secrets, externalStore: { name: "aws-secrets-manager", remoteKeyPrefix: "shop/prod/" } });
    });
    plan.resourceCountIs(k8s.core.v1.Secret, 0);
    plan.resourceCountIs(random.RandomPassword, 0);
    expect(plan.find(EXTERNAL, { metadata: { name: "stripe-key" } }).inputs.spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { name: "aws-secrets-manager", kind: "ClusterSecretStore" },
      target: { name: "stripe-key", creationPolicy: "Owner" },
      data: [{ secretKey: "value", remoteRef: { key: "shop/prod/stripe-key" } }],
    });
  });

  it("protects the Secrets and generated values in production", async () => {
    const plan = await runProgram(() => {
      new SecretStore("secrets", { app: "shop", environment: "production", network: namespace(), secrets });
    });
    expect(plan.resources(k8s.core.v1.Secret).map((s) => s.options.protect)).toEqual([true, true]);
    expect(plan.resources(random.RandomPassword).map((p) => p.options.protect)).toEqual([true, true]);
  });

  it("throws a PolycloudError when a value names no secret", () => {
    expect(() => new SecretStore("secrets", { app: "shop", network: namespace(), secrets, values: { stripe: "x" } })).toThrow(
      /values.stripe: "stripe" is not one of the secrets \(stripe-key, session-key\); add "stripe" to secrets or remove the value/,
    );
  });
});
