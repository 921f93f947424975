import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  PolycloudError,
  secretEnvName,
  transformed,
  type Problem,
  type SecretStoreArgs as CoreSecretStoreArgs,
  type SecretStoreOutputs,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createKey, type KeyTransforms } from "./keys";
import { policy, readSecretsStatements } from "./policies";
import { accountContext, childOptions, scopeOf, type Scope } from "./scope";
import { createSecret, type AwsSecretReference, type SecretTransforms } from "./secrets";

export type { AwsSecretLocation, AwsSecretReference } from "./secrets";

export interface SecretStoreArgs extends CoreSecretStoreArgs {
  /**
   * Values to store, by secret name (mark them with `pulumi.secret` or read them with
   * `config.requireSecret`). A secret without a value gets a generated one when its spec says
   * `generate: true` (32 random letters and digits, made once and kept as a Pulumi secret), and is
   * otherwise created empty: set it out of band with `aws secretsmanager put-secret-value` before a
   * service that reads it starts. The same order as core's model (`SecretValueSource`): a given value,
   * else generated, else missing.
   * @default {}
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Rotation Lambda ARNs, by secret name. Each named secret rotates every `rotationDays` of its spec
   * (30 when unset). Secrets Manager cannot rotate an arbitrary API key by itself: the function holds
   * the logic (e.g. calling the vendor's key API).
   * @default {}
   */
  readonly rotationFunctions?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    SecretTransforms & {
      rotation?: Transform<aws.secretsmanager.SecretRotationArgs>;
      randomPassword?: Transform<random.RandomPasswordArgs>;
      readPolicy?: Transform<aws.iam.RolePolicyArgs>;
    };
}

/** Problems with secret-store args: values and rotation functions must name a declared secret. */
export function secretStoreProblems(args: SecretStoreArgs): Problem[] {
  const names = new Set(args.secrets.map((s) => s.name));
  const known = [...names].join(", ") || "none defined";
  const unknown = (field: string, record: Readonly<Record<string, unknown>> | undefined): Problem[] =>
    Object.keys(record ?? {})
      .filter((name) => !names.has(name))
      .map((name) => ({ path: `${field}.${name}`, message: `"${name}" is not a declared secret (declared: ${known})`, fix: `add "${name}" under secrets or fix the name` }));
  return [...unknown("values", args.values), ...unknown("rotationFunctions", args.rotationFunctions)];
}

/**
 * A customer KMS key with yearly rotation and one Secrets Manager secret per spec secret, encrypted
 * with it; a rotation schedule where a rotation function is given. Services read a secret through its
 * reference (`references[name]`): the execution role of a WebService is granted exactly the secrets it
 * references, and `grantRead` grants any other role.
 *
 * @example
 * const store = new SecretStore("secrets", { app: "shop", secrets: spec.secrets, values: { "stripe-key": config.requireSecret("stripe-key") } });
 */
export class SecretStore extends PolycloudComponent implements SecretStoreOutputs {
  readonly key: aws.kms.Key;
  readonly secrets: Readonly<Record<string, aws.secretsmanager.Secret>>;
  readonly references: Readonly<Record<string, AwsSecretReference>>;
  private readonly scope: Scope;
  private readonly readPolicyTransform: Transform<aws.iam.RolePolicyArgs> | undefined;

  constructor(name: string, args: SecretStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "SecretStore", name, args, opts);
    PolycloudError.throwIfAny(secretStoreProblems(args), `Invalid secret store ${name}`);
    const scope = scopeOf(this, "secrets", name);
    const t = args.transform ?? {};
    this.scope = scope;
    this.readPolicyTransform = t.readPolicy;

    this.key = createKey(scope, "key", { description: `Secrets of ${scope.app} (${scope.environment})`, account: accountContext(this), transforms: t });
    const secrets: Record<string, aws.secretsmanager.Secret> = {};
    const references: Record<string, AwsSecretReference> = {};
    for (const spec of args.secrets) {
      const value = args.values?.[spec.name] ?? (spec.generate === true ? this.generate(scope, `${name}-${spec.name}-generated`, t.randomPassword) : undefined);
      const secret = createSecret(scope, spec.name, {
        secretName: spec.name,
        description: spec.description ?? (args.values?.[spec.name] === undefined && spec.generate === true ? `${spec.name} (generated)` : `${spec.name} (set with aws secretsmanager put-secret-value)`),
        kmsKeyArn: this.key.arn,
        ...(value === undefined ? {} : { value }),
        transforms: t,
      });
      const rotationFunction = args.rotationFunctions?.[spec.name];
      if (rotationFunction !== undefined) {
        const rotationName = `${name}-${spec.name}-rotation`;
        new aws.secretsmanager.SecretRotation(
          ...transformed(
            rotationName,
            { secretId: secret.id, rotationLambdaArn: rotationFunction, rotationRules: { automaticallyAfterDays: spec.rotationDays ?? 30 } },
            childOptions(scope),
            t.rotation,
          ),
        );
      }
      secrets[spec.name] = secret;
      references[spec.name] = { envName: secretEnvName(spec.name), location: { secretArn: secret.arn, keyArn: this.key.arn } };
    }
    this.secrets = secrets;
    this.references = references;
    this.registerOutputs({ keyArn: this.key.arn, secretArns: Object.fromEntries(Object.entries(secrets).map(([n, s]) => [n, s.arn])) });
  }

  /**
   * A value generated once: 32 letters and digits (about 190 bits; safe in URLs, headers and shells, as on
   * every backend), a Pulumi secret, protected like the secret it fills (a new value locks out whatever
   * the old one opened).
   */
  private generate(scope: Scope, child: string, t: Transform<random.RandomPasswordArgs> | undefined): pulumi.Output<string> {
    return new random.RandomPassword(...transformed(child, { length: 32, special: false }, childOptions(scope, { stateful: true }), t)).result;
  }

  /**
   * Lets `role` read the named secrets (and decrypt them, only through Secrets Manager), e.g. a task
   * role whose application fetches a secret at run time. Creates an inline policy on the role.
   */
  grantRead(suffix: string, role: aws.iam.Role, names: readonly string[]): aws.iam.RolePolicy {
    const arns = names.map((n) => {
      const secret = this.secrets[n];
      if (secret === undefined) {
        throw new PolycloudError([{ path: `grantRead.names`, message: `"${n}" is not a secret of this store (declared: ${Object.keys(this.secrets).join(", ") || "none"})`, fix: "name a declared secret" }]);
      }
      return secret.arn;
    });
    const name = `${this.scope.name}-${suffix}-read`;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    return new aws.iam.RolePolicy(
      ...transformed(
        name,
        {
          role: role.id,
          policy: pulumi.jsonStringify(policy(...readSecretsStatements(arns, [this.key.arn], region))),
        },
        childOptions(this.scope),
        this.readPolicyTransform,
      ),
    );
  }
}
