/**
 * The resource types that hold data, by what they are: replacing or deleting one loses what it holds
 * (a database's rows, a bucket's objects, what a key encrypts). One table for every backend, used
 * wherever a change is shown for confirmation.
 */

/** What a stateful resource is, as the confirmation calls it out. */
export const StatefulKind = {
  database: "database",
  cache: "cache",
  bucket: "bucket",
  key: "key",
  vault: "vault",
  secret: "secret",
  volume: "volume",
} as const;
export type StatefulKind = (typeof StatefulKind)[keyof typeof StatefulKind];

/** Pulumi type tokens of stateful resources, by kind (what the four backends create, and their near kin). */
export const STATEFUL_TYPES: Readonly<Record<StatefulKind, readonly string[]>> = {
  database: [
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:dynamodb/table:Table",
    "azure-native:dbforpostgresql:Server",
    "azure-native:dbforpostgresql:Database",
    "gcp:sql/databaseInstance:DatabaseInstance",
    "gcp:sql/database:Database",
    "kubernetes:postgresql.cnpg.io/v1:Cluster",
    "kubernetes:apps/v1:StatefulSet",
  ],
  cache: ["aws:elasticache/replicationGroup:ReplicationGroup", "azure-native:redisenterprise:RedisEnterprise", "azure-native:cache:Redis", "gcp:redis/instance:Instance"],
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "azure-native:storage:StorageAccount", "azure-native:storage:BlobContainer", "gcp:storage/bucket:Bucket"],
  key: ["aws:kms/key:Key", "azure-native:keyvault:Key", "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/keyRing:KeyRing"],
  vault: ["aws:backup/vault:Vault", "azure-native:keyvault:Vault", "azure-native:dataprotection:BackupVault"],
  secret: [
    "aws:secretsmanager/secret:Secret",
    "azure-native:keyvault:Secret",
    "gcp:secretmanager/secret:Secret",
    "kubernetes:core/v1:Secret",
    // A replaced generated password changes the credentials every client holds.
    "random:index/randomPassword:RandomPassword",
  ],
  volume: ["aws:ebs/volume:Volume", "aws:efs/fileSystem:FileSystem", "azure-native:compute:Disk", "gcp:compute/disk:Disk", "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:PersistentVolume"],
};

const BY_TYPE: ReadonlyMap<string, StatefulKind> = new Map(
  Object.entries(STATEFUL_TYPES).flatMap(([kind, types]) => types.map((type) => [type, kind as StatefulKind] as const)),
);

/** The kind of data a resource type holds, or undefined when it holds none. */
export function statefulKind(type: string): StatefulKind | undefined {
  return BY_TYPE.get(type);
}
