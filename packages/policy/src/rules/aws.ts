/** Rules over AWS resources (`@pulumi/aws` type tokens). */
import { ANYWHERE, at, json, limitedRanges, list, plainSecretEnv, rangeIncludes, record, ruleBook, show } from "../util";
import type { PolicyContext, PolicyResource, Rule } from "../types";

const { resource, stack } = ruleBook("aws");

const BUCKET = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_SSE = ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"];
const BUCKET_VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const BUCKET_LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
const BUCKET_ACL = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const DB = ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"];
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const LB = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENER = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const IAM_POLICY = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const POLICY_ATTACHMENT = ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"];
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const INSTANCE = ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"];

// ---- shared readers ----------------------------------------------------------------------------

interface Statement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

/** The statements of a policy document input (a JSON string or an object). */
function statements(document: unknown): Statement[] {
  return list(record(json(document))["Statement"]).map((s) => record(s) as Statement);
}

const allows = (s: Statement) => s.Effect === "Allow";
const anyPrincipal = (s: Statement) => s.Principal === "*" || list(record(s.Principal)["AWS"]).includes("*");

/** The policy documents a resource carries: `policy`, and a role's `inlinePolicies`. */
function policyDocuments(r: PolicyResource): Statement[] {
  return [...statements(r.inputs["policy"]), ...list(r.inputs["inlinePolicies"]).flatMap((p) => statements(record(p)["policy"]))];
}

interface IngressRule {
  readonly from: unknown;
  readonly to: unknown;
  readonly protocol: unknown;
  readonly cidrs: readonly unknown[];
}

/** The ingress rules a resource declares, in any of the three ways the AWS provider offers. */
function ingressRules(r: PolicyResource): IngressRule[] {
  const i = r.inputs;
  if (r.type === SG) {
    return list(i["ingress"]).map(record).map((x) => ({ from: x["fromPort"], to: x["toPort"], protocol: x["protocol"], cidrs: [...list(x["cidrBlocks"]), ...list(x["ipv6CidrBlocks"])] }));
  }
  if (r.type === SG_RULE) {
    return i["type"] === "ingress" ? [{ from: i["fromPort"], to: i["toPort"], protocol: i["protocol"], cidrs: [...list(i["cidrBlocks"]), ...list(i["ipv6CidrBlocks"])] }] : [];
  }
  return [{ from: i["fromPort"], to: i["toPort"], protocol: i["ipProtocol"], cidrs: [i["cidrIpv4"], i["cidrIpv6"]].filter((c) => c !== undefined) }];
}

const allProtocols = (p: unknown) => p === "-1" || p === -1 || p === "all";

/** The port ranges open to the whole internet, as `from-to/protocol`. */
function openToWorld(r: PolicyResource, port?: number): string[] {
  return ingressRules(r)
    .filter((x) => x.cidrs.some((c) => ANYWHERE.has(String(c))))
    .filter((x) => port === undefined || allProtocols(x.protocol) || rangeIncludes(x.from, x.to, port))
    .map((x) => (allProtocols(x.protocol) ? "all traffic" : `${String(x.from)}-${String(x.to)}/${String(x.protocol)}`));
}

function worldPortRule(id: string, port: number, service: string, references: readonly string[]): Rule {
  return resource(
    {
      id,
      title: `No security group ingress from the internet to ${service} (port ${port})`,
      severity: "mandatory",
      remediation: `Allow ${service} only from known ranges or use Session Manager / a bastion instead of 0.0.0.0/0.`,
      references,
      types: [SG, SG_RULE, SG_INGRESS],
    },
    (r) => {
      const open = openToWorld(r, port);
      return open.length === 0 ? undefined : `ingress ${open.join(", ")} from 0.0.0.0/0 includes port ${port}`;
    },
  );
}

/** The ECS container definitions of a task definition. */
function containers(r: PolicyResource): Record<string, unknown>[] {
  return list(json(r.inputs["containerDefinitions"])).map(record);
}

/** The containers for which `bad` holds, as a message, or undefined. */
function containersWhere(r: PolicyResource, bad: (c: Record<string, unknown>) => boolean, what: string): string | undefined {
  const names = containers(r).filter(bad).map((c) => String(c["name"]));
  return names.length === 0 ? undefined : `container(s) ${names.join(", ")} ${what}`;
}

/** The resources of `types` attached to `r` in the plan. */
const attached = (context: PolicyContext, r: PolicyResource, types: readonly string[]) => context.attachedTo(r, ...types);

const isTrue = (v: unknown) => v === true || v === "true";

// ---- S3 ----------------------------------------------------------------------------------------

