import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { PolycloudError, type CacheSpec } from "@polycloud/core";
import { runProgram, type Plan } from "@polycloud/testing";
import { Cache, type CacheArgs } from "./cache";
import { EGRESS, existingNetwork, INGRESS } from "./__tests__/fixtures";

const spec = (overrides: Partial<CacheSpec> = {}): CacheSpec => ({ engine: "redis", version: "7", majorVersion: 7, size: "small", highAvailability: false, ...overrides });
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

const run = (cache: CacheSpec, extra: Partial<CacheArgs> = {}) =>
  runProgram(() => {
    const c = new Cache("cache", { app: "shop", cache, network: existingNetwork(), ...extra });
    return { connection: c.connectionSecret, nodes: c.nodeIds };
  }, { provider: "aws" });

describe("Cache", () => {
  // The defaults, planned once for every test that reads them (plans are costly).
  let defaults: Plan;
  beforeAll(async () => {
    defaults = await run(spec());
  }, 60_000);

  it("encrypts at rest and in transit with a generated AUTH token in isolated subnets when defaults are used", () => {
    const plan = defaults;
    const group = plan.find(aws.elasticache.ReplicationGroup);
    const key = plan.find(aws.kms.Key);
    expect(group.inputs).toMatchObject({
      replicationGroupId: "shop-dev-cache",
      engine: "redis",
      engineVersion: "7.1",
      nodeType: "cache.t4g.small",
      port: 6379,
      numCacheClusters: 1,
      automaticFailoverEnabled: false,
      multiAzEnabled: false,
      atRestEncryptionEnabled: true,
      kmsKeyId: key.outputs.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      snapshotRetentionLimit: 7,
      finalSnapshotIdentifier: `shop-dev-cache-final-${plan.find(random.RandomId).outputs.hex}`,
      securityGroupIds: [plan.find(aws.ec2.SecurityGroup).id],
    });
    expect(group.secretInputs).toContain("authToken");
    expect(plan.find(random.RandomPassword).inputs).toMatchObject({ length: 64, special: false });
    expect(plan.find("aws:elasticache/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual(["subnet-iso1", "subnet-iso2"]);
    const logGroup = plan.find(aws.cloudwatch.LogGroup);
    expect(logGroup.inputs.kmsKeyId).toBe(key.outputs.arn);
    expect(plan.find(REPLICATION_GROUP).inputs.logDeliveryConfigurations).toEqual([
      { destination: logGroup.outputs.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
      { destination: logGroup.outputs.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "engine-log" },
    ]);
    plan.resourceCountIs(INGRESS, 0);
    expect(group.options.protect).toBe(false);
  });

  it("stores REDIS_URL with the token in a Secrets Manager secret and references it when built", () => {
    const plan = defaults;
    const value = JSON.parse(plan.find(SECRET_VERSION).inputs.secretString as string);
    expect(value.url).toBe(`rediss://:${value.authToken}@${value.host}:6379`);
    expect(plan.find(SECRET_VERSION).secretInputs).toContain("secretString");
    const secret = plan.find(aws.secretsmanager.Secret);
    expect(plan.outputs.connection).toMatchObject({ envName: "REDIS_URL", location: { secretArn: secret.outputs.arn, jsonKey: "url" } });
  });

  it("exposes the generated AUTH token only as a secret output when built", async () => {
    const plan = await runProgram(() => ({ authToken: new Cache("cache", { app: "shop", cache: spec(), network: existingNetwork() }).authToken }), { provider: "aws" });
    expect(plan.secretOutputs).toEqual(["authToken"]);
    expect(plan.outputs.authToken).toBe(plan.find(random.RandomPassword).outputs.result);
  });

  it("adds a replica with automatic failover across zones and protects it when highAvailability is on in production", async () => {
    const plan = await run(spec({ highAvailability: true, size: "large" }), { environment: "production" });
    const group = plan.find(aws.elasticache.ReplicationGroup);
    expect(group.inputs).toMatchObject({ numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true, nodeType: "cache.r7g.xlarge", snapshotRetentionLimit: 30 });
    expect(group.options.protect).toBe(true);
    expect(plan.outputs.nodes).toEqual(["shop-prd-cache-001", "shop-prd-cache-002"]);
  });

  it("admits only the named security group on 6379 when allowedSecurityGroups is set", async () => {
    const plan = await run(spec(), { allowedSecurityGroups: { api: "sg-api" } });
    const cacheGroup = plan.find(aws.ec2.SecurityGroup).id;
    plan.hasResource(INGRESS, { securityGroupId: cacheGroup, referencedSecurityGroupId: "sg-api", fromPort: 6379, toPort: 6379 });
    plan.hasResource(EGRESS, { securityGroupId: "sg-api", referencedSecurityGroupId: cacheGroup, fromPort: 6379 });
    plan.resourceCountIs(INGRESS, 1);
  });

  it("keeps snapshots for the given days when snapshotRetentionDays is set", async () => {
    const plan = await run(spec(), { snapshotRetentionDays: 0 });
    expect(plan.find(REPLICATION_GROUP).inputs.snapshotRetentionLimit).toBe(0);
  });

  it("throws PolycloudError naming cache.version when the version has no ElastiCache release", async () => {
    const error = await run(spec({ version: "8", majorVersion: 8 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as Error).message).toMatch(/cache\.version: "8" has no ElastiCache Redis OSS release; allowed: 6, 7, 6.x, 6.0, 6.2, 7.0, 7.1/);
  });
});
