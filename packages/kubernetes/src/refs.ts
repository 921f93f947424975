/**
 * Secret references on Kubernetes: `<secret name>/<key>`, the `ref` of core's SecretReference.
 * Services turn them into `secretKeyRef`s (or projected files), never into plain values.
 */

/** The reference to key `key` of Secret `secretName`. */
export function secretRef(secretName: string, key: string): string {
  return `${secretName}/${key}`;
}

const SECRET_REF = /^([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/;

/** What a reference must look like, for error messages. */
export const SECRET_REF_FORMAT = `"<secret name>/<key>", e.g. "app-db/DATABASE_URL"`;

/** Whether `ref` is `<secret name>/<key>` with a valid Secret name and key. */
export function isSecretRef(ref: string): boolean {
  return SECRET_REF.test(ref);
}

/** Splits `<secret name>/<key>`; throws for anything else, since a wrong reference would start pods that crash. */
export function parseSecretRef(ref: string): { name: string; key: string } {
  const match = SECRET_REF.exec(ref);
  if (match === null) throw new TypeError(`secret reference "${ref}" is not ${SECRET_REF_FORMAT}`);
  return { name: match[1]!, key: match[2]! };
}