const s3: Rule[] = [
  stack(
    {
      id: "PC-AWS-S3-001",
      title: "S3 bucket has a public access block that blocks everything",
      severity: "mandatory",
      remediation: "Attach an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
      references: ["CKV2_AWS_6", "AVD-AWS-0094"],
      types: BUCKET,
    },
    (r, context) => {
      const blocks = attached(context, r, [PUBLIC_ACCESS_BLOCK]);
      if (blocks.length === 0) return "no BucketPublicAccessBlock is attached to the bucket";
      return blocks.some((b) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => isTrue(b.inputs[k])))
        ? undefined
        : "the attached BucketPublicAccessBlock leaves a setting false";
    },
  ),
  resource(
    {
      id: "PC-AWS-S3-002",
      title: "S3 public access block settings are all enabled",
      severity: "mandatory",
      remediation: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
      references: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093"],
      types: [PUBLIC_ACCESS_BLOCK],
    },
    (r) => {
      const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => !isTrue(r.inputs[k]));
      return off.length === 0 ? undefined : `${off.join(", ")} not true`;
    },
  ),
  stack(
    {
      id: "PC-AWS-S3-003",
      title: "S3 bucket is encrypted with a KMS key",
      severity: "advisory",
      remediation: "Attach a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and a customer managed key.",
      references: ["CKV_AWS_145", "AVD-AWS-0132"],
      types: BUCKET,
    },
    (r, context) => {
      const rules = [...list(at(r.inputs, "serverSideEncryptionConfiguration.rule")), ...attached(context, r, BUCKET_SSE).flatMap((c) => list(c.inputs["rules"]))];
      const algorithms = rules.map((x) => at(x, "applyServerSideEncryptionByDefault.sseAlgorithm"));
      return algorithms.some((a) => a === "aws:kms" || a === "aws:kms:dsse") ? undefined : `default encryption is ${algorithms.length === 0 ? "the S3 managed key (AES256)" : show(algorithms[0])}, not a KMS key`;
    },
  ),
  stack(
    {
      id: "PC-AWS-S3-004",
      title: "S3 bucket has versioning enabled",
      severity: "advisory",
      remediation: "Attach an aws.s3.BucketVersioning with status Enabled.",
      references: ["CKV_AWS_21", "AVD-AWS-0090"],
      types: BUCKET,
    },
    (r, context) =>
      at(r.inputs, "versioning.enabled") === true || attached(context, r, BUCKET_VERSIONING).some((v) => at(v.inputs, "versioningConfiguration.status") === "Enabled")
        ? undefined
        : "no versioning configuration with status Enabled is attached",
  ),
  stack(
    {
      id: "PC-AWS-S3-005",
      title: "S3 bucket has access logging",
      severity: "advisory",
      remediation: "Attach an aws.s3.BucketLogging that delivers access logs to a log bucket.",
      references: ["CKV_AWS_18", "AVD-AWS-0089"],
      types: BUCKET,
    },
    (r, context) => (r.inputs["logging"] !== undefined || attached(context, r, BUCKET_LOGGING).length > 0 ? undefined : "no BucketLogging is attached"),
  ),
  resource(
    {
      id: "PC-AWS-S3-006",
      title: "S3 bucket ACL does not grant public access",
      severity: "mandatory",
      remediation: "Use the private ACL (or none, with BucketOwnerEnforced ownership) and grant access through IAM.",
      references: ["CKV_AWS_20", "CKV_AWS_57", "AVD-AWS-0092"],
      types: [...BUCKET, ...BUCKET_ACL],
    },
    (r) => {
      const acl = r.inputs["acl"];
      return acl === "public-read" || acl === "public-read-write" || acl === "authenticated-read" ? `acl is ${show(acl)}` : undefined;
    },
  ),
  resource(
    {
      id: "PC-AWS-S3-007",
      title: "S3 bucket policy does not allow any principal",
      severity: "mandatory",
      remediation: "Name the principals in the bucket policy, or add a condition (aws:SourceArn, aws:PrincipalOrgID) to statements with Principal \"*\".",
      references: ["CKV_AWS_70"],
      types: [BUCKET_POLICY, ...BUCKET],
    },
    (r) => (statements(r.inputs["policy"]).some((s) => allows(s) && anyPrincipal(s) && s.Condition === undefined) ? 'a statement allows Principal "*" with no condition' : undefined),
  ),
  stack(
    {
      id: "PC-AWS-S3-008",
      title: "S3 bucket policy denies requests without TLS",
      severity: "advisory",
      remediation: 'Attach a bucket policy that denies s3:* when "aws:SecureTransport" is "false".',
      references: [],
      types: BUCKET,
    },
    (r, context) => {
      const docs = [r, ...attached(context, r, [BUCKET_POLICY])].flatMap((p) => statements(p.inputs["policy"]));
      return docs.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport")) ? undefined : "no bucket policy statement denies aws:SecureTransport false";
    },
  ),
];

// ---- RDS ---------------------------------------------------------------------------------------

