import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { azurePostgresProblems, PolycloudError, transformed, type DatabaseArgs as CoreDatabaseArgs, type DatabaseOutputs, type Size, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { sendDiagnostics, type DiagnosticsTransforms } from "./diagnostics";
import { createEncryptionKey, type EncryptionKeyTransforms, type VaultRef } from "./encryption-key";
import type { Network } from "./network";
import { referenceOf, type AzureSecretReference } from "./secret-store";
import { childOptions, clientContext, physicalNameOf, placed, scopeOf } from "./scope";

/** The storage sizes a flexible server accepts, in GiB. */
export const POSTGRES_STORAGE_SIZES_GB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] as const;

/** Compute per size: burstable only where no standby is needed (burstable servers cannot be zone-redundant). */
const SKUS: Readonly<Record<Size, { readonly tier: string; readonly name: string }>> = {
  small: { tier: "GeneralPurpose", name: "Standard_D2ds_v5" },
  medium: { tier: "GeneralPurpose", name: "Standard_D4ds_v5" },
  large: { tier: "MemoryOptimized", name: "Standard_E8ds_v5" },
};

export interface DatabaseArgs extends CoreDatabaseArgs<Network> {
  /** The vault of the customer-managed key and the `DATABASE_URL` secret. */
  readonly vault: VaultRef;
  /** Log Analytics workspace of the server's logs and metrics. @default - the network's */
  readonly workspaceId?: pulumi.Input<string>;
  /**
   * Geo-redundant backups. Azure needs a second key in the paired region's vault to geo-back-up a
   * server encrypted with a customer key, so with the key created here cross-region copies come from
   * the Backup vault (see BackupVault) instead.
   * @default false
   */
  readonly geoRedundantBackup?: boolean;
  /** Compute SKU. @default - by size: Standard_D2ds_v5, Standard_D4ds_v5, Standard_E8ds_v5 */
  readonly sku?: { readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized"; readonly name: string };
  /**
   * The Microsoft Entra ID administrator of the server (a group of DBAs, say), who can create the roles
   * of Entra users and managed identities.
   * @default - none: Entra ID authentication is on, and an administrator is set later
   */
  readonly entraAdministrator?: { readonly objectId: string; readonly principalName: string; readonly principalType: "user" | "group" | "servicePrincipal" };
  /** Login of the password administrator, whose password is generated into Key Vault. @default "pgadmin" */
  readonly administratorLogin?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: EncryptionKeyTransforms &
    DiagnosticsTransforms & {
    server?: Transform<dbforpostgresql.ServerArgs>;
    database?: Transform<dbforpostgresql.DatabaseArgs>;
    configuration?: Transform<dbforpostgresql.ConfigurationArgs>;
    administrator?: Transform<dbforpostgresql.AdministratorArgs>;
    password?: Transform<random.RandomPasswordArgs>;
    connectionSecret?: Transform<keyvault.SecretArgs>;
  };
}

/** The smallest storage size that holds `gb`. */
export function storageSizeFor(gb: number): number {
  return POSTGRES_STORAGE_SIZES_GB.find((size) => size >= gb) ?? POSTGRES_STORAGE_SIZES_GB[POSTGRES_STORAGE_SIZES_GB.length - 1]!;
}

/**
 * PostgreSQL on Azure Database for PostgreSQL Flexible Server: the spec's major version, injected into
 * the network's delegated database subnet with its private DNS zone (public access disabled, reachable
 * only where the database subnet's NSG lets a client's subnet in), TLS 1.2 or later required, Microsoft
 * Entra ID authentication on (with a generated administrator password for the connection URL), a
 * customer-managed key, zone-redundant high availability when the spec asks, retention from the spec,
 * logs and metrics to Log Analytics; the spec's database; and `DATABASE_URL` as a Key Vault secret.
 * The server and its key are protected in production.
 */
export class Database extends PolycloudComponent implements DatabaseOutputs {
  readonly server: dbforpostgresql.Server;
  /** The server's name (what its metrics are recorded under). */
  readonly serverName: string;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: AzureSecretReference;
  readonly connectionSecretResource: keyvault.Secret;

