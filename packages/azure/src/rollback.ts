/**
 * Rollback on alerts, for canary and blue-green deployments while a rollout is in progress (a stable
 * revision is set and is not the latest one). Two alerts watch the new revision:
 *
 * - a log alert (scheduled query rule) over its Application Insights requests: the share of 5xx answers
 *   above the SLO's error rate over the last five minutes;
 * - with `rollback.onHealthCheckFailure`, a metric alert on the container app's `RestartCount` split by
 *   `revisionName`: any restart of one of its replicas (a failed startup or liveness probe, a crash).
 *
 * Both go to an action group whose one receiver is a Logic App (Consumption), which PATCHes the container
 * app through Azure Resource Manager with all traffic on the stable revision. The Logic App runs as a
 * user-assigned identity of its own, allowed "Container Apps Contributor" on that one container app only.
 *
 * Request, workflow definition and query are plain values (`rollbackRequest`, `rollbackWorkflowDefinition`,
 * `revisionErrorQuery`); `createRollback` turns them into resources.
 */
import * as logic from "@pulumi/azure-native/logic";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import type * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { transformed, type Transform } from "@polycloud/core";
import { assignRole } from "./access";
import { AZURE_SEVERITY, isoMinutes } from "./log-alerts";
import { childOptions, placed, type Scope } from "./scope";

/** The Container Apps API version of the rollback's PATCH. */
export const CONTAINER_APPS_API_VERSION = "2024-03-01";
/** Minutes of requests the new revision's error ratio is computed over (the log alert's period). */
export const ROLLBACK_WINDOW_MINUTES = 5;
/** The Logic App's trigger, which the action group calls. */
export const ROLLBACK_TRIGGER = "alert";

/** Whether a deployment is a rollout still in progress: a stable revision that is not the latest one. */
export function inRollout(latest: string, stable: string | undefined): stable is string {
  return stable !== undefined && stable !== latest;
}

/** A Logic App HTTP action's inputs: the ARM request that puts all traffic back on the stable revision. */
export interface RollbackRequest {
  readonly method: "PATCH";
  readonly uri: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly properties: { readonly configuration: { readonly ingress: { readonly traffic: readonly { readonly revisionName: string; readonly weight: number }[] } } } };
  readonly authentication: { readonly type: "ManagedServiceIdentity"; readonly identity: string; readonly audience: string };
}

/**
 * The request: a JSON merge patch of the container app (its other settings untouched, the traffic list
 * replaced) with 100% on `stable`, authenticated as the user-assigned identity `identityId`.
 */
export function rollbackRequest(containerAppId: string, stable: string, identityId: string): RollbackRequest {
  return {
    method: "PATCH",
    uri: `https://management.azure.com${containerAppId}?api-version=${CONTAINER_APPS_API_VERSION}`,
    headers: { "Content-Type": "application/json" },
    body: { properties: { configuration: { ingress: { traffic: [{ revisionName: stable, weight: 100 }] } } } },
    authentication: { type: "ManagedServiceIdentity", identity: identityId, audience: "https://management.azure.com/" },
  };
}

/**
 * The workflow: an HTTP request trigger (the action group posts the common alert schema to it) and, only
 * when the alert fired (not when it resolved), the rollback request.
 */
export function rollbackWorkflowDefinition(request: RollbackRequest): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    contentVersion: "1.0.0.0",
    triggers: { [ROLLBACK_TRIGGER]: { type: "Request", kind: "Http", inputs: { schema: {} } } },
    actions: {
      fired: {
        type: "If",
        expression: { and: [{ equals: ["@triggerBody()?['data']?['essentials']?['monitorCondition']", "Fired"] }] },
        actions: { rollback: { type: "Http", inputs: request, runAfter: {} } },
        runAfter: {},
      },
    },
    outputs: {},
  };
}

