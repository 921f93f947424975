/**
 * @polycloud/kubernetes: the five concerns on any Kubernetes cluster, hardened by default.
 * Every component deploys through the ambient kubeconfig, or through an explicit `k8s.Provider`
 * passed in the resource options (`{ provider }` / `{ providers: [provider] }`).
 */
export * from "./network";
export * from "./web-service";
export * from "./secret-store";
export * from "./database";
export * from "./cache";
export * from "./bucket";
export * from "./monitoring";
export * from "./backend";
export { capacityFor, DEFAULT_CAPACITY, STATEFUL_SIZES, type Capacity } from "./sizing";
export { POSTGRES_RELEASES, REDIS_RELEASES, postgresImage, redisImage, type StoreImage } from "./images";
export { containerSecurityContext, podSecurityContext, MIN_UID, type RunAs } from "./security";
export { cpuQuantity, memoryQuantity, storageQuantity } from "./quantity";
export {
  burnRateExpr,
  burnRateHoldMinutes,
  errorRatio,
  latencyQuantile,
  sloAlertingRules,
  withEscalations,
  ERROR_RATE_HOLD_MINUTES,
  ESCALATES_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  type RequestMetrics,
} from "./promql";
export { secretLocationProblems, secretReference, type KubernetesSecretReference, type SecretKeyLocation } from "./refs";
