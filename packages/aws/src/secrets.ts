/** Secrets Manager secrets, and how services refer to them: by ARN, never by value. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, transformed, type SecretReference, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";

/** Where a secret lives in Secrets Manager, typed, so nothing parses ARNs. */
export interface AwsSecretLocation {
  /** ARN of the Secrets Manager secret (without any `:json-key::` suffix): what IAM grants name. */
  readonly secretArn: pulumi.Input<string>;
  /** A key of the secret's JSON value to inject instead of the whole value (`url` of a store's credentials). @default - the whole value */
  readonly jsonKey?: string;
  /** KMS key encrypting the secret; whoever reads the secret needs `kms:Decrypt` on it. @default - the `aws/secretsmanager` key */
  readonly keyArn?: pulumi.Input<string>;
}

/** A secret injected into a service by reference: its environment variable and where it lives. */
export type AwsSecretReference = SecretReference<AwsSecretLocation>;

/** ECS `valueFrom` of a reference: the secret's ARN, with `:<json-key>::` when one key of its JSON is injected. */
export function valueFromOf(location: AwsSecretLocation): pulumi.Output<string> {
  return location.jsonKey === undefined ? pulumi.output(location.secretArn) : pulumi.interpolate`${location.secretArn}:${location.jsonKey}::`;
}

export interface SecretTransforms {
  secret?: Transform<aws.secretsmanager.SecretArgs>;
  secretVersion?: Transform<aws.secretsmanager.SecretVersionArgs>;
}

/**
 * A Secrets Manager secret encrypted with a customer key, named `<app>-<env>/<secretName>`, and its value
 * when one is given (always stored as a Pulumi secret). Deleted secrets stay recoverable for 30 days in
 * production and 7 elsewhere (the shortest, so a development stack can be recreated soon).
 */
export function createSecret(
  scope: Scope,
  suffix: string,
  options: {
    secretName: string;
    description: string;
    kmsKeyArn: pulumi.Input<string>;
    value?: pulumi.Input<string>;
    transforms?: SecretTransforms;
  },
): aws.secretsmanager.Secret {
  const name = `${scope.name}-${suffix}`;
  const secret = new aws.secretsmanager.Secret(
    ...transformed(
      name,
      {
        name: physicalName("aws", "secret", { app: scope.app, environment: scope.environment }) + `/${options.secretName}`,
        description: options.description,
        kmsKeyId: options.kmsKeyArn,
        recoveryWindowInDays: scope.environment === "production" ? 30 : 7,
        tags: scope.tags,
      },
      childOptions(scope, { stateful: true }),
      options.transforms?.secret,
    ),
  );
  if (options.value !== undefined) {
    new aws.secretsmanager.SecretVersion(
      ...transformed(`${name}-value`, { secretId: secret.id, secretString: pulumi.secret(options.value) }, childOptions(scope), options.transforms?.secretVersion),
    );
  }
  return secret;
}
