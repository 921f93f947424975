/**
 * @polycloud/policy: security rules (after Checkov, Trivy and kube-score) for Pulumi programs on AWS,
 * Azure, Google Cloud and Kubernetes, evaluated offline over a `@polycloud/testing` plan, as Jest
 * matchers (`@polycloud/policy/jest`), as SARIF, and as a CrossGuard policy pack.
 */
export { evaluatePolicies, isRuleId, selectRules, validateOptions } from "./evaluate";
export { formatFinding, formatReport } from "./format";
export { awsRules, azureRules, gcpRules, kubernetesRules, rules } from "./rules";
export { toSarif } from "./sarif";
export type { SarifLog } from "./sarif";
export { resourceSuppressions, SUPPRESS_ANNOTATION_PREFIX, SUPPRESS_LABEL_PREFIX, SUPPRESS_TAG_PREFIX, suppressionTag } from "./suppress";
export { Cloud, Severity } from "./types";
export type {
  Finding,
  PolicyContext,
  PolicyOptions,
  PolicyReport,
  PolicyResource,
  PolicySummary,
  ResourceRule,
  Rule,
  RuleInfo,
  StackRule,
  SuppressedFinding,
  Suppression,
} from "./types";
