import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import type { DatabaseSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Database, type DatabaseArgs } from "./database";
import { EGRESS, existingNetwork, INGRESS } from "./__tests__/fixtures";

const spec = (overrides: Partial<DatabaseSpec> = {}): DatabaseSpec => ({
  engine: "postgres",
  version: "16",
  majorVersion: 16,
  size: "small",
  storageGb: 50,
  name: "shop",
  highAvailability: false,
  deletionProtection: false,
  backup: { retentionDays: 7, window: "03:00-04:00" },
  ...overrides,
});

const INSTANCE = "aws:rds/instance:Instance";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

const run = (database: DatabaseSpec, extra: Partial<DatabaseArgs> = {}, program?: (db: Database) => void) =>
  runProgram(() => {
    const db = new Database("db", { app: "shop", database, network: existingNetwork(), ...extra });
    program?.(db);
    return { connection: db.connectionSecret, password: db.password };
  }, { provider: "aws" });

describe("Database", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run(spec());
  }, 60_000);

  it("is private, encrypted, TLS-only, backed up and monitored when defaults are used", () => {
    const plan = defaults;
    const instance = plan.find(aws.rds.Instance);
    const key = plan.find(aws.kms.Key);
    expect(instance.inputs).toMatchObject({
      identifier: "shop-dev-db",
      engine: "postgres",
      engineVersion: "16",
      instanceClass: "db.t4g.small",
      dbName: "shop",
      allocatedStorage: 50,
      maxAllocatedStorage: 100,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: key.outputs.arn,
      publiclyAccessible: false,
      multiAz: false,
      deletionProtection: false,
      backupRetentionPeriod: 7,
      backupWindow: "03:00-04:00",
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `shop-dev-db-final-${plan.find(random.RandomId).outputs.hex}`,
      allowMajorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      iamDatabaseAuthenticationEnabled: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.outputs.arn,
      monitoringInterval: 60,
      autoMinorVersionUpgrade: true,
      vpcSecurityGroupIds: [plan.find(aws.ec2.SecurityGroup).id],
    });
    expect(plan.find(INSTANCE).inputs.monitoringRoleArn).toBe(plan.find(aws.iam.Role).outputs.arn);
    expect(plan.find(SUBNET_GROUP).inputs.subnetIds).toEqual(["subnet-iso1", "subnet-iso2"]);
    const params = plan.find(PARAMETER_GROUP).inputs;
    expect(params.family).toBe("postgres16");
    expect(params.parameters).toContainEqual({ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" });
    expect(instance.options.protect).toBe(false);
    // RDS exports its logs into encrypted log groups with retention, created before the instance.
    const logGroups = plan.resources(aws.cloudwatch.LogGroup);
    expect(logGroups.map((g) => g.inputs)).toEqual([
      expect.objectContaining({ name: "/aws/rds/instance/shop-dev-db/postgresql", retentionInDays: 14, kmsKeyId: key.outputs.arn }),
      expect.objectContaining({ name: "/aws/rds/instance/shop-dev-db/upgrade", retentionInDays: 14, kmsKeyId: key.outputs.arn }),
    ]);
    for (const group of logGroups) expect(instance.dependencies).toContain(group.urn);
    expect(JSON.parse(key.inputs.policy as string).Statement.map((s: { Sid: string }) => s.Sid)).toContain("CloudWatchLogsEncrypts");
  });

  it("keeps its logs for logRetentionDays when set", async () => {
    const plan = await run(spec(), { logRetentionDays: 90 });
    expect(plan.resources(aws.cloudwatch.LogGroup).map((g) => g.inputs.retentionInDays)).toEqual([90, 90]);
  });

  it("keeps the master password secret and stores it with DATABASE_URL in Secrets Manager when built", () => {
    const plan = defaults;
    expect(plan.find(random.RandomPassword).inputs).toMatchObject({ length: 32, special: true });
    expect(plan.find(aws.rds.Instance).secretInputs).toContain("password");
    expect(plan.secretOutputs).toContain("password");
    const version = plan.find(SECRET_VERSION);
    expect(version.secretInputs).toContain("secretString");
    const value = JSON.parse(version.inputs.secretString as string);
    expect(value).toMatchObject({ engine: "postgres", username: "app_admin", dbname: "shop", port: 5432 });
    expect(value.url).toBe(`postgres://app_admin:${value.password}@${value.host}:5432/shop?sslmode=require`);
    const secret = plan.find(aws.secretsmanager.Secret);
    expect(secret.inputs.kmsKeyId).toBe(plan.find(aws.kms.Key).outputs.arn);
    expect(plan.outputs.connection).toEqual({ envName: "DATABASE_URL", location: { secretArn: secret.outputs.arn, jsonKey: "url", keyArn: plan.find(aws.kms.Key).outputs.arn } });
  });

  it("admits nothing when no client is allowed", () => {
    const plan = defaults;
    plan.resourceCountIs(INGRESS, 0);
    plan.resourceCountIs(EGRESS, 0);
  });

  it("admits only the named security group on 5432, both ways, when allowFrom is called", async () => {
    const plan = await run(spec(), {}, (db) => db.allowFrom("api", "sg-api"));
    const dbGroup = plan.find(aws.ec2.SecurityGroup).id;
    plan.hasResource(INGRESS, { securityGroupId: dbGroup, referencedSecurityGroupId: "sg-api", fromPort: 5432, toPort: 5432, ipProtocol: "tcp" });
    plan.hasResource(EGRESS, { securityGroupId: "sg-api", referencedSecurityGroupId: dbGroup, fromPort: 5432, toPort: 5432 });
    for (const rule of plan.resources(INGRESS)) expect(rule.inputs.cidrIpv4).toBeUndefined();
  });

  it("is Multi-AZ, deletion-protected and protected when the spec is production", async () => {
    const plan = await run(spec({ highAvailability: true, deletionProtection: true, backup: { retentionDays: 30, window: "02:00-03:00" } }), { environment: "production" });
    const instance = plan.find(aws.rds.Instance);
    expect(instance.inputs).toMatchObject({ multiAz: true, deletionProtection: true, backupRetentionPeriod: 30, backupWindow: "02:00-03:00" });
    expect(instance.options.protect).toBe(true);
    expect(plan.find(aws.kms.Key).options.protect).toBe(true);
    expect(plan.find(aws.secretsmanager.Secret).options.protect).toBe(true);
  });

  it.each([
    ["medium", "14", "db.m7g.large", "postgres14"],
    ["large", "17", "db.r7g.xlarge", "postgres17"],
  ] as const)("uses the %s class and the family of version %s when they are set", async (size, version, instanceClass, family) => {
    const plan = await run(spec({ size, version, majorVersion: Number(version) }));
    expect(plan.find(aws.rds.Instance).inputs).toMatchObject({ instanceClass, engineVersion: version });
    expect(plan.find(PARAMETER_GROUP).inputs.family).toBe(family);
  });

  it("turns Enhanced Monitoring off and creates no role when the interval is 0", async () => {
    const plan = await run(spec(), { monitoringIntervalSeconds: 0 });
    plan.resourceCountIs(aws.iam.Role, 0);
    expect(plan.find(INSTANCE).inputs.monitoringInterval).toBe(0);
  });

  it("applies user settings when username, maxStorageGb and maintenanceWindow are set", async () => {
    const plan = await run(spec(), { username: "owner", maxStorageGb: 500, maintenanceWindow: "sun:05:00-sun:06:00" });
    expect(plan.find(aws.rds.Instance).inputs).toMatchObject({ username: "owner", maxAllocatedStorage: 500, maintenanceWindow: "sun:05:00-sun:06:00" });
  });
});