const rds: Rule[] = [
  resource(
    {
      id: "PC-AWS-RDS-001",
      title: "RDS storage is encrypted",
      severity: "mandatory",
      remediation: "Set storageEncrypted: true (and kmsKeyId to a customer managed key).",
      references: ["CKV_AWS_16", "CKV_AWS_96", "AVD-AWS-0080", "AVD-AWS-0079"],
      types: DB,
    },
    (r) => (isTrue(r.inputs["storageEncrypted"]) || r.inputs["replicateSourceDb"] !== undefined ? undefined : `storageEncrypted is ${show(r.inputs["storageEncrypted"])}`),
  ),
  resource(
    {
      id: "PC-AWS-RDS-002",
      title: "RDS instance is not publicly accessible",
      severity: "mandatory",
      remediation: "Set publiclyAccessible: false and reach the database from inside the VPC.",
      references: ["CKV_AWS_17", "AVD-AWS-0180"],
      types: ["aws:rds/instance:Instance"],
    },
    (r) => (isTrue(r.inputs["publiclyAccessible"]) ? "publiclyAccessible is true" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-RDS-003",
      title: "RDS keeps automated backups for at least 7 days",
      severity: "advisory",
      remediation: "Set backupRetentionPeriod to 7 days or more.",
      references: ["CKV_AWS_133", "AVD-AWS-0077"],
      types: DB,
    },
    (r) => {
      const days = r.inputs["backupRetentionPeriod"];
      return typeof days === "number" && days >= 7 ? undefined : `backupRetentionPeriod is ${show(days)}`;
    },
  ),
  resource(
    {
      id: "PC-AWS-RDS-004",
      title: "RDS has deletion protection",
      severity: "advisory",
      remediation: "Set deletionProtection: true on production databases.",
      references: ["CKV_AWS_293", "CKV_AWS_139", "AVD-AWS-0177", "AVD-AWS-0343"],
      types: DB,
    },
    (r) => (isTrue(r.inputs["deletionProtection"]) ? undefined : `deletionProtection is ${show(r.inputs["deletionProtection"])}`),
  ),
  resource(
    {
      id: "PC-AWS-RDS-005",
      title: "RDS instance is Multi-AZ",
      severity: "advisory",
      remediation: "Set multiAz: true so a standby takes over when an Availability Zone fails.",
      references: ["CKV_AWS_157"],
      types: ["aws:rds/instance:Instance"],
    },
    (r) => (isTrue(r.inputs["multiAz"]) ? undefined : `multiAz is ${show(r.inputs["multiAz"])}`),
  ),
  resource(
    {
      id: "PC-AWS-RDS-006",
      title: "RDS has IAM database authentication",
      severity: "advisory",
      remediation: "Set iamDatabaseAuthenticationEnabled: true and connect with short-lived IAM tokens.",
      references: ["CKV_AWS_161", "AVD-AWS-0176"],
      types: DB,
    },
    (r) => (isTrue(r.inputs["iamDatabaseAuthenticationEnabled"]) ? undefined : `iamDatabaseAuthenticationEnabled is ${show(r.inputs["iamDatabaseAuthenticationEnabled"])}`),
  ),
  resource(
    {
      id: "PC-AWS-RDS-007",
      title: "RDS exports its logs to CloudWatch",
      severity: "advisory",
      remediation: 'Set enabledCloudwatchLogsExports (e.g. ["postgresql", "upgrade"]).',
      references: ["CKV_AWS_129"],
      types: DB,
    },
    (r) => (list(r.inputs["enabledCloudwatchLogsExports"]).length > 0 ? undefined : "enabledCloudwatchLogsExports is empty"),
  ),
  resource(
    {
      id: "PC-AWS-RDS-008",
      title: "RDS applies minor version upgrades",
      severity: "advisory",
      remediation: "Leave autoMinorVersionUpgrade at true so security patches are applied in the maintenance window.",
      references: ["CKV_AWS_226"],
      types: DB,
    },
    (r) => (r.inputs["autoMinorVersionUpgrade"] === false ? "autoMinorVersionUpgrade is false" : undefined),
  ),
  stack(
    {
      id: "PC-AWS-RDS-009",
      title: "RDS PostgreSQL requires TLS",
      severity: "mandatory",
      remediation: 'Attach a parameter group that sets rds.force_ssl to "1".',
      references: ["CKV2_AWS_69"],
      types: ["aws:rds/instance:Instance"],
    },
    (r, context) => {
      if (!String(r.inputs["engine"] ?? "").includes("postgres")) return undefined;
      const groups = attached(context, r, ["aws:rds/parameterGroup:ParameterGroup"]);
      const forceSsl = groups.flatMap((g) => list(g.inputs["parameters"]).map(record)).find((p) => p["name"] === "rds.force_ssl");
      if (forceSsl !== undefined) return String(forceSsl["value"]) === "1" ? undefined : `rds.force_ssl is ${show(forceSsl["value"])}`;
      // From PostgreSQL 15 on, RDS's default parameter group sets rds.force_ssl to 1.
      const major = Number(String(r.inputs["engineVersion"] ?? "").split(".")[0]);
      return major >= 15 ? undefined : `no parameter group sets rds.force_ssl, and engine version ${show(r.inputs["engineVersion"])} defaults it to 0`;
    },
  ),
];

// ---- EC2 / VPC ---------------------------------------------------------------------------------

