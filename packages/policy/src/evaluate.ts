/** `evaluatePolicies`: the rules over a recorded plan, offline, with suppressions kept in the report. */
import { closestMatch, describeValue, PolycloudError, type Problem } from "@polycloud/core";
import type { Plan } from "@polycloud/testing";
import { createContext, planResources } from "./context";
import { rules as allRules } from "./rules";
import { resourceSuppressions } from "./suppress";
import type { Finding, PolicyContext, PolicyOptions, PolicyReport, PolicyResource, Rule, SuppressedFinding, Suppression } from "./types";

const OPTION_KEYS = ["severity", "enabled", "disabled", "suppress"] as const;
const SEVERITIES = ["advisory", "mandatory"];
const RULE_ID = /^PC-(AWS|AZ|GCP|K8S)-[A-Z0-9]+-\d{3}$/;

function unknownId(id: unknown, known: ReadonlySet<string>): string {
  const near = typeof id === "string" ? closestMatch(id, known) : undefined;
  return near === undefined ? "name a rule id from the @polycloud/policy README" : `did you mean ${near}?`;
}

/** Checks the options, every problem at once. @throws PolycloudError naming each bad field. */
export function validateOptions(options: unknown, rules: readonly Rule[] = allRules): PolicyOptions {
  const problems: Problem[] = [];
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new PolycloudError([{ path: "options", message: `expected an object, got ${describeValue(options)}`, fix: 'pass e.g. { severity: "mandatory" }' }], "Invalid policy options");
  }
  const o = options as Record<string, unknown>;
  const known = new Set(rules.map((r) => r.id));
  for (const key of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      const near = closestMatch(key, OPTION_KEYS);
      problems.push({ path: key, message: `is not an option; allowed: ${OPTION_KEYS.join(", ")}`, fix: near === undefined ? `remove ${key}` : `did you mean ${near}?` });
    }
  }
  if (o["severity"] !== undefined && !SEVERITIES.includes(o["severity"] as string)) {
    problems.push({ path: "severity", message: `is ${describeValue(o["severity"])}; allowed: advisory, mandatory`, fix: 'use "mandatory" to report only mandatory findings' });
  }
  for (const key of ["enabled", "disabled"] as const) {
    const ids = o[key];
    if (ids === undefined) continue;
    if (!Array.isArray(ids)) {
      problems.push({ path: key, message: `is ${describeValue(ids)}; expected a list of rule ids`, fix: `${key}: ["PC-AWS-S3-001"]` });
      continue;
    }
    ids.forEach((id, i) => {
      if (typeof id !== "string" || !known.has(id)) problems.push({ path: `${key}[${i}]`, message: `${describeValue(id)} is not a rule id`, fix: unknownId(id, known) });
    });
  }
  const suppress = o["suppress"];
  if (suppress !== undefined && !Array.isArray(suppress)) {
    problems.push({ path: "suppress", message: `is ${describeValue(suppress)}; expected a list of { ruleId, type?, name?, reason }`, fix: 'suppress: [{ ruleId: "PC-AWS-S3-005", reason: "..." }]' });
  }
  (Array.isArray(suppress) ? suppress : []).forEach((s: unknown, i) => {
    const entry = typeof s === "object" && s !== null ? (s as Record<string, unknown>) : {};
    if (typeof entry["ruleId"] !== "string" || !known.has(entry["ruleId"])) {
      problems.push({ path: `suppress[${i}].ruleId`, message: `${describeValue(entry["ruleId"])} is not a rule id`, fix: unknownId(entry["ruleId"], known) });
    }
    if (typeof entry["reason"] !== "string" || entry["reason"].trim() === "") {
      problems.push({ path: `suppress[${i}].reason`, message: `is ${describeValue(entry["reason"])}; a suppression needs the reason the finding is accepted`, fix: 'add reason: "why this is acceptable"' });
    }
    for (const key of ["type", "name"]) {
      if (entry[key] !== undefined && typeof entry[key] !== "string") problems.push({ path: `suppress[${i}].${key}`, message: `is ${describeValue(entry[key])}; expected a string`, fix: `remove ${key} or give a ${key === "type" ? "type token" : "logical name"}` });
    }
  });
  PolycloudError.throwIfAny(problems, "Invalid policy options");
  return o as PolicyOptions;
}

/** The rules the options select. */
export function selectRules(options: PolicyOptions, rules: readonly Rule[] = allRules): Rule[] {
  const enabled = options.enabled === undefined ? undefined : new Set(options.enabled);
  const disabled = new Set(options.disabled ?? []);
  return rules.filter((r) => (enabled === undefined || enabled.has(r.id)) && !disabled.has(r.id) && (options.severity !== "mandatory" || r.severity === "mandatory"));
}

/** Runs one rule over one resource. */
export function check(rule: Rule, r: PolicyResource, context: PolicyContext): string | undefined {
  return rule.scope === "resource" ? rule.check(r) : rule.check(r, context);
}

function finding(rule: Rule, r: PolicyResource, message: string): Finding {
  return { ruleId: rule.id, title: rule.title, severity: rule.severity, urn: r.urn, type: r.type, name: r.name, message, remediation: rule.remediation, references: rule.references };
}

function matches(s: Suppression, ruleId: string, r: PolicyResource): boolean {
  return s.ruleId === ruleId && (s.type === undefined || s.type === r.type) && (s.name === undefined || s.name === r.name);
}

/**
 * Evaluates the rules over a plan from `runProgram` (or over policy resources). Findings that a
 * suppression accepts move to `suppressed` with their reason; nothing is dropped.
 * @throws PolycloudError on bad options, and on a suppression tag without a reason or with an unknown rule id.
 */
export function evaluatePolicies(plan: Plan | readonly PolicyResource[], options: PolicyOptions = {}): PolicyReport {
  const opts = validateOptions(options);
  // A plan from any copy of @polycloud/testing (a user may have two), or the resources themselves.
  const resources = Array.isArray(plan) ? (plan as readonly PolicyResource[]) : planResources(plan as Plan);
  const known = new Set(allRules.map((r) => r.id));
  const problems: Problem[] = [];
  const onResource = new Map(resources.map((r) => [r.urn, resourceSuppressions(r, known, problems)]));
  PolycloudError.throwIfAny(problems, "Invalid policy suppressions");
  const selected = selectRules(opts);
  const context = createContext(resources);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const rule of selected) {
    const types = new Set(rule.types);
    for (const r of resources) {
      if (!types.has(r.type)) continue;
      const message = check(rule, r, context);
      if (message === undefined) continue;
      const f = finding(rule, r, message);
      const own = onResource.get(r.urn)?.find((s) => s.ruleId === rule.id);
      const index = (opts.suppress ?? []).findIndex((s) => matches(s, rule.id, r));
      if (own !== undefined) suppressed.push({ ...f, reason: own.reason, suppressedBy: own.field });
      else if (index >= 0) suppressed.push({ ...f, reason: opts.suppress![index]!.reason, suppressedBy: `options.suppress[${index}]` });
      else findings.push(f);
    }
  }
  const mandatory = findings.filter((f) => f.severity === "mandatory").length;
  return {
    findings,
    suppressed,
    summary: { rules: selected.length, resources: resources.length, mandatory, advisory: findings.length - mandatory, suppressed: suppressed.length, passed: mandatory === 0 },
  };
}

/** True when an id is well formed: `PC-<AWS|AZ|GCP|K8S>-<SERVICE>-<NNN>`. */
export const isRuleId = (id: string): boolean => RULE_ID.test(id);
