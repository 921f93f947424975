/**
 * Secret references on Kubernetes: `<secret name>/<key>`, the `ref` of core's SecretReference.
 * Services turn them into `secretKeyRef`s (or projected files), never into plain values.
 */

/** The reference to key `key` of Secret `secretName`. */
export function secretRef(secretName: string, key: string): string {
  return `${secretName}/${key}`;
}

/** Splits `<secret name>/<key>`; throws for anything else, since a wrong reference would start pods that crash. */
export function parseSecretRef(ref: string): { name: string; key: string } {
  const match = /^([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/.exec(ref);
  if (match === null) throw new TypeError(`secret reference "${ref}" is not "<secret name>/<key>", e.g. "app-db/DATABASE_URL"`);
  return { name: match[1]!, key: match[2]! };
}