const ec2: Rule[] = [
  worldPortRule("PC-AWS-EC2-001", 22, "SSH", ["CKV_AWS_24", "AVD-AWS-0107"]),
  worldPortRule("PC-AWS-EC2-002", 3389, "RDP", ["CKV_AWS_25", "AVD-AWS-0107"]),
  resource(
    {
      id: "PC-AWS-EC2-003",
      title: "No security group ingress from the internet on all ports",
      severity: "mandatory",
      remediation: "Open only the ports the service listens on (e.g. 443 on a load balancer), never protocol -1 from 0.0.0.0/0.",
      references: ["CKV_AWS_277"],
      types: [SG, SG_RULE, SG_INGRESS],
    },
    (r) => (ingressRules(r).some((x) => x.cidrs.some((c) => ANYWHERE.has(String(c))) && (allProtocols(x.protocol) || (rangeIncludes(x.from, x.to, 0) && rangeIncludes(x.from, x.to, 65535)))) ? "ingress on all ports from 0.0.0.0/0" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-EC2-004",
      title: "Internet ingress only on web ports",
      severity: "advisory",
      remediation: "Expose only 80 and 443 to 0.0.0.0/0, behind a load balancer; reach other ports privately.",
      references: ["AVD-AWS-0107"],
      types: [SG, SG_RULE, SG_INGRESS],
    },
    (r) => {
      const open = ingressRules(r)
        .filter((x) => x.cidrs.some((c) => ANYWHERE.has(String(c))))
        .filter((x) => !(x.from === x.to && (x.from === 80 || x.from === 443)));
      return open.length === 0 ? undefined : `ingress ${open.map((x) => `${String(x.from)}-${String(x.to)}`).join(", ")} from 0.0.0.0/0`;
    },
  ),
  resource(
    {
      id: "PC-AWS-EC2-005",
      title: "Security groups and rules have a description",
      severity: "advisory",
      remediation: "Give every security group and rule a description saying what it allows and why.",
      references: ["CKV_AWS_23", "AVD-AWS-0099", "AVD-AWS-0124"],
      types: [SG, SG_RULE, SG_INGRESS, SG_EGRESS],
    },
    (r) => (typeof r.inputs["description"] === "string" && r.inputs["description"] !== "" ? undefined : "description is unset"),
  ),
  resource(
    {
      id: "PC-AWS-EC2-006",
      title: "The default security group allows no traffic",
      severity: "advisory",
      remediation: "Adopt the VPC's default security group with aws.ec2.DefaultSecurityGroup and no ingress or egress rules.",
      references: ["CKV2_AWS_12", "AVD-AWS-0173"],
      types: ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
    },
    (r) => (list(r.inputs["ingress"]).length + list(r.inputs["egress"]).length === 0 ? undefined : "the default security group has rules"),
  ),
  stack(
    {
      id: "PC-AWS-EC2-007",
      title: "VPC has flow logs",
      severity: "advisory",
      remediation: "Attach an aws.ec2.FlowLog (trafficType ALL) to the VPC.",
      references: ["CKV2_AWS_11", "AVD-AWS-0178"],
      types: ["aws:ec2/vpc:Vpc"],
    },
    (r, context) => (attached(context, r, ["aws:ec2/flowLog:FlowLog"]).length > 0 ? undefined : "no FlowLog is attached to the VPC"),
  ),
  resource(
    {
      id: "PC-AWS-EC2-008",
      title: "Subnets do not assign public IPs by default",
      severity: "advisory",
      remediation: "Set mapPublicIpOnLaunch: false; give public addresses only to load balancers and NAT gateways.",
      references: ["CKV_AWS_130", "AVD-AWS-0164"],
      types: ["aws:ec2/subnet:Subnet"],
    },
    (r) => (isTrue(r.inputs["mapPublicIpOnLaunch"]) ? "mapPublicIpOnLaunch is true" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-EC2-009",
      title: "Instances require IMDSv2",
      severity: "mandatory",
      remediation: 'Set metadataOptions.httpTokens to "required".',
      references: ["CKV_AWS_79", "AVD-AWS-0028"],
      types: INSTANCE,
    },
    (r) => (at(r.inputs, "metadataOptions.httpTokens") === "required" ? undefined : `metadataOptions.httpTokens is ${show(at(r.inputs, "metadataOptions.httpTokens"))}`),
  ),
  resource(
    {
      id: "PC-AWS-EC2-010",
      title: "EBS volumes are encrypted",
      severity: "mandatory",
      remediation: "Set encrypted: true (and kmsKeyId to a customer managed key).",
      references: ["CKV_AWS_3", "AVD-AWS-0026"],
      types: ["aws:ebs/volume:Volume"],
    },
    (r) => (isTrue(r.inputs["encrypted"]) ? undefined : `encrypted is ${show(r.inputs["encrypted"])}`),
  ),
  resource(
    {
      id: "PC-AWS-EC2-011",
      title: "Instance block devices are encrypted",
      severity: "mandatory",
      remediation: "Set encrypted: true on rootBlockDevice and every ebsBlockDevices entry.",
      references: ["CKV_AWS_8", "AVD-AWS-0131"],
      types: ["aws:ec2/instance:Instance"],
    },
    (r) => {
      const devices = [r.inputs["rootBlockDevice"] ?? {}, ...list(r.inputs["ebsBlockDevices"])].map(record);
      return devices.every((d) => isTrue(d["encrypted"])) ? undefined : "a block device is not encrypted";
    },
  ),
  resource(
    {
      id: "PC-AWS-EC2-012",
      title: "Instances have no public IP",
      severity: "advisory",
      remediation: "Set associatePublicIpAddress: false and reach instances through a load balancer or Session Manager.",
      references: ["CKV_AWS_88"],
      types: ["aws:ec2/instance:Instance"],
    },
    (r) => (isTrue(r.inputs["associatePublicIpAddress"]) ? "associatePublicIpAddress is true" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-EC2-013",
      title: "No unrestricted egress to the internet",
      severity: "advisory",
      remediation: "Limit egress to the ports and destinations the workload needs (e.g. 443 to the VPC endpoints or the NAT).",
      references: ["AVD-AWS-0104"],
      types: [SG_EGRESS],
    },
    (r) => (ANYWHERE.has(String(r.inputs["cidrIpv4"])) && allProtocols(r.inputs["ipProtocol"]) ? "egress on all protocols to 0.0.0.0/0" : undefined),
  ),
];

// ---- KMS, logs, secrets, messaging ------------------------------------------------------------

