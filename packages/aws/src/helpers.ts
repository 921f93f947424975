/**
 * Children that several components create the same way: a KMS key, an encrypted log group, a log
 * bucket, a security-group rule pair, and the account context their policies need. One function each,
 * with parameters, so that every component gets the same secure defaults.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { normalizeTags, physicalName, PRESETS, type CommonArgs, type Environment, type NameKind, type Transform, transform } from "@polycloud/core";
import type { NetworkRef } from "./network";
import { assumeRolePolicy, keyPolicy, logBucketPolicy, type AccountContext, type KeyUser, type PolicyDocument } from "./policies";

/** What every child of a component shares: the parent, tags, protection and names. */
export interface Scope {
  readonly parent: pulumi.ComponentResource;
  /** What the component is (`database`, `cache`, ...): keeps physical names of different components with the same logical name apart. */
  readonly kind: string;
  /** The component's logical name; children's logical names start with it. */
  readonly name: string;
  /**
   * The component's name inside physical names: its logical name without a leading `<app>-`, since
   * every physical name already starts with `<app>-<env>-` (`shop-api` in app `shop` is `shop-dev-api`).
   */
  readonly label: string;
  readonly app: string;
  readonly environment: Environment;
  readonly tags: Record<string, string>;
  /** Pulumi `protect` for stateful children. */
  readonly protect: boolean;
  /** Mixed into globally unique physical names, so two stacks of one app get different bucket names. */
  readonly uniqueSeed: string;
}

/** Resolves the common args of a component into the scope its children share. */
export function scopeOf(parent: pulumi.ComponentResource, kind: string, name: string, args: CommonArgs): Scope {
  const environment = args.environment ?? "development";
  return {
    parent,
    kind,
    name,
    label: name.startsWith(`${args.app}-`) ? name.slice(args.app.length + 1) : name,
    app: args.app,
    environment,
    tags: normalizeTags("aws", args.tags ?? {}, { app: args.app, environment }),
    protect: args.protect ?? PRESETS[environment].protectStateful,
    uniqueSeed: `${pulumi.getProject()}/${pulumi.getStack()}`,
  };
}

/**
 * A child's physical name by the kind's naming rule: `<app>-<env>-<label>[-<suffix>]`. `unique` mixes the
 * project and stack into a hash suffix, for names that must be unique across all accounts (S3 buckets).
 */
export function physicalNameOf(scope: Scope, kind: NameKind<"aws">, suffix?: string, options: { unique?: boolean } = {}): string {
  const name = suffix === undefined ? scope.label : `${scope.label}-${suffix}`;
  return physicalName("aws", kind, { app: scope.app, environment: scope.environment, name }, options.unique === true ? { uniqueSeed: scope.uniqueSeed } : {});
}

/** A CloudWatch log group name: `/polycloud/<app>/<environment>/<label>[/<suffix>]`. */
export function logGroupNameOf(scope: Scope, suffix?: string): string {
  return `/polycloud/${scope.app}/${scope.environment}/${scope.label}${suffix === undefined ? "" : `/${suffix}`}`;
}

/** The partition, account and region of the stack, looked up once per component. */
export function accountContext(parent: pulumi.Resource): AccountContext {
  const opts = { parent };
  return {
    partition: aws.getPartitionOutput({}, opts).partition,
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    region: aws.getRegionOutput({}, opts).region,
  };
}

/** Child resource options: parented to the component, protected when stateful. */
export function childOptions(scope: Scope, stateful = false, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { parent: scope.parent, ...(stateful && scope.protect ? { protect: true } : {}), ...extra };
}

/** An ECS cluster with Container Insights on: per-service CPU, memory and task metrics. */
export function createEcsCluster(scope: Scope, name: string, t: Transform<aws.ecs.ClusterArgs> | undefined): aws.ecs.Cluster {
  return new aws.ecs.Cluster(
    name,
    transform({ name: physicalNameOf(scope, "ecsCluster"), settings: [{ name: "containerInsights", value: "enabled" }], tags: scope.tags }, name, t),
    childOptions(scope),
  );
}

export interface KeyTransforms {
  key?: Transform<aws.kms.KeyArgs>;
  keyAlias?: Transform<aws.kms.AliasArgs>;
}

/**
 * A customer-managed KMS key with yearly rotation and a 30-day deletion window (a deleted key makes
 * everything encrypted with it unreadable), and an alias for people reading the console. `region`
 * creates it in another region than the stack's (a key only encrypts in its own region).
 */
