/**
 * Secret Manager secrets as every component creates them: replicated only in the application's region,
 * encrypted there with a customer-managed key, read by exactly the service accounts granted.
 */
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type SecretReference, type Transform } from "@polycloud/core";

/** Where a secret lives, as a Cloud Run secret reference needs it. */
export interface SecretLocation {
  /** The secret's id (`projects/<p>/secrets/<id>`), what `secretKeyRef.secret` takes. */
  readonly secret: pulumi.Output<string>;
  /** The version a service reads. */
  readonly version: string;
}

/** A secret a service sees as an environment variable, by reference to Secret Manager. */
export type GcpSecretReference = SecretReference<SecretLocation>;

export interface SecretArgs {
  readonly secretId: string;
  readonly region: string;
  /** The customer-managed key (its id) that encrypts the replica. */
  readonly kmsKeyName: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  /** The value, as a Pulumi secret; none creates the secret without a version. */
  readonly value?: pulumi.Input<string>;
  /** Rotation reminders to this Pub/Sub topic (its id) every this many seconds. */
  readonly rotation?: { readonly topic: pulumi.Input<string>; readonly periodSeconds: number };
  /** Resources the secret waits for (the key's grant to Secret Manager's agent). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly transform?: { readonly secret?: Transform<secretmanager.SecretArgs>; readonly version?: Transform<secretmanager.SecretVersionArgs> };
}

export interface CreatedSecret {
  readonly secret: secretmanager.Secret;
  readonly version?: secretmanager.SecretVersion;
  readonly location: SecretLocation;
}

/** Rotation's first reminder: a fixed date, so plans are stable; Secret Manager moves it forward by the period. */
const FIRST_ROTATION = "2030-01-01T00:00:00Z";

export function createSecret(name: string, args: SecretArgs, opts: pulumi.CustomResourceOptions): CreatedSecret {
  const secret = new secretmanager.Secret(
    ...transformed(
      name,
      {
        secretId: args.secretId,
        labels: args.labels,
        replication: { userManaged: { replicas: [{ location: args.region, customerManagedEncryption: { kmsKeyName: args.kmsKeyName } }] } },
        ...(args.rotation === undefined
          ? {}
          : { topics: [{ name: args.rotation.topic }], rotation: { rotationPeriod: `${args.rotation.periodSeconds}s`, nextRotationTime: FIRST_ROTATION } }),
      },
      { ...opts, ...(args.dependsOn === undefined ? {} : { dependsOn: args.dependsOn }), ...(args.rotation === undefined ? {} : { ignoreChanges: ["rotation.nextRotationTime"] }) },
      args.transform?.secret,
    ),
  );
  const version =
    args.value === undefined
      ? undefined
      : new secretmanager.SecretVersion(...transformed(`${name}-version`, { secret: secret.id, secretData: pulumi.secret(args.value) }, { ...opts, parent: opts.parent! }, args.transform?.version));
  return { secret, ...(version === undefined ? {} : { version }), location: { secret: secret.id, version: "latest" } };
}

/** Lets `member` read the secret's value (`roles/secretmanager.secretAccessor` on this secret only). */
export function grantSecretRead(name: string, secretId: pulumi.Input<string>, member: pulumi.Input<string>, parent: pulumi.Resource): secretmanager.SecretIamMember {
  return new secretmanager.SecretIamMember(name, { secretId, role: "roles/secretmanager.secretAccessor", member }, { parent });
}