const keys: Rule[] = [
  resource(
    {
      id: "PC-AWS-KMS-001",
      title: "KMS keys rotate",
      severity: "mandatory",
      remediation: "Set enableKeyRotation: true on symmetric encryption keys.",
      references: ["CKV_AWS_7", "AVD-AWS-0065"],
      types: ["aws:kms/key:Key"],
    },
    (r) => {
      const spec = r.inputs["customerMasterKeySpec"] ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT" || (r.inputs["keyUsage"] ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return undefined;
      return isTrue(r.inputs["enableKeyRotation"]) ? undefined : `enableKeyRotation is ${show(r.inputs["enableKeyRotation"])}`;
    },
  ),
  resource(
    {
      id: "PC-AWS-KMS-002",
      title: "KMS key policy does not allow any principal",
      severity: "mandatory",
      remediation: 'Name the principals in the key policy, or add a condition to statements with Principal "*".',
      references: ["CKV_AWS_33"],
      types: ["aws:kms/key:Key"],
    },
    (r) => (statements(r.inputs["policy"]).some((s) => allows(s) && anyPrincipal(s) && s.Condition === undefined) ? 'a statement allows Principal "*" with no condition' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-CW-001",
      title: "Log groups have a retention period",
      severity: "advisory",
      remediation: "Set retentionInDays (e.g. 30 in development, 365 in production).",
      references: ["CKV_AWS_66"],
      types: ["aws:cloudwatch/logGroup:LogGroup"],
    },
    (r) => (typeof r.inputs["retentionInDays"] === "number" && r.inputs["retentionInDays"] > 0 ? undefined : "retentionInDays is unset: logs are kept forever"),
  ),
  resource(
    {
      id: "PC-AWS-CW-002",
      title: "Log groups are encrypted with a KMS key",
      severity: "advisory",
      remediation: "Set kmsKeyId to a customer managed key whose policy allows the CloudWatch Logs service.",
      references: ["CKV_AWS_158", "AVD-AWS-0017"],
      types: ["aws:cloudwatch/logGroup:LogGroup"],
    },
    (r) => (r.inputs["kmsKeyId"] === undefined ? "kmsKeyId is unset" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-SM-001",
      title: "Secrets Manager secrets use a customer managed key",
      severity: "advisory",
      remediation: "Set kmsKeyId to a customer managed KMS key.",
      references: ["CKV_AWS_149", "AVD-AWS-0098"],
      types: ["aws:secretsmanager/secret:Secret"],
    },
    (r) => (r.inputs["kmsKeyId"] === undefined ? "kmsKeyId is unset (aws/secretsmanager is used)" : undefined),
  ),
  stack(
    {
      id: "PC-AWS-SM-002",
      title: "Secrets Manager secrets rotate",
      severity: "advisory",
      remediation: "Attach an aws.secretsmanager.SecretRotation with a rotation Lambda, or generate the secret so it can be replaced.",
      references: ["CKV2_AWS_57"],
      types: ["aws:secretsmanager/secret:Secret"],
    },
    (r, context) => (attached(context, r, ["aws:secretsmanager/secretRotation:SecretRotation"]).length > 0 ? undefined : "no SecretRotation is attached"),
  ),
  resource(
    {
      id: "PC-AWS-SNS-001",
      title: "SNS topics are encrypted",
      severity: "advisory",
      remediation: "Set kmsMasterKeyId (a customer managed key that allows the publishing services).",
      references: ["CKV_AWS_26", "AVD-AWS-0095"],
      types: ["aws:sns/topic:Topic"],
    },
    (r) => (r.inputs["kmsMasterKeyId"] === undefined ? "kmsMasterKeyId is unset" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-SQS-001",
      title: "SQS queues are encrypted",
      severity: "advisory",
      remediation: "Set kmsMasterKeyId, or leave sqsManagedSseEnabled at true.",
      references: ["CKV_AWS_27", "AVD-AWS-0096"],
      types: ["aws:sqs/queue:Queue"],
    },
    (r) => (r.inputs["kmsMasterKeyId"] === undefined && r.inputs["sqsManagedSseEnabled"] === false ? "sqsManagedSseEnabled is false and no kmsMasterKeyId is set" : undefined),
  ),
];

// ---- load balancers ----------------------------------------------------------------------------

const MODERN_TLS = /TLS13|TLS-1-2|FS-1-2/;

const elb: Rule[] = [
  resource(
    {
      id: "PC-AWS-ELB-001",
      title: "HTTP listeners only redirect to HTTPS",
      severity: "mandatory",
      remediation: 'Give HTTP listeners a single default action of type "redirect" to protocol HTTPS, and serve on an HTTPS listener.',
      references: ["CKV_AWS_2", "CKV2_AWS_20", "AVD-AWS-0054"],
      types: LISTENER,
    },
    (r) => {
      if (r.inputs["protocol"] !== "HTTP") return undefined;
      const actions = list(r.inputs["defaultActions"]).map(record);
      return actions.length > 0 && actions.every((a) => a["type"] === "redirect" && at(a, "redirect.protocol") === "HTTPS") ? undefined : "an HTTP listener serves traffic instead of redirecting to HTTPS";
    },
  ),
  resource(
    {
      id: "PC-AWS-ELB-002",
      title: "TLS listeners use a TLS 1.2+ policy",
      severity: "mandatory",
      remediation: "Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy).",
      references: ["CKV_AWS_103", "AVD-AWS-0047"],
      types: LISTENER,
    },
    (r) => {
      if (r.inputs["protocol"] !== "HTTPS" && r.inputs["protocol"] !== "TLS") return undefined;
      const policy = r.inputs["sslPolicy"];
      return typeof policy === "string" && MODERN_TLS.test(policy) ? undefined : `sslPolicy is ${show(policy)}, which allows TLS below 1.2`;
    },
  ),
  resource(
    {
      id: "PC-AWS-ELB-003",
      title: "Application load balancers drop invalid headers",
      severity: "advisory",
      remediation: "Set dropInvalidHeaderFields: true.",
      references: ["CKV_AWS_131", "AVD-AWS-0052"],
      types: LB,
    },
    (r) => ((r.inputs["loadBalancerType"] ?? "application") === "application" && !isTrue(r.inputs["dropInvalidHeaderFields"]) ? "dropInvalidHeaderFields is not true" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-ELB-004",
      title: "Load balancers write access logs",
      severity: "advisory",
      remediation: "Set accessLogs { bucket, enabled: true }.",
      references: ["CKV_AWS_91"],
      types: LB,
    },
    (r) => (at(r.inputs, "accessLogs.enabled") === true ? undefined : "accessLogs are not enabled"),
  ),
  resource(
    {
      id: "PC-AWS-ELB-005",
      title: "Load balancers have deletion protection",
      severity: "advisory",
      remediation: "Set enableDeletionProtection: true on production load balancers.",
      references: ["CKV_AWS_150"],
      types: LB,
    },
    (r) => (isTrue(r.inputs["enableDeletionProtection"]) ? undefined : "enableDeletionProtection is not true"),
  ),
  resource(
    {
      id: "PC-AWS-ELB-006",
      title: "Load balancers mitigate HTTP desync",
      severity: "advisory",
      remediation: 'Leave desyncMitigationMode at "defensive" or set "strictest".',
      references: ["CKV_AWS_328"],
      types: LB,
    },
    (r) => (r.inputs["desyncMitigationMode"] === "monitor" ? 'desyncMitigationMode is "monitor"' : undefined),
  ),
  stack(
    {
      id: "PC-AWS-ELB-007",
      title: "Internet-facing application load balancers have a WAF",
      severity: "advisory",
      remediation: "Associate an aws.wafv2.WebAcl with the load balancer (aws.wafv2.WebAclAssociation).",
      references: ["CKV2_AWS_28"],
      types: LB,
    },
    (r, context) => {
      if (isTrue(r.inputs["internal"]) || (r.inputs["loadBalancerType"] ?? "application") !== "application") return undefined;
      return attached(context, r, ["aws:wafv2/webAclAssociation:WebAclAssociation"]).length > 0 ? undefined : "no WebAclAssociation is attached";
    },
  ),
];