  constructor(name: string, args: DatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "Database", name, args, opts);
    PolycloudError.throwIfAny(azurePostgresProblems(args.database), `Database ${name} cannot be built on Azure`);
    const net = args.network;
    const scope = scopeOf(this, name, { resourceGroupName: net.resourceGroupName, location: net.location });
    const t = args.transform ?? {};
    const spec = args.database;
    const client = clientContext(this);
    this.serverName = physicalNameOf(scope, "postgresFlexibleServer");
    const encryption = createEncryptionKey(scope, name, args.vault, client, t);
    const login = args.administratorLogin ?? "pgadmin";
    const password = new random.RandomPassword(...transformed(`${name}-password`, { length: 32, special: false }, childOptions(scope, { stateful: true }), t.password)).result;

    this.server = new dbforpostgresql.Server(
      ...transformed(
        name,
        {
          ...placed(scope),
          serverName: this.serverName,
          version: String(spec.majorVersion),
          sku: args.sku ?? SKUS[spec.size],
          storage: { storageSizeGB: storageSizeFor(spec.storageGb), autoGrow: "Enabled" },
          administratorLogin: login,
          administratorLoginPassword: password,
          authConfig: { activeDirectoryAuth: "Enabled", passwordAuth: "Enabled", tenantId: client.tenantId },
          network: { delegatedSubnetResourceId: net.subnetId({ kind: "database" }), privateDnsZoneArmResourceId: net.privateZoneIds.postgres, publicNetworkAccess: "Disabled" },
          highAvailability: { mode: spec.highAvailability ? "ZoneRedundant" : "Disabled" },
          backup: { backupRetentionDays: spec.backup.retentionDays, geoRedundantBackup: args.geoRedundantBackup === true ? "Enabled" : "Disabled" },
          identity: { type: "UserAssigned", userAssignedIdentities: encryption.identity.id.apply((id) => ({ [id]: {} })) },
          dataEncryption: { type: "AzureKeyVault", primaryKeyURI: encryption.key.keyUriWithVersion, primaryUserAssignedIdentityId: encryption.identity.id },
        },
        childOptions(scope, { stateful: true, dependsOn: [encryption.access] }),
        t.server,
      ),
    );
    // A server applies one configuration change at a time.
    let previous: pulumi.Resource = this.server;
    for (const [setting, value] of [
      ["require_secure_transport", "ON"],
      ["ssl_min_protocol_version", "TLSv1.2"],
      ["log_connections", "ON"],
      ["log_disconnections", "ON"],
    ] as const) {
      previous = new dbforpostgresql.Configuration(
        ...transformed(
          `${name}-${setting.replace(/_/g, "-")}`,
          { resourceGroupName: scope.resourceGroupName, serverName: this.server.name, configurationName: setting, value, source: "user-override" },
          childOptions(scope, { dependsOn: [previous] }),
          t.configuration,
        ),
      );
    }
    const database = new dbforpostgresql.Database(
      ...transformed(
        `${name}-${spec.name}`,
        { resourceGroupName: scope.resourceGroupName, serverName: this.server.name, databaseName: spec.name, charset: "UTF8", collation: "en_US.utf8" },
        childOptions(scope, { stateful: true, dependsOn: [previous] }),
        t.database,
      ),
    );
    sendDiagnostics(scope, name, this.server.id, args.workspaceId ?? net.workspaceId, {}, t.diagnostics);
    const admin = args.entraAdministrator;
    if (admin !== undefined) {
      new dbforpostgresql.Administrator(
        ...transformed(
          `${name}-entra-admin`,
          { resourceGroupName: scope.resourceGroupName, serverName: this.server.name, objectId: admin.objectId, principalName: admin.principalName, principalType: admin.principalType, tenantId: client.tenantId },
          childOptions(scope, { dependsOn: [previous] }),
          t.administrator,
        ),
      );
    }

    this.endpoint = this.server.fullyQualifiedDomainName;
    this.port = pulumi.output(5432);
    const url = pulumi.secret(pulumi.interpolate`postgresql://${login}:${password}@${this.endpoint}:5432/${database.name}?sslmode=require`);
    this.connectionSecretResource = new keyvault.Secret(
      ...transformed(
        `${name}-url`,
        { resourceGroupName: scope.resourceGroupName, vaultName: args.vault.name, secretName: `${scope.label}-url`, properties: { value: url, contentType: "text/uri-list" }, tags: scope.tags },
        childOptions(scope, { stateful: true }),
        t.connectionSecret,
      ),
    );
    this.connectionSecret = referenceOf("DATABASE_URL", this.connectionSecretResource);
    this.registerOutputs({ endpoint: this.endpoint, port: this.port });
  }
}
