/**
 * @polycloud/azure: the five concerns on Azure (network, compute, storage, secrets, monitoring), with
 * backups and an audit trail, as Pulumi components, secure by default, and the Azure backend of the
 * spec-driven platform.
 */
export * from "./network";
export * from "./web-service";
export * from "./front-door";
export * from "./bucket";
export * from "./database";
export * from "./cache";
export * from "./secret-store";
export * from "./monitoring";
export * from "./backup-vault";
export * from "./audit-log";
export * from "./backend";
export * from "./log-alerts";
export * from "./subnets";
export type { VaultRef } from "./encryption-key";
export type { Placement } from "./scope";
