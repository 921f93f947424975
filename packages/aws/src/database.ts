import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { INSTANCE_CLASSES, transformed, type DatabaseArgs as CoreDatabaseArgs, type DatabaseOutputs, type DatabaseSpec, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createIsolatedPlacement, finalSnapshotIdentifier, type IsolatedPlacement } from "./isolated-store";
import { createKey, type KeyTransforms } from "./keys";
import { createLogGroup } from "./logs";
import type { NetworkRef } from "./network";
import { createServiceRole, type RoleTransforms } from "./roles";
import { accountContext, childOptions, physicalNameOf, scopeOf } from "./scope";
import { createSecret, type AwsSecretReference, type SecretTransforms } from "./secrets";
import type { RuleTransforms } from "./security-groups";

export const POSTGRES_PORT = 5432;

/** The PostgreSQL logs exported to CloudWatch Logs. */
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export interface DatabaseArgs extends CoreDatabaseArgs<NetworkRef> {
  /**
   * Security groups allowed to connect, by a short stable name (it becomes part of the rule's logical
   * name). More can be added later with `allowFrom`.
   * @default {} - nothing can connect until a client is allowed
   */
  readonly allowedSecurityGroups?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Master user name. @default "app_admin" */
  readonly username?: string;
  /** Storage autoscaling ceiling in GiB. @default twice `storageGb` */
  readonly maxStorageGb?: number;
  /** Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC. @default - chosen by AWS, outside the backup window */
  readonly maintenanceWindow?: string;
  /** Enhanced Monitoring interval in seconds (0 turns it off). @default 60 */
  readonly monitoringIntervalSeconds?: 0 | 1 | 5 | 10 | 15 | 30 | 60;
  /** Retention of the PostgreSQL and upgrade logs, in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    SecretTransforms &
    RuleTransforms & {
      password?: Transform<random.RandomPasswordArgs>;
      subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
      securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
      parameterGroup?: Transform<aws.rds.ParameterGroupArgs>;
      monitoringRole?: RoleTransforms;
      logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
      finalSnapshotSuffix?: Transform<random.RandomIdArgs>;
      instance?: Transform<aws.rds.InstanceArgs>;
    };
}

/**
 * RDS PostgreSQL in the isolated subnets: not publicly accessible, encrypted with a customer KMS key,
 * TLS enforced (`rds.force_ssl`), IAM authentication on, backups with the spec's retention and window,
 * Multi-AZ and deletion protection in production, a final snapshot on delete, Performance Insights and
 * Enhanced Monitoring. Its security group admits nothing until `allowFrom` (or `allowedSecurityGroups`)
 * names a client. The master password is generated, never leaves Pulumi state except as a secret, and
 * is stored with `DATABASE_URL` in a Secrets Manager secret (keys `username`, `password`, `host`,
 * `port`, `dbname`, `engine`: the layout AWS's PostgreSQL rotation functions expect, plus `url`).
 *
 * @example
 * const db = new Database("db", { app: "shop", database: spec.database, network });
 * db.allowFrom("api", api.securityGroup.id);
 */
export class Database extends PolycloudComponent implements DatabaseOutputs {
  readonly instance: aws.rds.Instance;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly key: aws.kms.Key;
  readonly secret: aws.secretsmanager.Secret;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** The generated master password (a Pulumi secret). */
  readonly password: pulumi.Output<string>;
  readonly connectionSecret: AwsSecretReference;
  readonly spec: DatabaseSpec;
  private readonly placement: IsolatedPlacement<aws.rds.SubnetGroup>;

  constructor(name: string, args: DatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Database", name, args, opts);
    const scope = scopeOf(this, "database", name);
    const t = args.transform ?? {};
    const spec = args.database;
    const username = args.username ?? "app_admin";
    this.spec = spec;

    const account = accountContext(this);
    this.key = createKey(scope, "key", { description: `Database ${name} storage, Performance Insights, logs and credentials`, account, users: ["logs"], transforms: t });
    const password = new random.RandomPassword(
      // RDS forbids / @ " and space; these specials are also safe unescaped in a URL.
      ...transformed(`${name}-password`, { length: 32, special: true, overrideSpecial: "-_.~", minLower: 1, minUpper: 1, minNumeric: 1 }, childOptions(scope), t.password),
    );
    this.placement = createIsolatedPlacement(scope, {
      network: args.network,
      engine: "PostgreSQL",
      port: POSTGRES_PORT,
      transforms: t,
      createSubnetGroup: (subnets, subnetArgs, opts) => new aws.rds.SubnetGroup(...transformed(subnets, subnetArgs, opts, t.subnetGroup)),
    });
    this.securityGroup = this.placement.securityGroup;
    const parameterGroup = new aws.rds.ParameterGroup(
      ...transformed(
        `${name}-params`,
        {
          family: `postgres${spec.majorVersion}`,
          description: `PostgreSQL ${spec.majorVersion} for ${name}: TLS only, connections logged`,
          parameters: [
            { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
            { name: "log_connections", value: "1" },
            { name: "log_disconnections", value: "1" },
          ],
          tags: scope.tags,
        },
        childOptions(scope),
        t.parameterGroup,
      ),
    );
    const monitoringInterval = args.monitoringIntervalSeconds ?? 60;
    const monitoringRole =
      monitoringInterval > 0
        ? createServiceRole(scope, "monitoring-role", {
            service: "monitoring.rds.amazonaws.com",
            account,
            managedPolicies: ["service-role/AmazonRDSEnhancedMonitoringRole"],
            ...(t.monitoringRole === undefined ? {} : { transforms: t.monitoringRole }),
          })
        : undefined;

    const identifier = physicalNameOf(scope, "rdsInstance");
    // RDS would create the log groups itself, unencrypted and kept forever; ours exist first.
    const logGroups = LOG_EXPORTS.map((log) =>
      createLogGroup(scope, `${log}-logs`, {
        logGroupName: `/aws/rds/instance/${identifier}/${log}`,
        retentionDays: scope.logRetentionDays,
        kmsKeyArn: this.key.arn,
        ...(t.logGroup === undefined ? {} : { transform: t.logGroup }),
      }),
    );
    this.instance = new aws.rds.Instance(
      ...transformed(
        name,
        {
          identifier,
          engine: "postgres",
          engineVersion: spec.version,
          instanceClass: INSTANCE_CLASSES.rds[spec.size].instanceClass,
          dbName: spec.name,
          username,
          password: password.result,
          port: POSTGRES_PORT,
          allocatedStorage: spec.storageGb,
          maxAllocatedStorage: args.maxStorageGb ?? spec.storageGb * 2,
          storageType: "gp3",
          storageEncrypted: true,
          kmsKeyId: this.key.arn,
          dbSubnetGroupName: this.placement.subnetGroup.name,
          vpcSecurityGroupIds: [this.securityGroup.id],
          parameterGroupName: parameterGroup.name,
          publiclyAccessible: false,
          multiAz: spec.highAvailability,
          deletionProtection: spec.deletionProtection,
          backupRetentionPeriod: spec.backup.retentionDays,
          backupWindow: spec.backup.window,
          ...(args.maintenanceWindow === undefined ? {} : { maintenanceWindow: args.maintenanceWindow }),
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: finalSnapshotIdentifier(scope, identifier, t.finalSnapshotSuffix),
          copyTagsToSnapshot: true,
          deleteAutomatedBackups: false,
          iamDatabaseAuthenticationEnabled: true,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: this.key.arn,
          performanceInsightsRetentionPeriod: 7,
          enabledCloudwatchLogsExports: [...LOG_EXPORTS],
          monitoringInterval,
          ...(monitoringRole === undefined ? {} : { monitoringRoleArn: monitoringRole.arn }),
          autoMinorVersionUpgrade: true,
          // A new major version in the spec is an upgrade RDS performs, not an error.
          allowMajorVersionUpgrade: true,
          caCertIdentifier: "rds-ca-rsa2048-g1",
          tags: scope.tags,
        },
        childOptions(scope, { stateful: true, dependsOn: logGroups }),
        t.instance,
      ),
    );

    this.endpoint = this.instance.address;
    this.port = this.instance.port;
    this.password = password.result;
    const url = pulumi.interpolate`postgres://${username}:${password.result}@${this.instance.address}:${this.instance.port}/${spec.name}?sslmode=require`;
    this.secret = createSecret(scope, "credentials", {
      secretName: `database/${scope.label}/credentials`,
      description: `PostgreSQL ${name}: master credentials and DATABASE_URL`,
      kmsKeyArn: this.key.arn,
      value: pulumi.jsonStringify({
        engine: "postgres",
        host: this.instance.address,
        port: this.instance.port,
        username,
        password: password.result,
        dbname: spec.name,
        url,
      }),
      transforms: t,
    });
    this.connectionSecret = { envName: "DATABASE_URL", location: { secretArn: this.secret.arn, jsonKey: "url", keyArn: this.key.arn } };

    for (const [client, securityGroupId] of Object.entries(args.allowedSecurityGroups ?? {})) this.allowFrom(client, securityGroupId);
    this.registerOutputs({ endpoint: this.endpoint, port: this.port, secretArn: this.secret.arn, securityGroupId: this.securityGroup.id });
  }

  /** Lets one security group connect on the PostgreSQL port (and only that group, only that port). */
  allowFrom(client: string, securityGroupId: pulumi.Input<string>): void {
    this.placement.allowFrom(client, securityGroupId);
  }
}
