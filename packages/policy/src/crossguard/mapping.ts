/**
 * The rules as CrossGuard policies (`@pulumi/policy`), without constructing a PolicyPack (whose
 * constructor starts the analyzer server): resource rules as resource validation policies, rules that
 * look at the whole plan as stack validation policies. Enforcement: mandatory -> "mandatory",
 * advisory -> "advisory". Suppressions on resources (tags, labels, annotations) and in the options are
 * honoured; a suppression without a reason is reported as a violation naming the field.
 */
import type { Problem } from "@polycloud/core";
import type { PolicyResource as CrossGuardResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { createContext } from "../context";
import { selectRules, validateOptions } from "../evaluate";
import { rules as allRules } from "../rules";
import { resourceSuppressions } from "../suppress";
import type { PolicyOptions, PolicyResource, ResourceRule, Rule, StackRule } from "../types";

const KNOWN = new Set(allRules.map((r) => r.id));

/** A resource under validation, as the rules see it. */
function fromResourceArgs(args: ResourceValidationArgs): PolicyResource {
  return { urn: args.urn, type: args.type, name: args.name, inputs: args.props, ...(args.opts.parent === undefined ? {} : { parent: args.opts.parent }), dependencies: [] };
}

/** A resource of the stack, as the rules see it (dependencies through `dependsOn` and through inputs). */
export function fromStackResource(r: CrossGuardResource): PolicyResource {
  const dependencies = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()].map((d) => d.urn);
  const parent = r.parent?.urn ?? r.opts.parent;
  return { urn: r.urn, type: r.type, name: r.name, inputs: r.props, ...(parent === undefined ? {} : { parent }), dependencies: [...new Set(dependencies)] };
}

/** The suppression that accepts a finding, or undefined; a malformed suppression tag is reported. */
function suppressedBy(rule: Rule, r: PolicyResource, options: PolicyOptions, report: ReportViolation): string | undefined {
  const problems: Problem[] = [];
  const own = resourceSuppressions(r, KNOWN, problems).find((s) => s.ruleId === rule.id);
  for (const p of problems) report(`${p.path}: ${p.message}; ${p.fix ?? ""}`, r.urn);
  if (own !== undefined) return own.reason;
  return (options.suppress ?? []).find((s) => s.ruleId === rule.id && (s.type === undefined || s.type === r.type) && (s.name === undefined || s.name === r.name))?.reason;
}

function describe(rule: Rule): string {
  return `${rule.title}. ${rule.remediation}${rule.references.length === 0 ? "" : ` (${rule.references.join(", ")})`}`;
}

/** The selected rules of one scope, with what every policy says about itself. */
function policiesOf<R extends Rule>(rules: readonly Rule[], options: PolicyOptions, scope: R["scope"]): { rule: R; types: ReadonlySet<string>; policy: { name: string; description: string; enforcementLevel: Rule["severity"] } }[] {
  validateOptions(options);
  return selectRules(options, rules)
    .filter((r): r is R => r.scope === scope)
    .map((rule) => ({ rule, types: new Set(rule.types), policy: { name: rule.id, description: describe(rule), enforcementLevel: rule.severity } }));
}

/** Reports a finding unless a suppression accepts it. */
function reportUnlessSuppressed(rule: Rule, r: PolicyResource, message: string | undefined, options: PolicyOptions, report: ReportViolation, urn?: string): void {
  if (message !== undefined && suppressedBy(rule, r, options, report) === undefined) report(`${r.name}: ${message}. ${rule.remediation}`, urn);
}

/** Resource rules as CrossGuard resource validation policies. */
export function toResourcePolicies(rules: readonly Rule[] = allRules, options: PolicyOptions = {}): ResourceValidationPolicy[] {
  return policiesOf<ResourceRule>(rules, options, "resource").map(({ rule, types, policy }) => ({
    ...policy,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      if (!types.has(args.type)) return;
      const r = fromResourceArgs(args);
      reportUnlessSuppressed(rule, r, rule.check(r), options, report);
    },
  }));
}

/** Rules over the whole plan as CrossGuard stack validation policies. */
export function toStackPolicies(rules: readonly Rule[] = allRules, options: PolicyOptions = {}): StackValidationPolicy[] {
  return policiesOf<StackRule>(rules, options, "stack").map(({ rule, types, policy }) => ({
    ...policy,
    validateStack: (args, report) => {
      const resources = args.resources.map(fromStackResource);
      const context = createContext(resources);
      for (const r of resources.filter((x) => types.has(x.type))) reportUnlessSuppressed(rule, r, rule.check(r, context), options, report, r.urn);
    },
  }));
}

/** Every selected rule as a CrossGuard policy, for `new PolicyPack(name, { policies: toPolicies() })`. */
export function toPolicies(options: PolicyOptions = {}, rules: readonly Rule[] = allRules): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return [...toResourcePolicies(rules, options), ...toStackPolicies(rules, options)];
}
