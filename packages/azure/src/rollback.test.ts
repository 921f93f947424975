import { service } from "./__tests__/fixtures";
import { revisionErrorQuery, rollbackRequest, rollbackWorkflowDefinition } from "./rollback";

const APP = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/shop-prd-api";
const IDENTITY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/rollback";

describe("rollbackRequest", () => {
  it("PATCHes the container app through ARM with all traffic on the stable revision, as the runner's identity", () => {
    expect(rollbackRequest(APP, "shop-prd-api--stable1", IDENTITY)).toEqual({
      method: "PATCH",
      uri: `https://management.azure.com${APP}?api-version=2024-03-01`,
      headers: { "Content-Type": "application/json" },
      body: { properties: { configuration: { ingress: { traffic: [{ revisionName: "shop-prd-api--stable1", weight: 100 }] } } } },
      authentication: { type: "ManagedServiceIdentity", identity: IDENTITY, audience: "https://management.azure.com/" },
    });
  });
});

describe("rollbackWorkflowDefinition", () => {
  it("sends the request from the alert trigger only when the alert fired", () => {
    const request = rollbackRequest(APP, "shop-prd-api--stable1", IDENTITY);
    const definition = rollbackWorkflowDefinition(request) as { triggers: Record<string, unknown>; actions: { fired: { expression: unknown; actions: { rollback: unknown } } } };
    expect(definition.triggers).toEqual({ alert: { type: "Request", kind: "Http", inputs: { schema: {} } } });
    expect(definition.actions.fired.expression).toEqual({ and: [{ equals: ["@triggerBody()?['data']?['essentials']?['monitorCondition']", "Fired"] }] });
    expect(definition.actions.fired.actions.rollback).toEqual({ type: "Http", inputs: request, runAfter: {} });
  });
});

describe("revisionErrorQuery", () => {
  it.each([
    [0.5, "| where ratio > 0.005"],
    [1, "| where ratio > 0.01"],
  ])("counts the new revision's 5xx answers against an SLO error rate of %d%%", (percent, threshold) => {
    const query = revisionErrorQuery(service().name, "shop-prd-web--new1", percent);
    expect(query.split("\n")).toEqual([
      'AppRequests | where TimeGenerated > ago(5m) and AppRoleName == "web" and AppRoleInstance startswith "shop-prd-web--new1-"',
      "| summarize ratio = todouble(countif(toint(ResultCode) >= 500)) / count()",
      threshold,
    ]);
  });
});