export function createKey(
  scope: Scope,
  suffix: string,
  options: { description: string; account: AccountContext; users?: readonly KeyUser[]; region?: string; transforms?: KeyTransforms },
): aws.kms.Key {
  const name = `${scope.name}-${suffix}`;
  const region = options.region === undefined ? {} : { region: options.region };
  const key = new aws.kms.Key(
    name,
    transform(
      {
        description: options.description,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify(keyPolicy(options.account, options.users)),
        ...region,
        tags: scope.tags,
      },
      name,
      options.transforms?.key,
    ),
    childOptions(scope, true),
  );
  new aws.kms.Alias(
    `${name}-alias`,
    transform(
      { name: physicalName("aws", "kmsAlias", { app: scope.app, environment: scope.environment, name: `${scope.kind}-${scope.label}-${suffix}` }), targetKeyId: key.keyId, ...region },
      `${name}-alias`,
      options.transforms?.keyAlias,
    ),
    childOptions(scope),
  );
  return key;
}

/** A CloudWatch log group encrypted with a customer key, with a retention. */
export function createLogGroup(
  scope: Scope,
  suffix: string,
  options: { logGroupName: string; retentionDays: number; kmsKeyArn: pulumi.Input<string>; transform?: Transform<aws.cloudwatch.LogGroupArgs> },
): aws.cloudwatch.LogGroup {
  const name = `${scope.name}-${suffix}`;
  return new aws.cloudwatch.LogGroup(
    name,
    transform(
      { name: options.logGroupName, retentionInDays: options.retentionDays, kmsKeyId: options.kmsKeyArn, tags: scope.tags },
      name,
      options.transform,
    ),
    childOptions(scope),
  );
}

export interface LogBucketTransforms {
  logBucket?: Transform<aws.s3.BucketArgs>;
  logBucketPublicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
  logBucketOwnershipControls?: Transform<aws.s3.BucketOwnershipControlsArgs>;
  logBucketEncryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
  logBucketVersioning?: Transform<aws.s3.BucketVersioningArgs>;
  logBucketLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
  logBucketPolicy?: Transform<aws.s3.BucketPolicyArgs>;
}

/**
 * A bucket for logs: private, owner-enforced, TLS only (the `policy` given must include
 * `denyInsecureTransport`), expiring after the log retention, with the policy that lets the log writer
 * in (whoever turns logging on must depend on it). SSE-S3 by default, because neither S3 server access
 * logging nor load balancer logs can write to a bucket encrypted with SSE-KMS; `kmsKeyArn` for writers
 * that can (CloudTrail). `versioned` keeps overwritten or deleted logs for 30 days (tamper evidence).
 */
export function createLogBucket(
  scope: Scope,
  options: {
    suffix: string;
    policy: (bucketArn: pulumi.Output<string>) => PolicyDocument;
    retentionDays: number;
    kmsKeyArn?: pulumi.Input<string>;
    versioned?: boolean;
    transforms?: LogBucketTransforms;
  },
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const name = `${scope.name}-${options.suffix}`;
  const t = options.transforms ?? {};
  const bucket = new aws.s3.Bucket(
    name,
    transform({ bucket: physicalNameOf(scope, "s3Bucket", options.suffix, { unique: true }), forceDestroy: false, tags: scope.tags }, name, t.logBucket),
    childOptions(scope, true),
  );
  const accessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    transform(
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      `${name}-public-access`,
      t.logBucketPublicAccessBlock,
    ),
    childOptions(scope),
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    transform({ bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, `${name}-ownership`, t.logBucketOwnershipControls),
    childOptions(scope),
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    transform(
      {
        bucket: bucket.id,
        rules: [
          options.kmsKeyArn === undefined
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: options.kmsKeyArn }, bucketKeyEnabled: true },
        ],
      },
      `${name}-encryption`,
      t.logBucketEncryption,
    ),
    childOptions(scope),
  );
  const versioning = options.versioned
    ? new aws.s3.BucketVersioning(
        `${name}-versioning`,
        transform({ bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, `${name}-versioning`, t.logBucketVersioning),
        childOptions(scope),
      )
    : undefined;
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    transform(
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: options.retentionDays },
            ...(versioning === undefined ? {} : { noncurrentVersionExpiration: { noncurrentDays: 30 } }),
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      `${name}-lifecycle`,
      t.logBucketLifecycle,
    ),
    childOptions(scope, false, { dependsOn: versioning === undefined ? [] : [versioning] }),
  );
  const policy = new aws.s3.BucketPolicy(
    `${name}-policy`,
    transform({ bucket: bucket.id, policy: pulumi.jsonStringify(options.policy(bucket.arn)) }, `${name}-policy`, t.logBucketPolicy),
    // S3 rejects a policy while the public access block is being changed.
    childOptions(scope, false, { dependsOn: [accessBlock] }),
  );
  // Writers check their permission when logging is switched on: they must wait for the policy.
  return { bucket, policy };
}

