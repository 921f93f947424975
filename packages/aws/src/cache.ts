import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  INSTANCE_CLASSES,
  PolycloudError,
  REDIS_MAJOR_VERSIONS,
  redisEngineVersion,
  transformed,
  type CacheArgs as CoreCacheArgs,
  type CacheOutputs,
  type CacheSpec,
  type Problem,
  type Transform,
} from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createIsolatedPlacement, finalSnapshotIdentifier, type IsolatedPlacement } from "./isolated-store";
import { createKey, type KeyTransforms } from "./keys";
import { createLogGroup } from "./logs";
import type { NetworkRef } from "./network";
import { accountContext, childOptions, logGroupNameOf, physicalNameOf, scopeOf } from "./scope";
import { createSecret, type AwsSecretReference, type SecretTransforms } from "./secrets";
import type { RuleTransforms } from "./security-groups";

export const REDIS_PORT = 6379;

export interface CacheArgs extends CoreCacheArgs<NetworkRef> {
  /**
   * Security groups allowed to connect, by a short stable name. More can be added with `allowFrom`.
   * @default {} - nothing can connect until a client is allowed
   */
  readonly allowedSecurityGroups?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Days of daily snapshots kept (0 turns snapshots off). @default the preset's backup retention, at most 35 */
  readonly snapshotRetentionDays?: number;
  /** Slow-log and engine-log retention in days. @default the preset's log retention */
  readonly logRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms &
    SecretTransforms &
    RuleTransforms & {
      authToken?: Transform<random.RandomPasswordArgs>;
      subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
      securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
      logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
      replicationGroup?: Transform<aws.elasticache.ReplicationGroupArgs>;
      finalSnapshotSuffix?: Transform<random.RandomIdArgs>;
    };
}

/** Problems with a cache spec on AWS, before anything is created. */
export function cacheProblems(cache: CacheSpec): Problem[] {
  if (redisEngineVersion(cache.version) !== undefined) return [];
  return [
    {
      path: "cache.version",
      message: `"${cache.version}" has no ElastiCache Redis OSS release; allowed: ${REDIS_MAJOR_VERSIONS.join(", ")}`,
      fix: 'set version to "7"',
    },
  ];
}

/**
 * ElastiCache Redis (a replication group) in the isolated subnets: encrypted at rest with a customer
 * KMS key and in transit (TLS required), AUTH token generated and kept in Secrets Manager with
 * `REDIS_URL`, a replica with automatic failover across zones in production, daily snapshots, slow
 * and engine logs to an encrypted log group. The security group admits only clients named with
 * `allowFrom` or `allowedSecurityGroups`.
 *
 * @example
 * const cache = new Cache("cache", { app: "shop", cache: spec.cache, network });
 * cache.allowFrom("api", api.securityGroup.id);
 */
export class Cache extends PolycloudComponent implements CacheOutputs {
  readonly replicationGroup: aws.elasticache.ReplicationGroup;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly key: aws.kms.Key;
  readonly secret: aws.secretsmanager.Secret;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly connectionSecret: AwsSecretReference;
  /** The generated AUTH token (a Pulumi secret). */
  readonly authToken: pulumi.Output<string>;
  /** Member cluster ids (`<group>-001`, ...), the dimension of ElastiCache node metrics. */
  readonly nodeIds: readonly string[];
  private readonly placement: IsolatedPlacement<aws.elasticache.SubnetGroup>;

  constructor(name: string, args: CacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "Cache", name, args, opts);
    PolycloudError.throwIfAny(cacheProblems(args.cache), `Invalid cache ${name}`);
    const scope = scopeOf(this, "cache", name);
    const t = args.transform ?? {};
    const spec = args.cache;

