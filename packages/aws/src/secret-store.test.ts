import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PolycloudError } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { SecretStore, type SecretStoreArgs } from "./secret-store";

const secrets = [{ name: "stripe-key", description: "Stripe API key", rotationDays: 30 }, { name: "session-key" }];
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const run = (extra: Partial<SecretStoreArgs> = {}, program?: (store: SecretStore) => void) =>
  runProgram(() => {
    const store = new SecretStore("secrets", { app: "shop", secrets, ...extra });
    program?.(store);
    return { references: store.references };
  }, { provider: "aws" });

describe("SecretStore", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run();
  }, 60_000);

  it("encrypts one secret per spec secret with a rotating customer key when defaults are used", () => {
    const plan = defaults;
    const key = plan.find(aws.kms.Key);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    plan.resourceCountIs(aws.secretsmanager.Secret, 2);
    for (const secret of plan.resources(aws.secretsmanager.Secret)) {
      expect(secret.inputs.kmsKeyId).toBe(key.outputs.arn);
      expect(secret.inputs.recoveryWindowInDays).toBe(7);
    }
    expect(plan.find(aws.secretsmanager.Secret, "secrets-stripe-key").inputs).toMatchObject({ name: "shop-dev/stripe-key", description: "Stripe API key" });
    plan.resourceCountIs(SECRET_VERSION, 0);
    plan.resourceCountIs(ROTATION, 0);
  });

  it("exposes references with the env name, the secret ARN and the key, never a value, when built", () => {
    const plan = defaults;
    const secretArn = plan.find(aws.secretsmanager.Secret, "secrets-stripe-key").outputs.arn;
    expect(plan.outputs.references["stripe-key"]).toEqual({ envName: "STRIPE_KEY", location: { secretArn, keyArn: plan.find(aws.kms.Key).outputs.arn } });
  });

  it("generates a value once for a secret whose spec says generate, protected in production, unless a value is given", async () => {
    const generate = [{ name: "session-key", generate: true }, { name: "stripe-key", generate: true }];
    const plan = await run({ secrets: generate, environment: "production", values: { "stripe-key": pulumi.secret("sk_live") } });
    const password = plan.find(random.RandomPassword);
    expect(password.name).toBe("secrets-session-key-generated");
    expect(password.inputs).toMatchObject({ length: 32, special: false });
    expect(password.options.protect).toBe(true);
    expect(plan.resources(SECRET_VERSION).map((v) => v.inputs.secretString)).toEqual([password.outputs.result, "sk_live"]);
    expect(plan.find(aws.secretsmanager.Secret, "secrets-session-key").inputs.description).toBe("session-key (generated)");
  });

  it("stores a value as a Pulumi secret when values are given", async () => {
    const plan = await run({ values: { "stripe-key": pulumi.secret("sk_test_123") } });
    const version = plan.find(SECRET_VERSION);
    expect(version.secretInputs).toContain("secretString");
    expect(version.inputs.secretId).toBe(plan.find(aws.secretsmanager.Secret, "secrets-stripe-key").id);
  });

  it("schedules rotation every rotationDays when a rotation function is given", async () => {
    const fn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-stripe";
    const plan = await run({ rotationFunctions: { "stripe-key": fn } });
    plan.hasResource(ROTATION, { rotationLambdaArn: fn, rotationRules: { automaticallyAfterDays: 30 } });
    plan.resourceCountIs(ROTATION, 1);
  });

  it("keeps deleted secrets recoverable for 30 days and protects them when the environment is production", async () => {
    const plan = await run({ environment: "production" });
    for (const secret of plan.resources(aws.secretsmanager.Secret)) {
      expect(secret.inputs.recoveryWindowInDays).toBe(30);
      expect(secret.options.protect).toBe(true);
    }
  });

  it("grants a role GetSecretValue on the named secrets and Decrypt via Secrets Manager when grantRead is called", async () => {
    const plan = await run({}, (store) => {
      const role = new aws.iam.Role("app-role", { assumeRolePolicy: "{}" });
      store.grantRead("app", role, ["stripe-key"]);
    });
    expect(plan.parentOf(plan.find(ROLE_POLICY))?.type).toBe("polycloud:aws:SecretStore");
    const policy = JSON.parse(plan.find(ROLE_POLICY).inputs.policy as string);
    expect(policy.Statement).toEqual([
      { Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [plan.find(aws.secretsmanager.Secret, "secrets-stripe-key").outputs.arn] },
      {
        Sid: "DecryptSecrets",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: [plan.find(aws.kms.Key).outputs.arn],
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      },
    ]);
  });

  it.each([
    ["values", { values: { "stripe-kee": "x" } }, /values\.stripe-kee: "stripe-kee" is not a declared secret \(declared: stripe-key, session-key\)/],
    ["rotationFunctions", { rotationFunctions: { nope: "arn" } }, /rotationFunctions\.nope/],
  ])("throws PolycloudError with the path when %s names an unknown secret", async (_, extra, message) => {
    const error = await run(extra).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as Error).message).toMatch(message);
  });
});