// ---- ECS ---------------------------------------------------------------------------------------

const ecs: Rule[] = [
  resource(
    {
      id: "PC-AWS-ECS-001",
      title: "No secrets in plain container environment variables",
      severity: "mandatory",
      remediation: "Move credentials to Secrets Manager or SSM and reference them in the container's secrets (valueFrom).",
      references: ["AVD-AWS-0036"],
      types: [TASK_DEFINITION],
    },
    (r) => {
      const found = containers(r).flatMap((c) => plainSecretEnv(c["environment"]).map((n) => `${String(c["name"])}.${n}`));
      return found.length === 0 ? undefined : `plain environment variable(s) ${found.join(", ")} look like credentials`;
    },
  ),
  resource(
    {
      id: "PC-AWS-ECS-002",
      title: "ECS containers are not privileged",
      severity: "mandatory",
      remediation: "Remove privileged: true from the container definition.",
      references: ["CKV_AWS_334"],
      types: [TASK_DEFINITION],
    },
    (r) => containersWhere(r, (c) => c["privileged"] === true, "are privileged"),
  ),
  resource(
    {
      id: "PC-AWS-ECS-003",
      title: "ECS containers have a read-only root filesystem",
      severity: "advisory",
      remediation: "Set readonlyRootFilesystem: true and mount writable volumes where the app writes.",
      references: ["CKV_AWS_336"],
      types: [TASK_DEFINITION],
    },
    (r) => containersWhere(r, (c) => c["readonlyRootFilesystem"] !== true, "have a writable root filesystem"),
  ),
  resource(
    {
      id: "PC-AWS-ECS-004",
      title: "ECS tasks do not share the host's process namespace",
      severity: "mandatory",
      remediation: 'Remove pidMode: "host".',
      references: ["CKV_AWS_335"],
      types: [TASK_DEFINITION],
    },
    (r) => (r.inputs["pidMode"] === "host" ? 'pidMode is "host"' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-ECS-005",
      title: "ECS clusters have Container Insights",
      severity: "advisory",
      remediation: 'Add the setting { name: "containerInsights", value: "enabled" } (or "enhanced").',
      references: ["CKV_AWS_65", "AVD-AWS-0034"],
      types: ["aws:ecs/cluster:Cluster"],
    },
    (r) => (list(r.inputs["settings"]).map(record).some((s) => s["name"] === "containerInsights" && s["value"] !== "disabled") ? undefined : "containerInsights is not enabled"),
  ),
  resource(
    {
      id: "PC-AWS-ECS-006",
      title: "ECS services get no public IP",
      severity: "advisory",
      remediation: "Set networkConfiguration.assignPublicIp: false and run tasks in private subnets behind a NAT.",
      references: ["CKV_AWS_333"],
      types: ["aws:ecs/service:Service"],
    },
    (r) => (isTrue(at(r.inputs, "networkConfiguration.assignPublicIp")) ? "networkConfiguration.assignPublicIp is true" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-ECS-007",
      title: "ECS task and execution roles differ",
      severity: "advisory",
      remediation: "Give the task its own role, separate from the execution role that pulls images and reads secrets.",
      references: ["CKV_AWS_249"],
      types: [TASK_DEFINITION],
    },
    (r) => (r.inputs["taskRoleArn"] !== undefined && r.inputs["taskRoleArn"] === r.inputs["executionRoleArn"] ? "taskRoleArn equals executionRoleArn" : undefined),
  ),
];

// ---- IAM ---------------------------------------------------------------------------------------

const wildcardAction = (s: Statement) => list(s.Action).some((a) => a === "*");
const wildcardResource = (s: Statement) => list(s.Resource).some((a) => a === "*");

