import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import {
  PolycloudError,
  secretEnvName,
  transformed,
  type SecretStoreArgs as CoreSecretStoreArgs,
  type SecretStoreOutputs,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { commonOf, dnsLabelProblems } from "./labels";
import type { NamespaceRef } from "./network";
import { secretReference, type KubernetesSecretReference } from "./refs";
import { generatePassword } from "./stateful";

/** The key every secret's value is stored under. */
export const SECRET_VALUE_KEY = "value";

/** Annotation of a Secret created without its value (`missing`): set `polycloud:secrets.<name>` and update. */
export const VALUE_ANNOTATION = "polycloud.dev/value";

/** An external-secrets.io store to pull values from (AWS Secrets Manager, Azure Key Vault, GCP Secret Manager, Vault...). */
export interface ExternalStoreRef {
  /** Name of the SecretStore or ClusterSecretStore, installed by the cluster's platform team. */
  readonly name: string;
  /** @default "ClusterSecretStore" */
  readonly kind?: "SecretStore" | "ClusterSecretStore";
  /** Prepended to each secret's name to form the remote key, e.g. `shop/prod/`. @default "" */
  readonly remoteKeyPrefix?: string;
  /** How often the operator re-reads the remote value (picks up rotations). @default "1h" */
  readonly refreshInterval?: string;
}

export interface SecretStoreArgs extends CoreSecretStoreArgs {
  readonly network: NamespaceRef;
  /**
   * Values by secret name, as Pulumi secrets (the Kubernetes backend passes the stack config
   * `polycloud:secrets.<name>`). A secret without one gets a generated 32-character random value when
   * its spec says `generate: true` (kept in Pulumi state, generated once); otherwise its Secret is
   * created without the key `value`, as on every backend: pods that read it wait in
   * `CreateContainerConfigError` (or, with files, in `ContainerCreating`) until the value is set, and
   * start by themselves then. Ignored (with a warning) when `externalStore` is set.
   * @default {}
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Pull every secret from an external secret manager through the External Secrets Operator
   * (one `ExternalSecret` per secret, which creates the Kubernetes Secret) instead of storing values in Pulumi state.
   * @default - values are stored in Opaque Secrets by Pulumi
   */
  readonly externalStore?: ExternalStoreRef;
  /** Adjust any child's args. @default {} */
  readonly transform?: {
    readonly secret?: Transform<k8s.core.v1.SecretArgs>;
    readonly randomPassword?: Transform<random.RandomPasswordArgs>;
    readonly externalSecret?: Transform<k8s.apiextensions.CustomResourceArgs>;
  };
}

/**
 * The application's secrets as Kubernetes Secrets, one per spec secret with its value under the key
 * `value`: either Opaque Secrets holding values from args, or generated for secrets whose spec says
 * `generate: true` (secret in Pulumi state), or without a value yet (annotated
 * `polycloud.dev/value: missing`); or ExternalSecrets that sync them from a cloud secret manager.
 * Services get references (Secret `<secret>`, key `value`) and read them through `secretKeyRef` or
 * mounted files.
 */
export class SecretStore extends PolycloudComponent implements SecretStoreOutputs {
  readonly references: Readonly<Record<string, KubernetesSecretReference>>;

  constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    const known = new Set(args.secrets.map((s) => s.name));
    PolycloudError.throwIfAny([
      ...args.secrets.flatMap((s, i) => dnsLabelProblems(`secrets[${i}].name`, s.name)),
      ...Object.keys(args.values ?? {})
        .filter((key) => !known.has(key))
        .map((key) => ({
          path: `values.${key}`,
          message: `"${key}" is not one of the secrets (${[...known].join(", ") || "none"})`,
          fix: `add "${key}" to secrets or remove the value`,
        })),
    ]);
    super("kubernetes", "SecretStore", name, args, opts);
    const common = commonOf(this.defaults);
    const t = args.transform ?? {};
    const namespace = args.network.networkId;
    const references: Record<string, KubernetesSecretReference> = {};
    if (args.externalStore !== undefined && Object.keys(args.values ?? {}).length > 0) {
      pulumi.log.warn(`values of ${Object.keys(args.values ?? {}).join(", ")} are ignored: the external store ${args.externalStore.name} holds the secrets' values`, this);
    }

    for (const secret of args.secrets) {
      const child = `${name}-${secret.name}`;
      const metadata = {
        name: secret.name,
        namespace,
        labels: { ...common.labels, "app.kubernetes.io/component": "secret" },
        annotations: {
          ...(secret.description === undefined ? {} : { "polycloud.dev/description": secret.description }),
          ...(secret.rotationDays === undefined ? {} : { "polycloud.dev/rotation-days": String(secret.rotationDays) }),
        },
      };
      if (args.externalStore !== undefined) {
        const store = args.externalStore;
        new k8s.apiextensions.CustomResource(
          ...transformed(
            `${child}-external`,
            {
              // v1: External Secrets Operator 0.17 and later no longer serve v1beta1.
              apiVersion: "external-secrets.io/v1",
              kind: "ExternalSecret",
              metadata,
              spec: {
                refreshInterval: store.refreshInterval ?? "1h",
                secretStoreRef: { name: store.name, kind: store.kind ?? "ClusterSecretStore" },
                target: { name: secret.name, creationPolicy: "Owner" },
                data: [{ secretKey: SECRET_VALUE_KEY, remoteRef: { key: `${store.remoteKeyPrefix ?? ""}${secret.name}` } }],
              },
            },
            this.childOptions(),
            t.externalSecret,
          ),
        );
      } else {
        const given = args.values?.[secret.name];
        // Same logical name as ever: a value generated by an earlier version is kept when the spec says generate: true.
        const value = given ?? (secret.generate === true ? generatePassword(this, `${child}-value`, 32, t.randomPassword) : undefined);
        const missing = { ...metadata, annotations: { ...metadata.annotations, [VALUE_ANNOTATION]: "missing" } };
        new k8s.core.v1.Secret(
          // A replaced generated value would lock the application out of whatever it protects.
          ...transformed(
            child,
            value === undefined ? { metadata: missing, type: "Opaque" } : { metadata, type: "Opaque", stringData: { [SECRET_VALUE_KEY]: pulumi.secret(value) } },
            this.childOptions({ stateful: true }),
            t.secret,
          ),
        );
      }
      references[secret.name] = secretReference(secretEnvName(secret.name), secret.name, SECRET_VALUE_KEY);
    }
    this.references = references;
    this.registerOutputs({ references });
  }
}
