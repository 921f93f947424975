import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { PolycloudError, secretEnvName, transformed, type Problem, type SecretStoreArgs as CoreSecretStoreArgs, type SecretStoreOutputs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import type { VaultRef } from "./encryption-key";
import { createPrivateEndpoint, type PrivateEndpointPlacement, type PrivateEndpointTransforms } from "./private-endpoint";
import { childOptions, clientContext, physicalNameOf, placed, scopeOf, type Placement, type Scope } from "./scope";

/** Where a secret is on Azure: the Key Vault secret's resource id (for role assignments) and its versionless URI (for references). */
export interface KeyVaultSecretLocation {
  readonly secretId: pulumi.Output<string>;
  /** `https://<vault>.vault.azure.net/secrets/<name>`: a Container App reference follows the latest version. */
  readonly secretUri: pulumi.Output<string>;
}

/** A secret by reference, as services receive it. */
export interface AzureSecretReference {
  readonly envName: string;
  readonly location: KeyVaultSecretLocation;
}

/** A Key Vault secret as a reference. */
export function referenceOf(envName: string, secret: keyvault.Secret): AzureSecretReference {
  return { envName, location: { secretId: secret.id, secretUri: secret.properties.apply((p) => p.secretUri) } };
}

export interface SecretStoreArgs extends CoreSecretStoreArgs, Placement {
  /** Private endpoint subnet and the `privatelink.vaultcore.azure.net` zone. */
  readonly privateEndpoint: PrivateEndpointPlacement;
  /** Log Analytics workspace of the vault's audit events. */
  readonly workspaceId: pulumi.Input<string>;
  /**
   * Values of spec secrets by secret name (the platform reads `polycloud:secrets.<name>`). A secret
   * without one is generated when its spec says `generate: true` (32 letters and digits, once), and
   * otherwise created empty, tagged `polycloud-value: missing`, until a value is given.
   * @default {}
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Key Vault SKU: `premium` keeps the stores' encryption keys in HSMs. @default "premium" in production, "standard" elsewhere */
  readonly sku?: "standard" | "premium";
  /** Days a deleted vault or secret can be recovered (7-90). @default 90 */
  readonly softDeleteRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: PrivateEndpointTransforms &
    DiagnosticsTransforms & {
    vault?: Transform<keyvault.VaultArgs>;
    secret?: Transform<keyvault.SecretArgs>;
    randomPassword?: Transform<random.RandomPasswordArgs>;
  };
}

/** Problems with secret-store args: values must name a declared secret; retention within Key Vault's range. */
export function secretStoreProblems(args: Pick<SecretStoreArgs, "secrets" | "values" | "softDeleteRetentionDays">): Problem[] {
  const declared = new Set(args.secrets.map((s) => s.name));
  const problems: Problem[] = Object.keys(args.values ?? {})
    .filter((name) => !declared.has(name))
    .map((name) => ({ path: `values.${name}`, message: `names no declared secret; declared: ${[...declared].join(", ") || "none"}`, fix: `declare secret ${name}, or remove its value` }));
  const days = args.softDeleteRetentionDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 7 || days > 90)) {
    problems.push({ path: "softDeleteRetentionDays", message: `${days} is not allowed; allowed: a whole number of days from 7 to 90 (Key Vault's range)`, fix: "set softDeleteRetentionDays to 90" });
  }
  return problems;
}

/**
 * A Key Vault for the application's secrets and the stores' encryption keys: RBAC authorization (no
 * access policies), soft delete and purge protection, public network access disabled with a private
 * endpoint (trusted Azure services, such as the stores unwrapping their keys, are let through), audit
 * events to Log Analytics; one secret per spec secret, with a content type, and an expiry when the
 * spec rotates it. Readers are granted per secret by the services ({@link AzureSecretReference}).
 *
 * @example
 * const store = new SecretStore("secrets", { app: "shop", secrets: spec.secrets, resourceGroupName, privateEndpoint, workspaceId });
 */
export class SecretStore extends PolycloudComponent implements SecretStoreOutputs {
  readonly vault: keyvault.Vault;
  readonly vaultRef: VaultRef;
  readonly secrets: Readonly<Record<string, keyvault.Secret>>;
  readonly references: Readonly<Record<string, AzureSecretReference>>;

  constructor(name: string, args: SecretStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "SecretStore", name, args, opts);
    PolycloudError.throwIfAny(secretStoreProblems(args), `SecretStore ${name} cannot be built`);
    const scope = scopeOf(this, name, args);
    const t = args.transform ?? {};
    const client = clientContext(this);
    this.vault = new keyvault.Vault(
      ...transformed(
        name,
        {
          ...placed(scope),
          vaultName: physicalNameOf(scope, "keyVault"),
          properties: {
            tenantId: client.tenantId,
            sku: { family: "A", name: args.sku ?? (scope.environment === "production" ? "premium" : "standard") },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: args.softDeleteRetentionDays ?? 90,
            enablePurgeProtection: true,
            publicNetworkAccess: "Disabled",
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
          },
        },
        childOptions(scope, { stateful: true }),
        t.vault,
      ),
    );
    this.vaultRef = { name: this.vault.name, id: this.vault.id, uri: this.vault.properties.apply((p) => p.vaultUri ?? "") };
    createPrivateEndpoint(scope, name, this.vault.id, "vault", args.privateEndpoint, t);
    sendDiagnostics(scope, name, this.vault.id, args.workspaceId, {}, t.diagnostics);

    this.secrets = Object.fromEntries(args.secrets.map((spec) => [spec.name, this.createSecret(scope, spec, args.values?.[spec.name], t)]));
    this.references = Object.fromEntries(Object.entries(this.secrets).map(([secretName, secret]) => [secretName, referenceOf(secretEnvName(secretName), secret)]));
    this.registerOutputs({ vaultId: this.vault.id });
  }

  private createSecret(scope: Scope, spec: CoreSecretStoreArgs["secrets"][number], given: pulumi.Input<string> | undefined, t: NonNullable<SecretStoreArgs["transform"]>): keyvault.Secret {
    const generated = given === undefined && spec.generate === true;
    const value = given ?? (generated ? new random.RandomPassword(...transformed(`${scope.name}-${spec.name}-generated`, { length: 32, special: false }, childOptions(scope, { stateful: true }), t.randomPassword)).result : undefined);
    // An expiry makes rotation visible (Azure Policy and Defender flag expiring secrets); set once, at creation.
    const expires = spec.rotationDays === undefined ? undefined : Math.floor(Date.now() / 1000) + spec.rotationDays * 86_400;
    return new keyvault.Secret(
      ...transformed(
        `${scope.name}-${spec.name}`,
        {
          resourceGroupName: scope.resourceGroupName,
          vaultName: this.vault.name,
          secretName: spec.name,
          properties: {
            value: value === undefined ? pulumi.secret("") : pulumi.secret(value),
            contentType: "text/plain",
            ...(expires === undefined ? {} : { attributes: { expires } }),
          },
          tags: { ...scope.tags, ...(spec.description === undefined ? {} : { description: spec.description.slice(0, 256) }), "polycloud-value": value === undefined ? "missing" : generated ? "generated" : "given" },
        },
        childOptions(scope, { stateful: true, ...(expires === undefined ? {} : { ignoreChanges: ["properties.attributes.expires"] }) }),
        t.secret,
      ),
    );
  }
}
