/**
 * Customer-managed keys: a Cloud KMS key per store, rotating within 90 days, usable only by the service
 * agent of the API that encrypts with it. Losing a key loses the data, so keys are stateful children.
 */
import * as kms from "@pulumi/gcp/kms";
import * as projects from "@pulumi/gcp/projects";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { serviceAgentMember, type ServiceAgent } from "./common";

/** Key rotation: 90 days, the longest CIS Google Cloud benchmark 1.10 allows. */
export const KEY_ROTATION_PERIOD = "7776000s";

/** APIs whose service agent exists only once asked for (ServiceIdentity); the others exist with the API. */
const IDENTITY_SERVICES: Partial<Record<ServiceAgent, string>> = { sql: "sqladmin.googleapis.com", secretManager: "secretmanager.googleapis.com", pubsub: "pubsub.googleapis.com" };

export interface KeyArgs {
  readonly keyRing: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  /** Who encrypts with the key: the service agents of the APIs whose data it protects. */
  readonly agents: readonly ServiceAgent[];
  readonly transform?: { readonly key?: Transform<kms.CryptoKeyArgs> };
}

export interface Key {
  readonly key: kms.CryptoKey;
  /** The key's IAM grants to the agents: resources encrypted with the key must wait for them. */
  readonly grants: readonly kms.CryptoKeyIAMMember[];
}

/**
 * A key of `parent` named `<name>-key`, its use granted to `agents`.
 * @param opts the parent's child options for a stateful child (protected when the parent protects).
 */
export function createKey(name: string, args: KeyArgs, opts: pulumi.CustomResourceOptions): Key {
  const parent = opts.parent!;
  const key = new kms.CryptoKey(
    ...transformed(`${name}-key`, { keyRing: args.keyRing, purpose: "ENCRYPT_DECRYPT", rotationPeriod: KEY_ROTATION_PERIOD, labels: args.labels }, opts, args.transform?.key),
  );
  const grants = args.agents.map((agent) => {
    const service = IDENTITY_SERVICES[agent];
    const identity = service === undefined ? undefined : new projects.ServiceIdentity(`${name}-${agent}-agent`, { service }, { parent });
    return new kms.CryptoKeyIAMMember(
      `${name}-key-${agent}`,
      { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: serviceAgentMember(parent, agent) },
      { parent, ...(identity === undefined ? {} : { dependsOn: [identity] }) },
    );
  });
  return { key, grants };
}
