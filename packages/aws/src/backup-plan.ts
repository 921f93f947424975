import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { AWS_REGION, PolycloudError, transformed, type CommonArgs, type Problem, type ResolvedSpec, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { createKey, type KeyTransforms } from "./keys";
import type { AccountContext } from "./policies";
import { createServiceRole, type RoleTransforms } from "./roles";
import { accountContext, childOptions, physicalNameOf, scopeOf, type Scope } from "./scope";

/** The spec's `backup` section. */
export type BackupSpec = ResolvedSpec["backup"];

/**
 * When backups start (UTC): daily at 05:00, after the default RDS backup window (03:00-04:00), since
 * AWS Backup waits while RDS takes its own automated backup; hourly on the hour.
 */
export const BACKUP_SCHEDULES: Readonly<Record<BackupSpec["schedule"], string>> = { daily: "cron(0 5 ? * * *)", hourly: "cron(0 * ? * * *)" };

/**
 * The AWS managed policies of the backup role: back up and restore RDS and the other services, and S3
 * (which has policies of its own).
 */
export const BACKUP_MANAGED_POLICIES = [
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
  "AWSBackupServiceRolePolicyForS3Backup",
  "AWSBackupServiceRolePolicyForS3Restore",
] as const;

/**
 * The AWS Backup events sent to `notificationTopicArn`: backup, copy and restore jobs that did not finish
 * well. The states are those AWS documents for the three event types (backup: ABORTED, EXPIRED, FAILED,
 * PARTIAL; copy: FAILED, PARTIAL; restore: ABORTED, FAILED); successful jobs are left out, since an
 * hourly plan would otherwise notify every hour. (Vault notifications cannot do this: AWS no longer
 * sends `BACKUP_JOB_FAILED`, and `BACKUP_JOB_COMPLETED` includes the successes.)
 */
export const BACKUP_FAILURE_PATTERN = {
  source: ["aws.backup"],
  "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
  detail: { state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] },
} as const;

/** A one-line message for a failed job (the Slack forwarder posts it as is), instead of the event's JSON. */
const FAILURE_MESSAGE = {
  inputPaths: { detailType: "$.detail-type", state: "$.detail.state", resource: "$.detail.resourceArn", reason: "$.detail.statusMessage", account: "$.account", region: "$.region", time: "$.time" },
  inputTemplate: '"AWS Backup <detailType>: <state> for <resource> (account <account>, <region>, <time>). <reason>"',
};

export interface BackupPlanArgs extends CommonArgs {
  readonly backup: BackupSpec;
  /**
   * ARNs of what to back up: RDS instances, S3 buckets (with versioning on, which AWS Backup needs), or
   * anything else AWS Backup supports.
   */
  readonly resources: readonly pulumi.Input<string>[];
  /**
   * The region that receives a copy of every backup; required when `backup.crossRegion` is true.
   * @default - none
   */
  readonly backupRegion?: string;
  /**
   * A vault lock in governance mode on both vaults: no recovery point can be deleted before the retention
   * ends, except by a principal allowed `backup:DeleteBackupVaultLockConfiguration`. (Compliance mode,
   * which nobody can undo, is never a default.)
   * @default true in production, false elsewhere
   */
  readonly vaultLock?: boolean;
  /**
   * The SNS topic that hears of failed, aborted, expired or partial backup, copy and restore jobs
   * ({@link BACKUP_FAILURE_PATTERN}), through an EventBridge rule, e.g. a `Monitoring`'s warning topic.
   * Its policy must let `events.amazonaws.com` publish (and its KMS key let the service use it), as a
   * `Monitoring`'s topics do.
   * @default - none: no rule, nobody hears of a failed backup
   */
  readonly notificationTopicArn?: pulumi.Input<string>;
  /** When backups start, as an AWS Backup cron expression (UTC). @default {@link BACKUP_SCHEDULES}[backup.schedule] */
  readonly scheduleExpression?: string;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: KeyTransforms & {
    copyKey?: KeyTransforms;
    vault?: Transform<aws.backup.VaultArgs>;
    vaultLock?: Transform<aws.backup.VaultLockConfigurationArgs>;
    role?: RoleTransforms;
    plan?: Transform<aws.backup.PlanArgs>;
    selection?: Transform<aws.backup.SelectionArgs>;
    failureRule?: Transform<aws.cloudwatch.EventRuleArgs>;
    failureTarget?: Transform<aws.cloudwatch.EventTargetArgs>;
  };
}