/**
 * The access-log bucket of load balancers: ELB log delivery (the service principal, and the regional ELB
 * account that older regions deliver as) may write. Load balancers must wait for the returned policy.
 */
export function createLoadBalancerLogBucket(
  scope: Scope,
  account: AccountContext,
  retentionDays: number,
  transforms: LogBucketTransforms,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const elbAccountArn = aws.elb.getServiceAccountOutput({}, { parent: scope.parent }).arn;
  return createLogBucket(scope, { suffix: "lb-logs", policy: (arn) => logBucketPolicy(arn, "loadBalancer", account, elbAccountArn), retentionDays, transforms });
}

/**
 * A final snapshot name with a random suffix: a deleted and recreated database (or cache) gets a new one,
 * so its next deletion does not fail on the snapshot the first one left behind.
 */
export function finalSnapshotIdentifier(scope: Scope, identifier: string, t?: Transform<random.RandomIdArgs>): pulumi.Output<string> {
  const name = `${scope.name}-final-snapshot-suffix`;
  const suffix = new random.RandomId(name, transform({ byteLength: 4 }, name, t), childOptions(scope));
  return pulumi.interpolate`${identifier}-final-${suffix.hex}`;
}

export interface RuleTransforms {
  ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
  egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
}

/** One security group rule, ingress or egress, on one TCP port. */
export function createRule(
  scope: Scope,
  suffix: string,
  direction: "ingress" | "egress",
  rule: { securityGroupId: pulumi.Input<string>; peer: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> }; port: number; description: string },
  transforms: RuleTransforms = {},
): aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule {
  const name = `${scope.name}-${suffix}`;
  const args = { securityGroupId: rule.securityGroupId, ...rule.peer, ipProtocol: "tcp", fromPort: rule.port, toPort: rule.port, description: rule.description, tags: scope.tags };
  return direction === "ingress"
    ? new aws.vpc.SecurityGroupIngressRule(name, transform(args, name, transforms.ingressRule), childOptions(scope))
    : new aws.vpc.SecurityGroupEgressRule(name, transform(args, name, transforms.egressRule), childOptions(scope));
}

/**
 * Lets `from` reach `to` on one TCP port: an ingress rule on `to` and the matching egress rule on
 * `from`, both naming the other group (never a CIDR), so nothing else gains access.
 */
export function allowTraffic(
  scope: Scope,
  suffix: string,
  rule: { from: pulumi.Input<string>; to: pulumi.Input<string>; port: number; description: string },
  transforms: RuleTransforms = {},
): void {
  const common = { port: rule.port, description: rule.description };
  createRule(scope, `${suffix}-in`, "ingress", { ...common, securityGroupId: rule.to, peer: { referencedSecurityGroupId: rule.from } }, transforms);
  createRule(scope, `${suffix}-out`, "egress", { ...common, securityGroupId: rule.from, peer: { referencedSecurityGroupId: rule.to } }, transforms);
}


/** Where a data store sits: the isolated subnets, behind a security group that admits clients one by one. */
export interface IsolatedPlacement<TSubnetGroup> {
  readonly subnetGroup: TSubnetGroup;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** Lets one security group connect on the store's port (and only that group, only that port). */
  allowFrom(client: string, securityGroupId: pulumi.Input<string>): void;
}

/**
 * A data store's subnet group over the isolated subnets (no route to or from the internet) and its security
 * group, which has no rules until `allowFrom` names a client.
 */
