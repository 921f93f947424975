/**
 * Database: Cloud SQL for PostgreSQL on a private IP only (private service access, no public address),
 * SSL required, encrypted with a customer-managed key, automated backups with point-in-time recovery
 * (the spec's retention and window), REGIONAL availability when highly available, deletion protection
 * (Cloud SQL's and Pulumi's) in production, the CIS connection and statement logging flags, and the
 * application's user with a generated password whose DATABASE_URL is a Secret Manager secret.
 */
import type * as kms from "@pulumi/gcp/kms";
import type * as secretmanager from "@pulumi/gcp/secretmanager";
import * as sql from "@pulumi/gcp/sql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { secretEnvName, transformed, type DatabaseArgs as CoreDatabaseArgs, type DatabaseOutputs, type Size, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { labelsOf, nameOf, regionOf } from "./common";
import { createKey } from "./keys";
import type { Network } from "./network";
import { createSecret, type GcpSecretReference } from "./secrets";
import { StoreFirewall } from "./store-access";

/** Cloud SQL Enterprise edition machine per spec size: dedicated cores (shared-core tiers have no SLA). */
export const DATABASE_TIERS: Readonly<Record<Size, string>> = { small: "db-custom-1-3840", medium: "db-custom-2-7680", large: "db-custom-4-15360" };

export const POSTGRES_PORT = 5432;

/**
 * Flags of the CIS Google Cloud benchmark (Cloud SQL for PostgreSQL): connections, disconnections, lock
 * waits and temporary files logged, errors with their statement, no statement text by duration, and
 * pgAudit available.
 */
export const DATABASE_FLAGS: Readonly<Record<string, string>> = {
  log_connections: "on",
  log_disconnections: "on",
  log_checkpoints: "on",
  log_lock_waits: "on",
  log_temp_files: "0",
  log_min_messages: "warning",
  log_min_error_statement: "error",
  log_min_duration_statement: "-1",
  "cloudsql.enable_pgaudit": "on",
};

export interface DatabaseArgs extends CoreDatabaseArgs<Network> {
  /** Key ring of the database's key. */
  readonly keyRing: pulumi.Input<string>;
  /** Region of the instance. @default the network's region */
  readonly region?: string;
  /** Name of the application's database user. @default "app" */
  readonly username?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly instance?: Transform<sql.DatabaseInstanceArgs>;
    readonly database?: Transform<sql.DatabaseArgs>;
    readonly user?: Transform<sql.UserArgs>;
    readonly password?: Transform<random.RandomPasswordArgs>;
    readonly key?: Transform<kms.CryptoKeyArgs>;
    readonly secret?: Transform<secretmanager.SecretArgs>;
  };
}

export class Database extends PolycloudComponent implements DatabaseOutputs {
  readonly instance: sql.DatabaseInstance;
  readonly database: sql.Database;
  readonly user: sql.User;
  readonly key: kms.CryptoKey;
  /** The instance's name, known at plan time (monitoring filters name it). */
  readonly instanceName: string;
  /** The secret holding DATABASE_URL. */
  readonly urlSecret: secretmanager.Secret;
  readonly firewall: StoreFirewall;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: GcpSecretReference;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "Database", name, args, opts);
    const spec = args.database;
    const region = regionOf(args.region ?? args.network.region, `Database ${name}`);
    const range = args.network.rangeOf("database");
    const t = args.transform ?? {};
    const labels = labelsOf(this.defaults);
    const stateful = this.childOptions({ stateful: true });
    const { key, grants } = createKey(name, { keyRing: args.keyRing, labels, agents: ["sql", "secretManager"], ...(t.key === undefined ? {} : { transform: { key: t.key } }) }, stateful);
    this.key = key;
    this.instanceName = nameOf(this.defaults, "cloudSqlInstance");
    const [startTime] = spec.backup.window.split("-") as [string];

    this.instance = new sql.DatabaseInstance(
      ...transformed(
        `${name}-instance`,
        {
          name: this.instanceName,
          databaseVersion: `POSTGRES_${spec.majorVersion}`,
          region,
          encryptionKeyName: key.id,
          deletionProtection: spec.deletionProtection,
          settings: {
            tier: DATABASE_TIERS[spec.size],
            edition: "ENTERPRISE",
            availabilityType: spec.highAvailability ? "REGIONAL" : "ZONAL",
            diskType: "PD_SSD",
            diskSize: spec.storageGb,
            diskAutoresize: true,
            deletionProtectionEnabled: spec.deletionProtection,
            ipConfiguration: { ipv4Enabled: false, privateNetwork: args.network.networkId, allocatedIpRange: range.address.name, sslMode: "ENCRYPTED_ONLY" },
            backupConfiguration: {
              enabled: true,
              startTime,
              pointInTimeRecoveryEnabled: true,
              transactionLogRetentionDays: Math.min(7, spec.backup.retentionDays),
              backupRetentionSettings: { retainedBackups: spec.backup.retentionDays, retentionUnit: "COUNT" },
            },
            maintenanceWindow: { day: 7, hour: (Number(startTime.slice(0, 2)) + 1) % 24, updateTrack: "stable" },
            databaseFlags: Object.entries(DATABASE_FLAGS).map(([flag, value]) => ({ name: flag, value })),
            insightsConfig: { queryInsightsEnabled: true, recordClientAddress: false, recordApplicationTags: false },
            userLabels: labels,
          },
        },
        { ...stateful, dependsOn: [...grants, ...(args.network.privateServiceConnection === undefined ? [] : [args.network.privateServiceConnection])] },
        t.instance,
      ),
    );
    this.database = new sql.Database(...transformed(`${name}-db`, { name: spec.name, instance: this.instance.name }, stateful, t.database));
    const password = new random.RandomPassword(...transformed(`${name}-password`, { length: 32, special: false }, stateful, t.password)).result;
    const username = args.username ?? "app";
    this.user = new sql.User(...transformed(`${name}-user`, { name: username, instance: this.instance.name, password }, this.childOptions(), t.user));
    this.endpoint = this.instance.privateIpAddress;
    this.port = pulumi.output(POSTGRES_PORT);
    const url = pulumi.secret(pulumi.interpolate`postgresql://${username}:${password}@${this.endpoint}:${POSTGRES_PORT}/${this.database.name}?sslmode=require`);
    const secret = createSecret(
      `${name}-url`,
      { secretId: nameOf(this.defaults, "secretId", "database-url"), region, kmsKeyName: key.id, labels, value: url, dependsOn: [...grants, this.user], ...(t.secret === undefined ? {} : { transform: { secret: t.secret } }) },
      stateful,
    );
    this.urlSecret = secret.secret;
    this.connectionSecret = { envName: secretEnvName("DATABASE_URL"), location: secret.location };
    this.firewall = new StoreFirewall(name, { networkId: args.network.networkId, range, port: POSTGRES_PORT, ruleName: nameOf(this.defaults, "resource", "database") }, this);
    this.registerOutputs({ endpoint: this.endpoint, instanceName: this.instance.name, connectionName: this.instance.connectionName });
  }

  /** Lets a client service (its network tag) connect through the firewall; its access to DATABASE_URL comes with its secret reference. */
  allowFrom(client: string, tag: pulumi.Input<string>): void {
    this.firewall.allowFrom(client, tag);
  }

}