/** Problems with a backup plan's args, before anything is created (the application model checks specs earlier). */
export function backupProblems(args: Pick<BackupPlanArgs, "backup" | "backupRegion">): Problem[] {
  if (!args.backup.crossRegion) return [];
  if (args.backupRegion === undefined) {
    return [{ path: "backupRegion", message: "is required when backup.crossRegion is true: the copies need a second region", fix: 'set backupRegion, e.g. "us-west-2", or set backup.crossRegion to false' }];
  }
  if (!AWS_REGION.test(args.backupRegion)) {
    return [{ path: "backupRegion", message: `"${args.backupRegion}" is not an AWS region name`, fix: 'set backupRegion to a region such as "us-west-2"' }];
  }
  return [];
}

/**
 * AWS Backup for an application: a vault encrypted with a customer KMS key (no `forceDestroy`; locked
 * and protected in production), a plan that backs up on the spec's schedule and keeps recovery points
 * for its retention, a selection of the given resources with a role that has AWS's backup and restore
 * policies and, with `crossRegion`, a copy of every recovery point in a vault of `backupRegion`
 * (encrypted with a key of that region, kept as long). With `notificationTopicArn`, an EventBridge rule
 * sends failed backup, copy and restore jobs (never successful ones) to that topic.
 *
 * The copy vault and its key are created in the other region with the resource-level `region` of the AWS
 * provider v7, so they use the same credentials as the rest of the stack (a separate provider would
 * not read the stack's `aws:` config).
 *
 * @example
 * new BackupPlan("shop", { app: "shop", backup: spec.backup, resources: [db.instance.arn, assets.arn] });
 */
export class BackupPlan extends PolycloudComponent {
  readonly vault: aws.backup.Vault;
  /** The vault in `backupRegion`, when `crossRegion`. */
  readonly copyVault?: aws.backup.Vault;
  readonly plan: aws.backup.Plan;
  readonly role: aws.iam.Role;

  constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("aws", "BackupPlan", name, args, opts);
    const problems = backupProblems(args);
    if (args.resources.length === 0) problems.push({ path: "resources", message: "is empty: there is nothing to back up", fix: "pass the ARNs of the database and buckets" });
    PolycloudError.throwIfAny(problems, `Invalid backup plan ${name}`);
    const scope = scopeOf(this, "backup", name);
    const t = args.transform ?? {};
    const account = accountContext(this);
    const { schedule, retentionDays } = args.backup;
    const lock = args.vaultLock ?? scope.environment === "production";