export function createIsolatedPlacement<TSubnetGroup>(
  scope: Scope,
  options: {
    network: Pick<NetworkRef, "networkId" | "isolatedSubnetIds">;
    /** The engine as people name it, for descriptions: `PostgreSQL`, `Redis`. */
    engine: string;
    port: number;
    /** Creates the service's own kind of subnet group (RDS or ElastiCache) from these args, with the user's transform. */
    createSubnetGroup: (
      name: string,
      args: { subnetIds: pulumi.Input<string>[]; description: string; tags: Record<string, string> },
      opts: pulumi.CustomResourceOptions,
    ) => TSubnetGroup;
    transforms: RuleTransforms & { securityGroup?: Transform<aws.ec2.SecurityGroupArgs> };
  },
): IsolatedPlacement<TSubnetGroup> {
  const { engine, port, transforms } = options;
  const subnetGroup = options.createSubnetGroup(
    `${scope.name}-subnets`,
    { subnetIds: options.network.isolatedSubnetIds, description: `Isolated subnets of ${scope.name}`, tags: scope.tags },
    childOptions(scope),
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${scope.name}-sg`,
    // No inline rules: the provider removes AWS's default allow-all egress, and clients are added as rules.
    transform({ vpcId: options.network.networkId, description: `${engine} ${scope.name}: clients allowed one by one`, tags: scope.tags }, `${scope.name}-sg`, transforms.securityGroup),
    childOptions(scope),
  );
  return {
    subnetGroup,
    securityGroup,
    allowFrom: (client, securityGroupId) =>
      allowTraffic(scope, `from-${client}`, { from: securityGroupId, to: securityGroup.id, port, description: `${engine} from ${client}` }, transforms),
  };
}

export interface SecretTransforms {
  secret?: Transform<aws.secretsmanager.SecretArgs>;
  secretVersion?: Transform<aws.secretsmanager.SecretVersionArgs>;
}

/**
 * A Secrets Manager secret encrypted with a customer key, named `<app>-<env>/<secretName>`, and its value
 * when one is given (always stored as a Pulumi secret). Deleted secrets stay recoverable for 30 days in
 * production and 7 elsewhere (the shortest, so a development stack can be recreated soon).
 */
export function createSecret(
  scope: Scope,
  suffix: string,
  options: {
    secretName: string;
    description: string;
    kmsKeyArn: pulumi.Input<string>;
    value?: pulumi.Input<string>;
    transforms?: SecretTransforms;
  },
): aws.secretsmanager.Secret {
  const name = `${scope.name}-${suffix}`;
  const secret = new aws.secretsmanager.Secret(
    name,
    transform(
      {
        name: physicalName("aws", "secret", { app: scope.app, environment: scope.environment }) + `/${options.secretName}`,
        description: options.description,
        kmsKeyId: options.kmsKeyArn,
        recoveryWindowInDays: scope.environment === "production" ? 30 : 7,
        tags: scope.tags,
      },
      name,
      options.transforms?.secret,
    ),
    childOptions(scope, true),
  );
  if (options.value !== undefined) {
    new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      transform({ secretId: secret.id, secretString: pulumi.secret(options.value) }, `${name}-value`, options.transforms?.secretVersion),
      childOptions(scope),
    );
  }
  return secret;
}

export interface RoleTransforms {
  role?: Transform<aws.iam.RoleArgs>;
  rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  rolePolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
}

/** A service role, and its ARN once its policies are attached. */
export interface ServiceRole {
  readonly role: aws.iam.Role;
  /**
   * The role's ARN, resolved only after its inline and managed policies exist: services that check a
   * role's permissions when it is handed to them (CloudTrail, RDS Enhanced Monitoring) must get this one.
   */
  readonly arn: pulumi.Output<string>;
}

/**
 * A role that one AWS service assumes, with an optional inline policy and AWS managed policies (named by
 * their path after `policy/`, e.g. `service-role/AmazonECSInfrastructureRolePolicyForLoadBalancers`). The trust policy admits the
 * service for this account only (`aws:SourceAccount`), except with `sourceAccountCondition: false`, for
 * services that do not send that key when they assume a role (the condition would lock them out).
 */
export function createServiceRole(
  scope: Scope,
  suffix: string,
  options: {
    service: string;
    account: AccountContext;
    policy?: pulumi.Input<PolicyDocument>;
    managedPolicies?: readonly string[];
    sourceAccountCondition?: boolean;
    transforms?: RoleTransforms;
  },
): ServiceRole {
  const name = `${scope.name}-${suffix}`;
  const t = options.transforms ?? {};
  const policies: pulumi.Resource[] = [];
  const trust = assumeRolePolicy(options.service, options.sourceAccountCondition === false ? undefined : options.account.accountId);
  const role = new aws.iam.Role(name, transform({ assumeRolePolicy: pulumi.jsonStringify(trust), tags: scope.tags }, name, t.role), childOptions(scope));
  if (options.policy !== undefined) {
    policies.push(new aws.iam.RolePolicy(`${name}-policy`, transform({ role: role.id, policy: pulumi.jsonStringify(options.policy) }, `${name}-policy`, t.rolePolicy), childOptions(scope)));
  }
  for (const managed of options.managedPolicies ?? []) {
    // Named after the policy, so adding or removing one never renames the others.
    const attachment = `${name}-${managed.split("/").pop()!}`;
    policies.push(
      new aws.iam.RolePolicyAttachment(
        attachment,
        transform({ role: role.name, policyArn: pulumi.interpolate`arn:${options.account.partition}:iam::aws:policy/${managed}` }, attachment, t.rolePolicyAttachment),
        childOptions(scope),
      ),
    );
  }
  // An output of the policies too, so whoever reads it depends on them.
  const arn = pulumi.all([role.arn, pulumi.all(policies.map((p) => p.urn))]).apply(([roleArn]) => roleArn);
  return { role, arn };
}