    this.key = createKey(scope, "key", { description: `Cache ${name} data, logs and AUTH token`, account: accountContext(this), users: ["logs"], transforms: t });
    const authToken = new random.RandomPassword(
      // ElastiCache accepts 16-128 printable characters but not every symbol; alphanumerics are always safe in a URL.
      ...transformed(`${name}-auth-token`, { length: 64, special: false }, childOptions(scope), t.authToken),
    );
    this.placement = createIsolatedPlacement(scope, {
      network: args.network,
      engine: "Redis",
      port: REDIS_PORT,
      transforms: t,
      createSubnetGroup: (subnets, subnetArgs, opts) => new aws.elasticache.SubnetGroup(...transformed(subnets, subnetArgs, opts, t.subnetGroup)),
    });
    this.securityGroup = this.placement.securityGroup;
    const logGroup = createLogGroup(scope, "logs", {
      logGroupName: logGroupNameOf(scope, "redis"),
      retentionDays: scope.logRetentionDays,
      kmsKeyArn: this.key.arn,
      ...(t.logGroup === undefined ? {} : { transform: t.logGroup }),
    });

    const groupId = physicalNameOf(scope, "elasticacheReplicationGroup");
    const nodes = spec.highAvailability ? 2 : 1;
    this.replicationGroup = new aws.elasticache.ReplicationGroup(
      ...transformed(
        name,
        {
          replicationGroupId: groupId,
          description: `Redis for ${scope.app} (${scope.environment})`,
          engine: "redis",
          engineVersion: redisEngineVersion(spec.version)!,
          nodeType: INSTANCE_CLASSES.elasticache[spec.size].instanceClass,
          port: REDIS_PORT,
          numCacheClusters: nodes,
          automaticFailoverEnabled: spec.highAvailability,
          multiAzEnabled: spec.highAvailability,
          subnetGroupName: this.placement.subnetGroup.name,
          securityGroupIds: [this.securityGroup.id],
          atRestEncryptionEnabled: true,
          kmsKeyId: this.key.arn,
          transitEncryptionEnabled: true,
          transitEncryptionMode: "required",
          authToken: authToken.result,
          snapshotRetentionLimit: Math.min(args.snapshotRetentionDays ?? this.defaults.preset.backupRetentionDays, 35),
          finalSnapshotIdentifier: finalSnapshotIdentifier(scope, groupId, t.finalSnapshotSuffix),
          autoMinorVersionUpgrade: true,
          logDeliveryConfigurations: (["slow-log", "engine-log"] as const).map((logType) => ({
            destination: logGroup.name,
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType,
          })),
          tags: scope.tags,
        },
        childOptions(scope, { stateful: true }),
        t.replicationGroup,
      ),
    );
    this.nodeIds = Array.from({ length: nodes }, (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`);

    this.endpoint = this.replicationGroup.primaryEndpointAddress;
    this.port = pulumi.output(REDIS_PORT);
    this.authToken = authToken.result;
    const url = pulumi.interpolate`rediss://:${authToken.result}@${this.endpoint}:${REDIS_PORT}`;
    this.secret = createSecret(scope, "credentials", {
      secretName: `cache/${scope.label}/credentials`,
      description: `Redis ${name}: AUTH token and REDIS_URL`,
      kmsKeyArn: this.key.arn,
      value: pulumi.jsonStringify({ host: this.endpoint, port: REDIS_PORT, authToken: authToken.result, url }),
      transforms: t,
    });
    this.connectionSecret = { envName: "REDIS_URL", location: { secretArn: this.secret.arn, jsonKey: "url", keyArn: this.key.arn } };

    for (const [client, securityGroupId] of Object.entries(args.allowedSecurityGroups ?? {})) this.allowFrom(client, securityGroupId);
    this.registerOutputs({ endpoint: this.endpoint, secretArn: this.secret.arn, securityGroupId: this.securityGroup.id });
  }

  /** Lets one security group connect on the Redis port (and only that group, only that port). */
  allowFrom(client: string, securityGroupId: pulumi.Input<string>): void {
    this.placement.allowFrom(client, securityGroupId);
  }
}
