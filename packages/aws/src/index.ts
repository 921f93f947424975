/**
 * @polycloud/aws: the five concerns on AWS (network, compute, storage, secrets, monitoring), with
 * backups and an audit trail, as Pulumi components, secure by default, and the AWS backend of the
 * spec-driven platform.
 */
export * from "./network";
export * from "./cluster";
export * from "./web-service";
export * from "./bucket";
export * from "./database";
export * from "./cache";
export * from "./secret-store";
export * from "./monitoring";
export * from "./backup-plan";
export * from "./audit-trail";
export * from "./backend";
export * from "./alarms";
export * from "./deployment";
export * from "./policies";
