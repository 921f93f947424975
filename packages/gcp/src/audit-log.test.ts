import * as logging from "@pulumi/gcp/logging";
import * as projects from "@pulumi/gcp/projects";
import { AUDIT_LOG_FILTER, AuditLog } from "./audit-log";
import { planOf } from "./__tests__/fixtures";

describe("AuditLog", () => {
  it("defaults to Data Access logs for every service and a sink of every audit log to a log bucket kept for the preset's retention", async () => {
    const plan = await planOf(() => void new AuditLog("audit", { app: "shop", environment: "production" }));
    expect(plan.find(projects.IAMAuditConfig).inputs.auditLogConfigs).toEqual([{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }]);
    const bucket = plan.find(logging.ProjectBucketConfig);
    expect(bucket.inputs).toMatchObject({ bucketId: "shop-prd-audit", retentionDays: 90, location: "europe-west1" });
    expect(bucket.options.protect).toBe(true);
    expect(plan.find(logging.ProjectSink).inputs).toMatchObject({ filter: 'logName:"cloudaudit.googleapis.com"', uniqueWriterIdentity: true, destination: `logging.googleapis.com/${bucket.id}` });
    expect(AUDIT_LOG_FILTER).toBe('logName:"cloudaudit.googleapis.com"');
  });

  it("takes the log retention and transforms", async () => {
    const plan = await planOf(() => void new AuditLog("audit", { app: "shop", logRetentionDays: 400, transform: { logBucket: { locked: true } } }));
    expect(plan.find(logging.ProjectBucketConfig).inputs).toMatchObject({ retentionDays: 400, locked: true });
  });
});
