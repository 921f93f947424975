import * as aws from "@pulumi/aws";
import { PolycloudError } from "@polycloud/core";
import { runProgram } from "@polycloud/testing";
import { BACKUP_MANAGED_POLICIES, BackupPlan, backupProblems, type BackupPlanArgs } from "./backup-plan";

const VAULT = "aws:backup/vault:Vault";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const PLAN = "aws:backup/plan:Plan";
const SELECTION = "aws:backup/selection:Selection";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

const database = "arn:aws:rds:us-east-1:123456789012:db:shop-dev-database";
const bucket = "arn:aws:s3:::shop-dev-assets-0a1b2c";
const daily = { schedule: "daily", retentionDays: 7, crossRegion: false } as const;

const run = (extra: Partial<BackupPlanArgs> = {}) =>
  runProgram(() => {
    new BackupPlan("shop-backup", { app: "shop", backup: daily, resources: [database, bucket], ...extra });
  }, { provider: "aws" });

describe("BackupPlan", () => {
  it("backs the resources up daily into a vault encrypted with a customer key, through a role with AWS's backup and restore policies, when defaults are used", async () => {
    const plan = await run();
    const key = plan.find(aws.kms.Key);
    const vault = plan.find(VAULT);
    expect(vault.inputs).toMatchObject({ name: "shop-dev-backup-vault", kmsKeyArn: key.outputs.arn, forceDestroy: false });
    expect(vault.inputs.region).toBeUndefined();
    expect(plan.find(PLAN).inputs.rules).toEqual([
      expect.objectContaining({ ruleName: "daily", targetVaultName: vault.outputs.name, schedule: "cron(0 5 ? * * *)", startWindow: 60, completionWindow: 480, lifecycle: { deleteAfter: 7 } }),
    ]);
    expect(plan.find(PLAN).inputs.rules[0].copyActions).toBeUndefined();
    const role = plan.find(aws.iam.Role);
    const selection = plan.find(SELECTION);
    expect(selection.inputs).toMatchObject({ planId: plan.find(PLAN).id, iamRoleArn: role.outputs.arn, resources: [database, bucket] });
    // The selection waits for the role's policies: AWS Backup checks them when the selection is created.
    for (const attachment of plan.resources(ATTACHMENT)) expect(selection.dependencies).toContain(attachment.urn);
    expect(plan.resources(ATTACHMENT).map((a) => a.inputs.policyArn)).toEqual(BACKUP_MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`));
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    plan.resourceCountIs(LOCK, 0);
    expect(vault.options.protect).toBe(false);
    plan.resourceCountIs(NOTIFICATIONS, 0);
    plan.resourceCountIs(RULE, 0);
    plan.resourceCountIs(TARGET, 0);
  });

  it("sends failed backup, copy and restore jobs, and never successful ones, to the topic through an EventBridge rule when notificationTopicArn is set", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:shop-dev-monitoring-warning";
    const plan = await run({ notificationTopicArn: topic });
    const rule = plan.find(RULE);
    expect(rule.inputs.name).toBe("shop-dev-backup-failures");
    expect(JSON.parse(rule.inputs.eventPattern as string)).toEqual({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
      detail: { state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] },
    });
    const target = plan.find(TARGET).inputs;
    expect(target).toMatchObject({ rule: rule.outputs.name, arn: topic });
    // No role: a role breaks EventBridge's delivery to KMS-encrypted topics; the topic's policy admits it.
    expect(target.roleArn).toBeUndefined();
    // A readable message, which the Slack forwarder posts as is, rather than the event's JSON.
    expect(target.inputTransformer.inputPaths).toMatchObject({ state: "$.detail.state", resource: "$.detail.resourceArn", reason: "$.detail.statusMessage" });
    expect(JSON.parse(target.inputTransformer.inputTemplate as string)).toMatch(/^AWS Backup <detailType>: <state> for <resource> .*<reason>$/);
    // Vault notifications cannot leave out successes (AWS no longer sends BACKUP_JOB_FAILED).
    plan.resourceCountIs(NOTIFICATIONS, 0);
  });

  it("protects and governance-locks the vault for the retention, hourly, when the environment is production", async () => {
    const plan = await run({ environment: "production", backup: { ...daily, schedule: "hourly", retentionDays: 35 } });
    const vault = plan.find(VAULT);
    expect(vault.options.protect).toBe(true);
    expect(plan.find(aws.kms.Key).options.protect).toBe(true);
    const lock = plan.find(LOCK).inputs;
    expect(lock).toMatchObject({ backupVaultName: vault.outputs.name, minRetentionDays: 35 });
    expect(lock.changeableForDays).toBeUndefined();
    expect(plan.find(PLAN).inputs.rules[0]).toMatchObject({ schedule: "cron(0 * ? * * *)", completionWindow: 120, lifecycle: { deleteAfter: 35 } });
  });

  it("copies every recovery point to a vault with its own key in backupRegion when crossRegion is true", async () => {
    const plan = await run({ backup: { ...daily, crossRegion: true }, backupRegion: "eu-west-1" });
    const copy = plan.find(VAULT, "shop-backup-copy-vault");
    const copyKey = plan.find(aws.kms.Key, "shop-backup-copy-key");
    expect(copy.inputs).toMatchObject({ region: "eu-west-1", kmsKeyArn: copyKey.outputs.arn });
    expect(copyKey.inputs.region).toBe("eu-west-1");
    expect(copy.outputs.arn).toMatch(/^arn:aws:backup:eu-west-1:/);
    expect(plan.find(PLAN).inputs.rules[0].copyActions).toEqual([{ destinationVaultArn: copy.outputs.arn, lifecycle: { deleteAfter: 7 } }]);
  });

  it.each([
    ["crossRegion without a backup region", { backup: { ...daily, crossRegion: true } }, /backupRegion: is required when backup\.crossRegion is true: the copies need a second region; set backupRegion, e\.g\. "us-west-2"/],
    ["a backup region that is not a region", { backup: { ...daily, crossRegion: true }, backupRegion: "Oregon" }, /backupRegion: "Oregon" is not an AWS region name/],
    ["nothing to back up", { resources: [] }, /resources: is empty: there is nothing to back up/],
  ] as const)("throws PolycloudError before creating anything when given %s", async (_, extra, message) => {
    const error = await run(extra).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolycloudError);
    expect((error as Error).message).toMatch(message);
  });
});

describe("backupProblems", () => {
  it("needs no backup region when copies stay in the region", () => {
    expect(backupProblems({ backup: daily })).toEqual([]);
  });
});