const iam: Rule[] = [
  resource(
    {
      id: "PC-AWS-IAM-001",
      title: 'IAM policies do not allow "*" actions',
      severity: "mandatory",
      remediation: "List the actions the principal needs instead of \"*\".",
      references: ["CKV_AWS_63", "AVD-AWS-0057"],
      types: [...IAM_POLICY, "aws:iam/role:Role"],
    },
    (r) => (policyDocuments(r).some((s) => allows(s) && wildcardAction(s)) ? 'a statement allows Action "*"' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-IAM-002",
      title: "IAM policies do not grant full administrator access",
      severity: "mandatory",
      remediation: 'Never allow Action "*" on Resource "*"; grant the services and resources needed.',
      references: ["CKV_AWS_62", "CKV_AWS_1"],
      types: [...IAM_POLICY, "aws:iam/role:Role"],
    },
    (r) => (policyDocuments(r).some((s) => allows(s) && wildcardAction(s) && wildcardResource(s)) ? 'a statement allows "*" on "*"' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-IAM-003",
      title: "IAM policies scope service-wide actions to resources",
      severity: "advisory",
      remediation: 'Name resources (ARNs) in statements that allow "<service>:*".',
      references: ["CKV_AWS_355", "AVD-AWS-0057"],
      types: [...IAM_POLICY, "aws:iam/role:Role"],
    },
    (r) => (policyDocuments(r).some((s) => allows(s) && list(s.Action).some((a) => typeof a === "string" && a.endsWith(":*")) && wildcardResource(s)) ? 'a statement allows "<service>:*" on Resource "*"' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-IAM-004",
      title: "IAM roles cannot be assumed by anyone",
      severity: "mandatory",
      remediation: "Name the services or accounts allowed to assume the role in assumeRolePolicy.",
      references: ["CKV_AWS_60"],
      types: ["aws:iam/role:Role"],
    },
    (r) => (statements(r.inputs["assumeRolePolicy"]).some((s) => allows(s) && anyPrincipal(s) && s.Condition === undefined) ? 'assumeRolePolicy allows Principal "*"' : undefined),
  ),
  resource(
    {
      id: "PC-AWS-IAM-005",
      title: "AdministratorAccess is not attached",
      severity: "mandatory",
      remediation: "Attach a least-privilege policy instead of arn:aws:iam::aws:policy/AdministratorAccess.",
      references: ["CKV_AWS_274"],
      types: POLICY_ATTACHMENT,
    },
    (r) => (String(r.inputs["policyArn"] ?? "").endsWith(":policy/AdministratorAccess") ? "policyArn is AdministratorAccess" : undefined),
  ),
];

// ---- data stores and the rest ------------------------------------------------------------------

