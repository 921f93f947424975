import * as monitor from "@pulumi/azure-native/monitor";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type CommonArgs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { childOptions, scopeOf } from "./scope";

export interface AuditLogArgs extends CommonArgs {
  /** The Log Analytics workspace that keeps the activity log (for its retention). */
  readonly workspaceId: pulumi.Input<string>;
  /** Name of the subscription diagnostic setting (one per destination). @default "polycloud-<app>-<env>-activity" */
  readonly settingName?: string;
  /** Adjust the child's args. @default {} */
  readonly transform?: { setting?: Transform<monitor.SubscriptionDiagnosticSettingArgs> };
}

/** Activity-log categories kept: who changed what, security and policy events, alerts, health. */
export const ACTIVITY_LOG_CATEGORIES = ["Administrative", "Security", "Policy", "Alert", "ServiceHealth", "ResourceHealth", "Autoscale", "Recommendation"] as const;

/**
 * The audit trail on Azure: the subscription's activity log (every control-plane operation, who made
 * it, and security and policy events) sent to the application's Log Analytics workspace, where it is
 * kept for the spec's log retention. Data-plane audit (Key Vault access, storage reads) comes from each
 * resource's diagnostic settings.
 */
export class AuditLog extends PolycloudComponent {
  readonly setting: monitor.SubscriptionDiagnosticSetting;

  constructor(name: string, args: AuditLogArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("azure", "AuditLog", name, args, opts);
    const scope = scopeOf(this, name, { resourceGroupName: "" });
    this.setting = new monitor.SubscriptionDiagnosticSetting(
      ...transformed(
        name,
        {
          name: args.settingName ?? `polycloud-${scope.app}-${scope.environment}-activity`,
          workspaceId: args.workspaceId,
          logs: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        },
        childOptions(scope),
        args.transform?.setting,
      ),
    );
    this.registerOutputs({ settingId: this.setting.id });
  }
}
