/**
 * Secret references on Kubernetes: core's `SecretReference` whose location is a key of a Secret in the
 * application's namespace, typed, so nothing parses strings. Services turn them into `secretKeyRef`s
 * (or projected files), never into plain values.
 */
import { checkName, type Problem, type SecretReference } from "@polycloud/core";

/** Where a secret value lives on Kubernetes: key `key` of Secret `secretName`, in the namespace of the service that reads it. */
export interface SecretKeyLocation {
  readonly secretName: string;
  readonly key: string;
}

/** A secret a service sees as the environment variable `envName`, read from a key of a Secret. */
export type KubernetesSecretReference = SecretReference<SecretKeyLocation>;

/** The reference to key `key` of Secret `secretName`, seen as `envName`. */
export function secretReference(envName: string, secretName: string, key: string): KubernetesSecretReference {
  return { envName, location: { secretName, key } };
}

/** What a Secret's data key may be (Kubernetes' rule). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Problems with a reference's location, under `path`: a Secret name that is not a DNS-1123 subdomain,
 * or a key Kubernetes would refuse. A wrong reference starts pods that crash, so it fails up front.
 */
export function secretLocationProblems(path: string, location: SecretKeyLocation): Problem[] {
  const problems: Problem[] = [];
  const nameProblem = checkName("kubernetes", "dns1123Subdomain", location.secretName);
  if (nameProblem !== undefined) {
    problems.push({ path: `${path}.secretName`, message: nameProblem, fix: "pass the reference of a SecretStore, Database, Cache or Bucket" });
  }
  if (location.key.length > 253 || !SECRET_KEY.test(location.key)) {
    problems.push({
      path: `${path}.key`,
      message: `"${location.key}" is not a Secret key; allowed: letters, digits, "-", "_" and "."`,
      fix: "pass the key the Secret stores the value under, e.g. value or DATABASE_URL",
    });
  }
  return problems;
}
