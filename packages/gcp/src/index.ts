/** @polycloud/gcp: the five concerns on Google Cloud, secure by default, behind the same spec. */
export * from "./network";
export * from "./web-service";
export * from "./bucket";
export * from "./database";
export * from "./cache";
export * from "./secret-store";
export * from "./monitoring";
export * from "./audit-log";
export * from "./alerts";
export * from "./sizing";
export * from "./rollout";
export { ROLLBACK_AFTER_MINUTES, ROLLBACK_SOURCE, type Rollback } from "./rollback";
export { WAF_RULES, type LoadBalancer, type LoadBalancerTransforms } from "./load-balancer";
export { KEY_ROTATION_PERIOD } from "./keys";
export type { GcpSecretReference, SecretLocation } from "./secrets";
export { backend, buildGcp, regionOfModel, type GcpPlatform } from "./backend";
