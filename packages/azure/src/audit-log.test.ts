import { runProgram } from "@polycloud/testing";
import { WORKSPACE } from "./__tests__/fixtures";
import { ACTIVITY_LOG_CATEGORIES, AuditLog } from "./audit-log";

describe("AuditLog", () => {
  it("defaults to sending every activity-log category of the subscription to the workspace", async () => {
    const plan = await runProgram(() => {
      new AuditLog("shop-audit", { app: "shop", environment: "production", workspaceId: WORKSPACE });
    }, { provider: "azure" });
    expect(plan.find("azure-native:monitor:SubscriptionDiagnosticSetting").inputs).toEqual({
      name: "polycloud-shop-production-activity",
      workspaceId: WORKSPACE,
      logs: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
    });
    expect(ACTIVITY_LOG_CATEGORIES).toEqual(expect.arrayContaining(["Administrative", "Security", "Policy"]));
  });
});
