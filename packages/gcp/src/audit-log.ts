/**
 * AuditLog: Data Access audit logs (admin reads, data reads and writes) for every service of the project,
 * and a log sink that copies every audit log entry (Admin Activity, Data Access, System Event, Policy
 * Denied) to a log bucket of the application, kept for the log retention. Admin Activity logs are always
 * on in Google Cloud; Data Access logs are off until asked for, and they are what this turns on.
 *
 * The audit config is project-wide: in a project shared by several applications, build it in one stack only.
 */
import * as logging from "@pulumi/gcp/logging";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import type * as pulumi from "@pulumi/pulumi";
import { transformed, type CommonArgs, type Transform } from "@polycloud/core";
import { PolycloudComponent } from "@polycloud/core/component";
import { nameOf, regionOf } from "./common";

/** Every audit log of the project, by log name. */
export const AUDIT_LOG_FILTER = 'logName:"cloudaudit.googleapis.com"';

export interface AuditLogArgs extends CommonArgs {
  /** Region of the log bucket. @default stack config gcp:region */
  readonly region?: string;
  /** Days audit logs are kept in the application's log bucket. @default the preset's log retention */
  readonly logRetentionDays?: number;
  /** Adjust any child's args (partial args merged over ours, or a function). @default {} */
  readonly transform?: {
    readonly auditConfig?: Transform<projects.IAMAuditConfigArgs>;
    readonly logBucket?: Transform<logging.ProjectBucketConfigArgs>;
    readonly sink?: Transform<logging.ProjectSinkArgs>;
  };
}

export class AuditLog extends PolycloudComponent {
  readonly auditConfig: projects.IAMAuditConfig;
  readonly logBucket: logging.ProjectBucketConfig;
  readonly sink: logging.ProjectSink;

  constructor(name: string, args: AuditLogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "AuditLog", name, args, opts);
    const region = regionOf(args.region, `AuditLog ${name}`);
    const t = args.transform ?? {};
    const project = organizations.getProjectOutput({}, { parent: this }).apply((p) => p.projectId ?? "");
    this.auditConfig = new projects.IAMAuditConfig(
      ...transformed(`${name}-data-access`, { project, service: "allServices", auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] }, this.childOptions(), t.auditConfig),
    );
    this.logBucket = new logging.ProjectBucketConfig(
      ...transformed(
        `${name}-bucket`,
        { project, location: region, bucketId: nameOf(this.defaults, "resource", "audit"), retentionDays: this.defaults.logRetentionDays, description: `Audit logs of ${this.defaults.app}` },
        this.childOptions({ stateful: true }),
        t.logBucket,
      ),
    );
    this.sink = new logging.ProjectSink(
      ...transformed(
        `${name}-sink`,
        { name: nameOf(this.defaults, "resource", "audit"), project, destination: this.logBucket.id.apply((id) => `logging.googleapis.com/${id}`), filter: AUDIT_LOG_FILTER, uniqueWriterIdentity: true },
        this.childOptions(),
        t.sink,
      ),
    );
    this.registerOutputs({ logBucket: this.logBucket.id });
  }
}
