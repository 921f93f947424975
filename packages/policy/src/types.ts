/** The shapes of rules, findings and reports. */
import { Provider } from "@polycloud/core";
import type { PropertyBag } from "@polycloud/testing";

/** How a finding weighs: `mandatory` fails a policy run, `advisory` is reported only. */
export const Severity = { mandatory: "mandatory", advisory: "advisory" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** The cloud a rule is about. */
/** The clouds rules are written for: core's providers. */
export const Cloud = Provider;
export type Cloud = Provider;

/**
 * A resource as the rules see it: the same shape from a recorded mock plan and from a CrossGuard run,
 * so one rule serves both.
 */
export interface PolicyResource {
  readonly urn: string;
  /** Type token, e.g. `aws:s3/bucket:Bucket`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** Inputs as the provider SDK received them (secrets unwrapped). */
  readonly inputs: PropertyBag;
  /** Parent URN, when the resource has one. */
  readonly parent?: string;
  /** URNs of the resources this one depends on (explicit and through its inputs). */
  readonly dependencies: readonly string[];
}

/** Every resource of a plan, for rules that look beyond one resource. */
export interface PolicyContext {
  readonly resources: readonly PolicyResource[];
  /** Resources of any of these types. */
  ofType(...types: readonly string[]): PolicyResource[];
  /** Resources of any of these types that reference `target`, or that `target` references (through an input or `dependsOn`). */
  attachedTo(target: PolicyResource, ...types: readonly string[]): PolicyResource[];
}

/** What every rule says about itself. */
export interface RuleInfo {
  /** `PC-<CLOUD>-<SERVICE>-<NNN>`, e.g. `PC-AWS-S3-001`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly cloud: Cloud;
  /** One sentence: what to change. */
  readonly remediation: string;
  /** The scanner rules it corresponds to: Checkov `CKV_*`, Trivy `AVD-*`, kube-score checks, CIS sections. */
  readonly references: readonly string[];
  /** Type tokens of the resources it checks. */
  readonly types: readonly string[];
}

/**
 * A check of one resource on its own inputs. Returns what is wrong (one sentence naming the input
 * and its value), or `undefined` when the resource passes.
 */
export interface ResourceRule extends RuleInfo {
  readonly scope: "resource";
  check(resource: PolicyResource): string | undefined;
}

/** A check of one resource against the rest of the plan (e.g. "a bucket with no public access block attached"). */
export interface StackRule extends RuleInfo {
  readonly scope: "stack";
  check(resource: PolicyResource, context: PolicyContext): string | undefined;
}

export type Rule = ResourceRule | StackRule;

/** One violation. */
export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly message: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

/** A finding that a suppression accepted, with the reason given. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
  /** Where the suppression was declared: on the resource (`tag` / `label` / `annotation` key) or in the options (`options.suppress[i]`). */
  readonly suppressedBy: string;
}

/** Accepts the findings of a rule, on resources of a type and/or name, for a reason. */
export interface Suppression {
  readonly ruleId: string;
  /** Type token the suppression is limited to. @default - every type */
  readonly type?: string;
  /** Logical name the suppression is limited to. @default - every resource */
  readonly name?: string;
  /** Why the finding is accepted; required. */
  readonly reason: string;
}

/** Options of `evaluatePolicies`. */
export interface PolicyOptions {
  /**
   * The lowest severity reported: `advisory` reports everything, `mandatory` only mandatory findings.
   * @default "advisory"
   */
  readonly severity?: Severity;
  /** Only these rule ids run. @default - every rule */
  readonly enabled?: readonly string[];
  /** These rule ids do not run. @default [] */
  readonly disabled?: readonly string[];
  /** Accepted findings, kept in the report under `suppressed`. @default [] */
  readonly suppress?: readonly Suppression[];
}

export interface PolicySummary {
  /** Rules that ran. */
  readonly rules: number;
  /** Resources checked (custom resources; components are not checked). */
  readonly resources: number;
  readonly mandatory: number;
  readonly advisory: number;
  readonly suppressed: number;
  /** True when no mandatory finding is left. */
  readonly passed: boolean;
}

export interface PolicyReport {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly summary: PolicySummary;
}
