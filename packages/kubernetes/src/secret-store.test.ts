import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, secretConfig } from "@polycloud/testing";
import { SecretStore } from "./secret-store";
import { namespace } from "./__tests__/fixtures";

const secrets = [{ name: "stripe-key", description: "Stripe API key", rotationDays: 30 }, { name: "session-key", generate: true }];
// v1: External Secrets Operator 0.17+ no longer serves v1beta1.
const EXTERNAL = "kubernetes:external-secrets.io/v1:ExternalSecret";

describe("SecretStore", () => {
  it("stores values from args, generates only what the spec says to generate, and reads no Pulumi config itself, when no external store is named", async () => {
    let references: SecretStore["references"] = {};
    const plan = await runProgram(
      () => {
        const store = new SecretStore("secrets", {
          app: "shop",
          network: namespace(),
          secrets: [...secrets, { name: "webhook-token" }],
          values: { "stripe-key": pulumi.secret("sk_given"), "webhook-token": "given" },
        });
        references = store.references;
      },
      // The backend passes polycloud:secrets.<name> as values; the component does not look for <project>:<name>.
      { project: "shop", config: { "shop:session-key": secretConfig("not read") } },
    );
    const value = (name: string) => plan.find(k8s.core.v1.Secret, { metadata: { name } });
    expect(value("stripe-key").inputs.stringData).toEqual({ value: "sk_given" });
    expect(value("webhook-token").inputs.stringData).toEqual({ value: "given" });
    expect(value("session-key").inputs.stringData!.value).not.toBe("not read");
    expect(value("stripe-key").secretInputs).toContain("stringData");
    expect(value("stripe-key").inputs.type).toBe("Opaque");
    expect(value("stripe-key").inputs.metadata!.annotations).toEqual({ "polycloud.dev/description": "Stripe API key", "polycloud.dev/rotation-days": "30" });
    // Only the secret without a value whose spec says generate: true is generated.
    const generated = plan.find(random.RandomPassword);
    expect(generated.name).toBe("secrets-session-key-value");
    expect(value("session-key").inputs.stringData!.value).toBe(generated.outputs.result);
    expect(generated.inputs).toMatchObject({ length: 32, special: false });
    expect(references).toEqual({
      "stripe-key": { envName: "STRIPE_KEY", location: { secretName: "stripe-key", key: "value" } },
      "session-key": { envName: "SESSION_KEY", location: { secretName: "session-key", key: "value" } },
      "webhook-token": { envName: "WEBHOOK_TOKEN", location: { secretName: "webhook-token", key: "value" } },
    });
  });

  it("creates a secret with neither a value nor generate: true without its value, annotated missing, and generates nothing", async () => {
    let references: SecretStore["references"] = {};
    const plan = await runProgram(() => {
      references = new SecretStore("secrets", { app: "shop", network: namespace(), secrets: [{ name: "stripe-key", description: "Stripe API key" }] }).references;
    });
    const secret = plan.find(k8s.core.v1.Secret, { metadata: { name: "stripe-key" } });
    // No key `value`: a pod that reads it waits in CreateContainerConfigError until the value is set, then starts.
    expect(secret.inputs.stringData).toBeUndefined();
    expect(secret.inputs.data).toBeUndefined();
    expect(secret.inputs.metadata!.annotations).toEqual({ "polycloud.dev/description": "Stripe API key", "polycloud.dev/value": "missing" });
    plan.resourceCountIs(random.RandomPassword, 0);
    // Services still get the reference: the Secret exists, its key arrives with the value.
    expect(references["stripe-key"]).toEqual({ envName: "STRIPE_KEY", location: { secretName: "stripe-key", key: "value" } });
  });

  it.each([
    ["a value from config", { "stripe-key": "sk_given" }, false, "sk_given"],
    ["generate: true", {}, true, "generated"],
    ["neither", {}, false, undefined],
  ] as const)("gives a secret with %s exactly that value", async (_, values, generate, expected) => {
    const plan = await runProgram(() => {
      new SecretStore("secrets", { app: "shop", network: namespace(), secrets: [{ name: "stripe-key", generate }], values });
    });
    const stored = plan.find(k8s.core.v1.Secret).inputs.stringData?.value;
    const passwords = plan.findAll(random.RandomPassword);
    expect(passwords.length).toBe(expected === "generated" ? 1 : 0);
    expect(stored).toBe(expected === "generated" ? passwords[0]!.outputs.result : expected);
  });

  it("creates ExternalSecrets and stores no value, warning about values given, when an external store is named", async () => {
    const plan = await runProgram(() => {
      new SecretStore("secrets", { app: "shop", network: namespace(), secrets, values: { "stripe-key": "x" }, externalStore: { name: "aws-secrets-manager", remoteKeyPrefix: "shop/prod/" } });
    });
    plan.resourceCountIs(k8s.core.v1.Secret, 0);
    expect(plan.logs).toContainEqual(expect.objectContaining({ severity: "warning", message: "values of stripe-key are ignored: the external store aws-secrets-manager holds the secrets' values" }));
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
    expect(plan.resources(random.RandomPassword).map((p) => p.options.protect)).toEqual([true]);
  });

  it("throws a PolycloudError when a value names no secret", () => {
    expect(() => new SecretStore("secrets", { app: "shop", network: namespace(), secrets, values: { stripe: "x" } })).toThrow(
      /values.stripe: "stripe" is not one of the secrets \(stripe-key, session-key\); add "stripe" to secrets or remove the value/,
    );
  });
});
