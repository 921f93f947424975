/** Customer-managed KMS keys: every component encrypts with one it controls. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, transformed, type Transform } from "@polycloud/core";
import { keyPolicy, type AccountContext, type KeyUser } from "./policies";
import { childOptions, type Scope } from "./scope";

export interface KeyTransforms {
  key?: Transform<aws.kms.KeyArgs>;
  keyAlias?: Transform<aws.kms.AliasArgs>;
}

/**
 * A customer-managed KMS key with yearly rotation and a 30-day deletion window (a deleted key makes
 * everything encrypted with it unreadable), and an alias for people reading the console. `region`
 * creates it in another region than the stack's (a key only encrypts in its own region).
 */
export function createKey(
  scope: Scope,
  suffix: string,
  options: { description: string; account: AccountContext; users?: readonly KeyUser[]; region?: string; transforms?: KeyTransforms },
): aws.kms.Key {
  const name = `${scope.name}-${suffix}`;
  const region = options.region === undefined ? {} : { region: options.region };
  const key = new aws.kms.Key(
    ...transformed(
      name,
      {
        description: options.description,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify(keyPolicy(options.account, options.users)),
        ...region,
        tags: scope.tags,
      },
      childOptions(scope, { stateful: true }),
      options.transforms?.key,
    ),
  );
  new aws.kms.Alias(
    ...transformed(
      `${name}-alias`,
      { name: physicalName("aws", "kmsAlias", { app: scope.app, environment: scope.environment, name: `${scope.kind}-${scope.label}-${suffix}` }), targetKeyId: key.keyId, ...region },
      childOptions(scope),
      options.transforms?.keyAlias,
    ),
  );
  return key;
}