const kqlString = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * The new revision's 5xx ratio above the SLO's error rate, as KQL over `AppRequests`: requests of the
 * service (its OpenTelemetry service name) from replicas of `revision` (the role instance is the
 * replica's host name, `<revision>-<suffix>`).
 */
export function revisionErrorQuery(role: string, revision: string, errorRatePercent: number): string {
  return [
    `AppRequests | where TimeGenerated > ago(${ROLLBACK_WINDOW_MINUTES}m) and AppRoleName == ${kqlString(role)} and AppRoleInstance startswith ${kqlString(`${revision}-`)}`,
    "| summarize ratio = todouble(countif(toint(ResultCode) >= 500)) / count()",
    `| where ratio > ${errorRatePercent / 100}`,
  ].join("\n");
}

export interface RollbackArgs {
  /** The spec's service name (its telemetry's role name) and its container app. */
  readonly serviceName: string;
  readonly containerApp: { readonly id: pulumi.Output<string>; readonly latestRevisionName: pulumi.Output<string> };
  /** The revision to restore. */
  readonly stable: string;
  /** The rollout is aborted: the stable revision already takes all traffic, so the alerts stand down as after a promote. @default false */
  readonly aborted?: boolean;
  /** The SLO's error rate: the new revision's 5xx ratio above it rolls back. */
  readonly errorRatePercent: number;
  /** Also roll back when a replica of the new revision restarts. */
  readonly onHealthCheckFailure: boolean;
  /** The Log Analytics workspace with Application Insights' tables. */
  readonly workspaceId: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
}

/** Adjust any of the rollback's children (partial args merged over ours, or a function). */
export interface RollbackTransforms {
  rollbackIdentity?: Transform<managedidentity.UserAssignedIdentityArgs>;
  /** Every role assignment of the component, the rollback's among them. */
  roleAssignment?: Transform<authorization.RoleAssignmentArgs>;
  rollbackWorkflow?: Transform<logic.WorkflowArgs>;
  rollbackActionGroup?: Transform<monitor.ActionGroupArgs>;
  rollbackAlert?: Transform<monitor.ScheduledQueryRuleArgs>;
  rollbackHealthAlert?: Transform<monitor.MetricAlertArgs>;
}

export interface Rollback {
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly workflow: logic.Workflow;
  readonly actionGroup: monitor.ActionGroup;
  readonly errorAlert: monitor.ScheduledQueryRule;
  readonly healthAlert?: monitor.MetricAlert;
}

/** The rollback of one container app: runner, its identity and grant, action group and alerts (enabled only while the rollout is in progress). */
export function createRollback(scope: Scope, name: string, args: RollbackArgs, t: RollbackTransforms = {}): Rollback {
  const opts = childOptions(scope);
  const { containerApp, stable } = args;
  const identity = new managedidentity.UserAssignedIdentity(...transformed(`${name}-rollback-identity`, { ...placed(scope) }, opts, t.rollbackIdentity));
  // Writing this one container app, nothing else: the PATCH needs Microsoft.App/containerApps/write.
  const grant = assignRole(scope, `${name}-rollback-writes-app`, { principalId: identity.principalId, role: "containerAppsContributor", scope: containerApp.id, subscriptionId: args.subscriptionId }, t.roleAssignment);
  const workflow = new logic.Workflow(
    ...transformed(
      `${name}-rollback`,
      {
        ...placed(scope),
        state: "Enabled",
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        definition: pulumi.all([containerApp.id, identity.id]).apply(([appId, identityId]) => rollbackWorkflowDefinition(rollbackRequest(appId, stable, identityId))),
      },
      { ...opts, dependsOn: [grant] },
      t.rollbackWorkflow,
    ),
  );
  const callbackUrl = pulumi.secret(logic.listWorkflowTriggerCallbackUrlOutput({ resourceGroupName: scope.resourceGroupName, workflowName: workflow.name, triggerName: ROLLBACK_TRIGGER }, { parent: scope.parent }).apply((r) => r.value ?? ""));
  const actionGroup = new monitor.ActionGroup(
    ...transformed(
      `${name}-rollback`,
      {
        resourceGroupName: scope.resourceGroupName,
        location: "global",
        enabled: true,
        groupShortName: "rollback",
        logicAppReceivers: [{ name: "rollback", resourceId: workflow.id, callbackUrl, useCommonAlertSchema: true }],
        tags: scope.tags,
      },
      opts,
      t.rollbackActionGroup,
    ),
  );
  const enabled = containerApp.latestRevisionName.apply((latest) => args.aborted !== true && inRollout(latest, stable));
  const summary = `${args.serviceName}: new revision's 5xx ratio above ${args.errorRatePercent}% over ${ROLLBACK_WINDOW_MINUTES} minutes; traffic goes back to ${stable}`;
  const window = isoMinutes(ROLLBACK_WINDOW_MINUTES);
  const errorAlert = new monitor.ScheduledQueryRule(
    ...transformed(
      `${name}-rollback-errors`,
      {
        ...placed(scope),
        kind: "LogAlert",
        displayName: `${scope.app} ${args.serviceName}-rollback-errors`,
        description: summary,
        severity: AZURE_SEVERITY.critical,
        enabled,
        scopes: [args.workspaceId],
        evaluationFrequency: window,
        windowSize: window,
        criteria: {
          allOf: [
            {
              query: containerApp.latestRevisionName.apply((latest) => revisionErrorQuery(args.serviceName, latest, args.errorRatePercent)),
              timeAggregation: "Count",
              operator: "GreaterThan",
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        autoMitigate: true,
        actions: { actionGroups: [actionGroup.id] },
        tags: { ...scope.tags, "polycloud-rollback-to": stable },
      },
      opts,
      t.rollbackAlert,
    ),
  );
  if (!args.onHealthCheckFailure) return { identity, workflow, actionGroup, errorAlert };
  const healthAlert = new monitor.MetricAlert(
    ...transformed(
      `${name}-rollback-restarts`,
      {
        resourceGroupName: scope.resourceGroupName,
        location: "global",
        description: `${args.serviceName}: a replica of the new revision restarted (failed startup or liveness probe, or a crash); traffic goes back to ${stable}`,
        severity: AZURE_SEVERITY.critical,
        enabled,
        scopes: [containerApp.id],
        evaluationFrequency: "PT1M",
        windowSize: window,
        criteria: {
          odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
          allOf: [
            {
              criterionType: "StaticThresholdCriterion",
              name: "restarts",
              metricNamespace: "Microsoft.App/containerApps",
              metricName: "RestartCount",
              dimensions: [{ name: "revisionName", operator: "Include", values: [containerApp.latestRevisionName] }],
              timeAggregation: "Total",
              operator: "GreaterThan",
              threshold: 0,
            },
          ],
        },
        autoMitigate: true,
        actions: [{ actionGroupId: actionGroup.id }],
        tags: { ...scope.tags, "polycloud-rollback-to": stable },
      },
      opts,
      t.rollbackHealthAlert,
    ),
  );
  return { identity, workflow, actionGroup, errorAlert, healthAlert };
}
