/**
 * SecretStore: the application's Cloud KMS key ring, a key rotating every 90 days, and one Secret
 * Manager secret per spec secret, replicated in the region and encrypted with that key. Services read a
 * secret by reference (`references[name]`) and only after `allowRead` grants their service account
 * `roles/secretmanager.secretAccessor` on that one secret. A spec secret with `rotationDays` sends
 * rotation reminders to a Pub/Sub topic (Secret Manager notifies; whatever rotates the value subscribes).
 */
import * as kms from "@pulumi/gcp/kms";
import * as pubsub from "@pulumi/gcp/pubsub";
import type * as secretmanager from "@pulumi/gcp/secretmanager";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PolycloudError, secretEnvName, transformed, type Problem, type SecretStoreArgs as CoreSecretStoreArgs, type SecretStoreOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf, serviceAgentMember } from "./common";
import { createKey } from "./keys";
import { createSecret, grantSecretRead, type GcpSecretReference } from "./secrets";

export interface SecretStoreArgs extends CoreSecretStoreArgs {
  /** Region of the key ring and of every secret's only replica. @default stack config gcp:region */
  readonly region?: string;
  /**
   * Values by secret name, as Pulumi secrets. A secret without one is generated when its spec says
   * `generate: true` (32 letters and digits, made once), and otherwise created without a version: add
   * one with `gcloud secrets versions add` before a service that reads it starts.
   * @default {}
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly keyRing?: Transform<kms.KeyRingArgs>;
    readonly key?: Transform<kms.CryptoKeyArgs>;
    readonly secret?: Transform<secretmanager.SecretArgs>;
    readonly version?: Transform<secretmanager.SecretVersionArgs>;
    readonly rotationTopic?: Transform<pubsub.TopicArgs>;
    readonly randomPassword?: Transform<random.RandomPasswordArgs>;
  };
}

/** Values must name a declared secret. */
export function secretStoreProblems(args: SecretStoreArgs): Problem[] {
  const names = args.secrets.map((s) => s.name);
  return Object.keys(args.values ?? {})
    .filter((name) => !names.includes(name))
    .map((name) => ({ path: `values.${name}`, message: `"${name}" is not a declared secret (declared: ${names.join(", ") || "none"})`, fix: `add "${name}" under secrets or fix the name` }));
}

export class SecretStore extends PolycloudComponent implements SecretStoreOutputs {
  /** The application's key ring: every store's keys are created in it. */
  readonly keyRing: kms.KeyRing;
  readonly key: kms.CryptoKey;
  readonly secrets: Readonly<Record<string, secretmanager.Secret>>;
  readonly references: Readonly<Record<string, GcpSecretReference>>;
  /** Topic of rotation reminders, when a secret has rotationDays. */
  readonly rotationTopic?: pubsub.Topic;
  readonly region: string;
  private readonly componentName: string;

  constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "SecretStore", name, args, opts);
    PolycloudError.throwIfAny(secretStoreProblems(args), `Invalid secret store ${name}`);
    this.componentName = name;
    this.region = regionOf(args.region, `SecretStore ${name}`);
    const t = args.transform ?? {};
    const labels = labelsOf(this.defaults);
    const stateful = this.childOptions({ stateful: true });

    this.keyRing = new kms.KeyRing(...transformed(`${name}-ring`, { name: nameOf(this.defaults, "resource"), location: this.region }, stateful, t.keyRing));
    const rotates = args.secrets.some((s) => s.rotationDays !== undefined);
    const { key, grants } = createKey(name, { keyRing: this.keyRing.id, labels, agents: rotates ? ["secretManager", "pubsub"] : ["secretManager"], ...(t.key === undefined ? {} : { transform: { key: t.key } }) }, stateful);
    this.key = key;
    if (rotates) {
      this.rotationTopic = new pubsub.Topic(
        ...transformed(`${name}-rotation`, { name: nameOf(this.defaults, "resource", "secret-rotation"), kmsKeyName: key.id, labels, messageStoragePolicy: { allowedPersistenceRegions: [this.region] } }, { ...this.childOptions(), dependsOn: [...grants] }, t.rotationTopic),
      );
      // Secret Manager publishes the reminders.
      new pubsub.TopicIAMMember(`${name}-rotation-publisher`, { topic: this.rotationTopic.id, role: "roles/pubsub.publisher", member: serviceAgentMember(this, "secretManager") }, { parent: this });
    }
    const secrets: Record<string, secretmanager.Secret> = {};
    const references: Record<string, GcpSecretReference> = {};
    for (const spec of args.secrets) {
      const value = args.values?.[spec.name] ?? (spec.generate === true ? this.generate(`${name}-${spec.name}-generated`, t.randomPassword) : undefined);
      const created = createSecret(
        `${name}-${spec.name}`,
        {
          secretId: nameOf(this.defaults, "secretId", spec.name),
          region: this.region,
          kmsKeyName: key.id,
          labels,
          ...(value === undefined ? {} : { value }),
          ...(spec.rotationDays === undefined || this.rotationTopic === undefined ? {} : { rotation: { topic: this.rotationTopic.id, periodSeconds: spec.rotationDays * 86400 } }),
          dependsOn: [...grants],
          transform: { ...(t.secret === undefined ? {} : { secret: t.secret }), ...(t.version === undefined ? {} : { version: t.version }) },
        },
        stateful,
      );
      secrets[spec.name] = created.secret;
      references[spec.name] = { envName: secretEnvName(spec.name), location: created.location };
    }
    this.secrets = secrets;
    this.references = references;
    this.registerOutputs({ keyRingId: this.keyRing.id, keyId: key.id, secretIds: Object.fromEntries(Object.entries(secrets).map(([n, s]) => [n, s.id])) });
  }

  /** Lets `member` (e.g. `serviceAccount:<email>` of a service) read the named secret, and nothing else. */
  allowRead(secretName: string, who: string, member: pulumi.Input<string>): secretmanager.SecretIamMember {
    const secret = this.secrets[secretName];
    if (secret === undefined) {
      throw new PolycloudError([{ path: "allowRead.secretName", message: `"${secretName}" is not a secret of this store (declared: ${Object.keys(this.secrets).join(", ") || "none"})`, fix: "name a declared secret" }]);
    }
    return grantSecretRead(`${this.componentName}-${secretName}-${who}`, secret.id, member, this);
  }

  /** A value generated once: 32 letters and digits, a Pulumi secret, protected like the secret it fills. */
  private generate(child: string, t: Transform<random.RandomPasswordArgs> | undefined): pulumi.Output<string> {
    return new random.RandomPassword(...transformed(child, { length: 32, special: false }, this.childOptions({ stateful: true }), t)).result;
  }

}