const data: Rule[] = [
  resource(
    {
      id: "PC-AWS-EC-001",
      title: "ElastiCache encrypts data at rest",
      severity: "mandatory",
      remediation: "Set atRestEncryptionEnabled: true (and kmsKeyId).",
      references: ["CKV_AWS_29", "AVD-AWS-0045"],
      types: [REPLICATION_GROUP],
    },
    (r) => (r.inputs["atRestEncryptionEnabled"] === false ? "atRestEncryptionEnabled is false" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-EC-002",
      title: "ElastiCache encrypts data in transit",
      severity: "mandatory",
      remediation: "Set transitEncryptionEnabled: true.",
      references: ["CKV_AWS_30", "AVD-AWS-0051"],
      types: [REPLICATION_GROUP],
    },
    (r) => (isTrue(r.inputs["transitEncryptionEnabled"]) ? undefined : `transitEncryptionEnabled is ${show(r.inputs["transitEncryptionEnabled"])}`),
  ),
  resource(
    {
      id: "PC-AWS-EC-003",
      title: "ElastiCache requires authentication",
      severity: "advisory",
      remediation: "Set authToken (with transit encryption) or userGroupIds.",
      references: ["CKV_AWS_31"],
      types: [REPLICATION_GROUP],
    },
    (r) => (r.inputs["authToken"] === undefined && list(r.inputs["userGroupIds"]).length === 0 ? "neither authToken nor userGroupIds is set" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-EC-004",
      title: "ElastiCache keeps snapshots",
      severity: "advisory",
      remediation: "Set snapshotRetentionLimit to 1 day or more.",
      references: ["AVD-AWS-0050"],
      types: [REPLICATION_GROUP],
    },
    (r) => (typeof r.inputs["snapshotRetentionLimit"] === "number" && r.inputs["snapshotRetentionLimit"] > 0 ? undefined : `snapshotRetentionLimit is ${show(r.inputs["snapshotRetentionLimit"])}`),
  ),
  resource(
    {
      id: "PC-AWS-DDB-001",
      title: "DynamoDB tables have point-in-time recovery",
      severity: "advisory",
      remediation: "Set pointInTimeRecovery { enabled: true }.",
      references: ["CKV_AWS_28", "AVD-AWS-0024"],
      types: ["aws:dynamodb/table:Table"],
    },
    (r) => (at(r.inputs, "pointInTimeRecovery.enabled") === true ? undefined : "pointInTimeRecovery is not enabled"),
  ),
  resource(
    {
      id: "PC-AWS-DDB-002",
      title: "DynamoDB tables use a customer managed key",
      severity: "advisory",
      remediation: "Set serverSideEncryption { enabled: true, kmsKeyArn }.",
      references: ["CKV_AWS_119", "AVD-AWS-0025"],
      types: ["aws:dynamodb/table:Table"],
    },
    (r) => (at(r.inputs, "serverSideEncryption.enabled") === true ? undefined : "serverSideEncryption is not enabled with a customer managed key"),
  ),
  resource(
    {
      id: "PC-AWS-CT-001",
      title: "CloudTrail validates log files",
      severity: "advisory",
      remediation: "Set enableLogFileValidation: true.",
      references: ["CKV_AWS_36", "AVD-AWS-0016"],
      types: ["aws:cloudtrail/trail:Trail"],
    },
    (r) => (isTrue(r.inputs["enableLogFileValidation"]) ? undefined : "enableLogFileValidation is not true"),
  ),
  resource(
    {
      id: "PC-AWS-CT-002",
      title: "CloudTrail logs are encrypted with a KMS key",
      severity: "advisory",
      remediation: "Set kmsKeyId to a customer managed key.",
      references: ["CKV_AWS_35", "AVD-AWS-0015"],
      types: ["aws:cloudtrail/trail:Trail"],
    },
    (r) => (r.inputs["kmsKeyId"] === undefined ? "kmsKeyId is unset" : undefined),
  ),
  resource(
    {
      id: "PC-AWS-CT-003",
      title: "CloudTrail covers all regions",
      severity: "advisory",
      remediation: "Set isMultiRegionTrail: true.",
      references: ["CKV_AWS_67", "AVD-AWS-0014"],
      types: ["aws:cloudtrail/trail:Trail"],
    },
    (r) => (isTrue(r.inputs["isMultiRegionTrail"]) ? undefined : "isMultiRegionTrail is not true"),
  ),
  resource(
    {
      id: "PC-AWS-ECR-001",
      title: "ECR image tags are immutable",
      severity: "advisory",
      remediation: 'Set imageTagMutability: "IMMUTABLE".',
      references: ["CKV_AWS_51", "AVD-AWS-0031"],
      types: ["aws:ecr/repository:Repository"],
    },
    (r) => (String(r.inputs["imageTagMutability"] ?? "MUTABLE").startsWith("IMMUTABLE") ? undefined : `imageTagMutability is ${show(r.inputs["imageTagMutability"] ?? "MUTABLE")}`),
  ),
  resource(
    {
      id: "PC-AWS-ECR-002",
      title: "ECR scans images on push",
      severity: "advisory",
      remediation: "Set imageScanningConfiguration { scanOnPush: true }.",
      references: ["CKV_AWS_163", "AVD-AWS-0030"],
      types: ["aws:ecr/repository:Repository"],
    },
    (r) => (at(r.inputs, "imageScanningConfiguration.scanOnPush") === true ? undefined : "scanOnPush is not true"),
  ),
  resource(
    {
      id: "PC-AWS-LMB-001",
      title: "No secrets in plain Lambda environment variables",
      severity: "mandatory",
      remediation: "Read credentials from Secrets Manager or SSM at run time instead of environment.variables.",
      references: ["CKV_AWS_45"],
      types: ["aws:lambda/function:Function"],
    },
    (r) => {
      const vars = Object.entries(record(at(r.inputs, "environment.variables"))).map(([name, value]) => ({ name, value }));
      const found = plainSecretEnv(vars);
      return found.length === 0 ? undefined : `environment variable(s) ${found.join(", ")} look like credentials`;
    },
  ),
  resource(
    {
      id: "PC-AWS-LMB-002",
      title: "Lambda functions are traced",
      severity: "advisory",
      remediation: 'Set tracingConfig { mode: "Active" }.',
      references: ["CKV_AWS_50", "AVD-AWS-0066"],
      types: ["aws:lambda/function:Function"],
    },
    (r) => (at(r.inputs, "tracingConfig.mode") === "Active" ? undefined : "tracingConfig.mode is not Active"),
  ),
  resource(
    {
      id: "PC-AWS-EKS-001",
      title: "EKS API endpoint is not open to the internet",
      severity: "advisory",
      remediation: "Set vpcConfig.endpointPublicAccess: false, or limit publicAccessCidrs to known ranges.",
      references: ["CKV_AWS_39", "AVD-AWS-0040", "AVD-AWS-0041"],
      types: ["aws:eks/cluster:Cluster"],
    },
    (r) => {
      if (at(r.inputs, "vpcConfig.endpointPublicAccess") === false) return undefined;
      return limitedRanges(at(r.inputs, "vpcConfig.publicAccessCidrs")) ? undefined : "the public endpoint accepts 0.0.0.0/0";
    },
  ),
  resource(
    {
      id: "PC-AWS-EKS-002",
      title: "EKS encrypts Kubernetes secrets",
      severity: "advisory",
      remediation: 'Set encryptionConfig { resources: ["secrets"], provider: { keyArn } }.',
      references: ["CKV_AWS_58", "AVD-AWS-0039"],
      types: ["aws:eks/cluster:Cluster"],
    },
    (r) => (list(at(r.inputs, "encryptionConfig.resources")).includes("secrets") ? undefined : "encryptionConfig does not cover secrets"),
  ),
  resource(
    {
      id: "PC-AWS-EKS-003",
      title: "EKS control plane logging is on",
      severity: "advisory",
      remediation: 'Set enabledClusterLogTypes to ["api", "audit", "authenticator", "controllerManager", "scheduler"].',
      references: ["CKV_AWS_37", "AVD-AWS-0038"],
      types: ["aws:eks/cluster:Cluster"],
    },
    (r) => {
      const missing = ["api", "audit", "authenticator", "controllerManager", "scheduler"].filter((t) => !list(r.inputs["enabledClusterLogTypes"]).includes(t));
      return missing.length === 0 ? undefined : `enabledClusterLogTypes lacks ${missing.join(", ")}`;
    },
  ),
  resource(
    {
      id: "PC-AWS-BKP-001",
      title: "Backup vaults use a customer managed key",
      severity: "advisory",
      remediation: "Set kmsKeyArn to a customer managed KMS key.",
      references: ["CKV_AWS_166"],
      types: ["aws:backup/vault:Vault"],
    },
    (r) => (r.inputs["kmsKeyArn"] === undefined ? "kmsKeyArn is unset" : undefined),
  ),
  stack(
    {
      id: "PC-AWS-WAF-001",
      title: "WAF web ACLs log requests",
      severity: "advisory",
      remediation: "Attach an aws.wafv2.WebAclLoggingConfiguration to the web ACL.",
      references: ["CKV2_AWS_31"],
      types: ["aws:wafv2/webAcl:WebAcl"],
    },
    (r, context) => (attached(context, r, ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"]).length > 0 ? undefined : "no WebAclLoggingConfiguration is attached"),
  ),
];

export const awsRules: readonly Rule[] = [...s3, ...rds, ...ec2, ...keys, ...elb, ...ecs, ...iam, ...data];