    this.vault = createVault(scope, { suffix: "vault", keySuffix: "key", account, retentionDays, lock, transforms: t, keyTransforms: t });
    if (args.backup.crossRegion) {
      this.copyVault = createVault(scope, { suffix: "copy-vault", keySuffix: "copy-key", account, retentionDays, lock, region: args.backupRegion!, transforms: t, keyTransforms: t.copyKey ?? {} });
    }
    const role = createServiceRole(scope, "role", {
      service: "backup.amazonaws.com",
      account,
      managedPolicies: BACKUP_MANAGED_POLICIES,
      // AWS Backup does not document aws:SourceAccount on the role it assumes: the condition could lock it out.
      sourceAccountCondition: false,
      ...(t.role === undefined ? {} : { transforms: t.role }),
    });
    this.role = role.role;
    const lifecycle = { deleteAfter: retentionDays };
    this.plan = new aws.backup.Plan(
      ...transformed(
        name,
        {
          name: physicalNameOf(scope, "backupVault"),
          rules: [
            {
              ruleName: schedule,
              targetVaultName: this.vault.name,
              schedule: args.scheduleExpression ?? BACKUP_SCHEDULES[schedule],
              // Start within an hour; an hourly job that runs longer than two hours is cut (the next one is due).
              startWindow: 60,
              completionWindow: schedule === "hourly" ? 120 : 480,
              lifecycle,
              recoveryPointTags: scope.tags,
              ...(this.copyVault === undefined ? {} : { copyActions: [{ destinationVaultArn: this.copyVault.arn, lifecycle }] }),
            },
          ],
          tags: scope.tags,
        },
        childOptions(scope),
        t.plan,
      ),
    );
    new aws.backup.Selection(
      ...transformed(
        `${name}-selection`,
        { name: physicalNameOf(scope, "backupVault", "selection"), planId: this.plan.id, iamRoleArn: role.arn, resources: [...args.resources] },
        childOptions(scope),
        t.selection,
      ),
    );
    if (args.notificationTopicArn !== undefined) {
      // The rule hears every AWS Backup job of the account and region: restore jobs name no vault to filter on.
      const rule = new aws.cloudwatch.EventRule(
        ...transformed(
          `${name}-failures`,
          { name: physicalNameOf(scope, "backupVault", "failures"), description: `Failed AWS Backup jobs, for ${scope.app} (${scope.environment})`, eventPattern: JSON.stringify(BACKUP_FAILURE_PATTERN), tags: scope.tags },
          childOptions(scope),
          t.failureRule,
        ),
      );
      // No roleArn: EventBridge publishes to SNS under the topic's policy (a role breaks delivery to encrypted topics).
      new aws.cloudwatch.EventTarget(
        ...transformed(
          `${name}-failures-target`,
          { rule: rule.name, arn: args.notificationTopicArn, inputTransformer: FAILURE_MESSAGE },
          childOptions(scope),
          t.failureTarget,
        ),
      );
    }
    this.registerOutputs({ vaultArn: this.vault.arn, planId: this.plan.id, ...(this.copyVault === undefined ? {} : { copyVaultArn: this.copyVault.arn }) });
  }
}

/** A vault with its own customer key, in the stack's region or in `region`; governance-locked when `lock`. */
function createVault(
  scope: Scope,
  options: {
    suffix: string;
    keySuffix: string;
    account: AccountContext;
    retentionDays: number;
    lock: boolean;
    region?: string;
    transforms: NonNullable<BackupPlanArgs["transform"]>;
    keyTransforms: KeyTransforms;
  },
): aws.backup.Vault {
  const region = options.region === undefined ? {} : { region: options.region };
  const key = createKey(scope, options.keySuffix, {
    description: `Backups of ${scope.app} (${scope.environment})${options.region === undefined ? "" : ` copied to ${options.region}`}`,
    account: options.account,
    ...region,
    transforms: options.keyTransforms,
  });
  const name = `${scope.name}-${options.suffix}`;
  const vault = new aws.backup.Vault(
    ...transformed(
      name,
      { name: physicalNameOf(scope, "backupVault", options.suffix), kmsKeyArn: key.arn, forceDestroy: false, ...region, tags: scope.tags },
      childOptions(scope, { stateful: true }),
      options.transforms.vault,
    ),
  );
  if (options.lock) {
    new aws.backup.VaultLockConfiguration(
      // No changeableForDays: governance mode, which an administrator can still remove.
      ...transformed(`${name}-lock`, { backupVaultName: vault.name, minRetentionDays: options.retentionDays, ...region }, childOptions(scope), options.transforms.vaultLock),
    );
  }
  return vault;
}
