/**
 * Diagnostic settings: every resource that emits logs or metrics sends all of them to the
 * application's Log Analytics workspace, where alerts, the workbook and auditors read them.
 */
import * as monitor from "@pulumi/azure-native/monitor";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { childOptions, type Scope } from "./scope";

/** What a resource sends: its log categories (all, by category group) and its metrics. */
export interface DiagnosticsOptions {
  /** Send the `allLogs` category group. Resources without diagnostic logs (some sub-resources) say false. @default true */
  readonly logs?: boolean;
  /** Send `AllMetrics`. @default true */
  readonly metrics?: boolean;
}

/** The transform key of every component's diagnostic settings. */
export interface DiagnosticsTransforms {
  diagnostics?: Transform<monitor.DiagnosticSettingArgs>;
}

/** A diagnostic setting named `<name>-diagnostics` from `resourceUri` to the workspace. */
export function sendDiagnostics(
  scope: Scope,
  name: string,
  resourceUri: pulumi.Input<string>,
  workspaceId: pulumi.Input<string>,
  options: DiagnosticsOptions = {},
  transform?: Transform<monitor.DiagnosticSettingArgs>,
): monitor.DiagnosticSetting {
  return new monitor.DiagnosticSetting(
    ...transformed(
      `${name}-diagnostics`,
      {
        name: "polycloud-to-log-analytics",
        resourceUri,
        workspaceId,
        // Resource-specific tables (not AzureDiagnostics): typed columns, cheaper queries.
        logAnalyticsDestinationType: "Dedicated",
        ...(options.logs === false ? {} : { logs: [{ categoryGroup: "allLogs", enabled: true }] }),
        ...(options.metrics === false ? {} : { metrics: [{ category: "AllMetrics", enabled: true }] }),
      },
      childOptions(scope),
      transform,
    ),
  );
}
